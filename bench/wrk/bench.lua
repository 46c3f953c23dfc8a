-- wrk script: cycles through "key<TAB>path[<TAB>accept-encoding[<TAB>if-none-match]]" lines (keys and terms rotate), each thread from its
-- own offset, and prints one JSON line with the counts and latency percentiles (microseconds) when done.
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  requests = {}
  for line in io.lines(args[1]) do
    local key, path = line:match("^([^\t]+)\t([^\t]+)")
    local encoding = line:match("^[^\t]+\t[^\t]+\t([^\t]+)")
    local etag = line:match("^[^\t]+\t[^\t]+\t[^\t]*\t(.+)$")
    if key then
      local headers = { ["Authorization"] = "Bearer " .. key }
      if encoding then headers["Accept-Encoding"] = encoding end
      if etag then headers["If-None-Match"] = etag end
      table.insert(requests, wrk.format("GET", path, headers))
    end
  end
  index = (id * 7) % #requests
end

function request()
  index = index % #requests + 1
  return requests[index]
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"duration_us":%d,"errors":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,' ..
    '"p50":%d,"p90":%d,"p99":%d,"max":%d,"mean":%.1f}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.status + e.timeout,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max, latency.mean))
end
