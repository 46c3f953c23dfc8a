-- wrk script for bench/soak.sh: a mix of paging, search and tags requests with one company's key. Each thread
-- counts responses, 5xx and 4xx per time window (SOAK_WINDOW seconds); done() prints one line per window and a total.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

local key = os.getenv("SOAK_KEY")
local pages = tonumber(os.getenv("SOAK_PAGES") or "100")
local terms = {}

function init(args)
  for line in io.lines(os.getenv("SOAK_TERMS")) do
    if #line > 0 then table.insert(terms, line) end
  end
  if #terms == 0 then terms = { "a" } end
  math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16) % 100000)
  wrk.headers["Authorization"] = "Bearer " .. key
  window = tonumber(os.getenv("SOAK_WINDOW") or "10")
  started = os.time()
  ok, s5xx, s4xx = {}, {}, {}
end

function request()
  local r = math.random(100)
  local path
  if r <= 60 then
    path = "/api/v1/contacts?limit=20&page=" .. math.random(pages)
  elseif r <= 80 then
    path = "/api/v1/contacts?limit=20&search=" .. terms[math.random(#terms)]
  elseif r <= 95 then
    path = "/api/v1/contacts/tags"
  else
    path = "/api/v1/contacts?limit=100&page=1"
  end
  return wrk.format("GET", path)
end

function response(status, headers, body)
  local w = math.floor((os.time() - started) / window) + 1
  if status >= 500 then
    s5xx[w] = (s5xx[w] or 0) + 1
  elseif status >= 400 then
    s4xx[w] = (s4xx[w] or 0) + 1
  else
    ok[w] = (ok[w] or 0) + 1
  end
end

function done(summary, latency, requests)
  local windows, per = 0, {}
  for _, thread in ipairs(threads) do
    for name, counts in pairs({ ok = thread:get("ok"), s5xx = thread:get("s5xx"), s4xx = thread:get("s4xx") }) do
      for w, n in pairs(counts) do
        per[w] = per[w] or { ok = 0, s5xx = 0, s4xx = 0 }
        per[w][name] = per[w][name] + n
        if w > windows then windows = w end
      end
    end
  end
  local window = tonumber(os.getenv("SOAK_WINDOW") or "10")
  for w = 1, windows do
    local c = per[w] or { ok = 0, s5xx = 0, s4xx = 0 }
    -- WINDOW end_s responses 5xx 4xx
    io.write(string.format("WINDOW %d %d %d %d\n", w * window, c.ok + c.s5xx + c.s4xx, c.s5xx, c.s4xx))
  end
  local e = summary.errors
  -- TOTAL requests seconds connect read write timeout non2xx p50 p90 p99 p999 max (ms)
  io.write(string.format("TOTAL %d %.1f %d %d %d %d %d %.2f %.2f %.2f %.2f %.2f\n",
    summary.requests, summary.duration / 1e6, e.connect, e.read, e.write, e.timeout, e.status,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency:percentile(99.9) / 1000, latency.max / 1000))
end
