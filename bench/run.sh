#!/usr/bin/env bash
# The benchmark in one command:  bench/run.sh small|medium|large|xlarge [--sqlite] [--smoke] [--label NAME] [--duration SECONDS]
#                                 [--skip-alone] [--keep-db | --reuse-db] [--replicas N] [--scenarios a,b,...] [--writes 1,5,50,5i]
# Generates the data (once, bench/data/), starts a throwaway PostgreSQL (or an SQLite file), loads the data with the
# import commands' code on one connection pool (contacts-bench load), runs the service in Release on loopback, drives each scenario with wrk (16 connections), captures
# the SQL the service sent per scenario and replays it with pgbench at the same concurrency (the ceiling), measures the
# probe company's search again on a second database that holds only that company (skipped with --skip-alone), and
# writes bench/results/<date>-<size>-<provider>[-label].md with a p99 chart. Raw outputs (wrk, requests, captured SQL,
# pgbench) go to bench/out/<same name>/ (git-ignored). --smoke: a few seconds per scenario, the report in bench/out/ too.
# The change feed: an idle poll from every small company's key (wrk) and a timed walk of the big company (contacts-bench).
# --replicas N: N streaming standbys of the throwaway PostgreSQL (pg_basebackup), reads routed to them; the report says
# per node how many statements it ran and their mean time (pg_stat_statements), and skips the pgbench ceiling.
# --scenarios a,b (or --only a,b): only these scenarios (names as in the report's raw folder: contact-by-id, page-100,
# page-100-gzip, ...); the feed walk, the pgbench ceiling and the "alone" step run only when named (changes-walk,
# small-search). --writes 1,5,50,5i: after the scenarios, each again per rate while another application updates random
# contacts of the big company at that rate (a rate ending in i adds one 10,000-row import into it, started in the
# first scenario); a table of every scenario's req/s and p99 per rate is added to the report.
# Needs root (or the postgres user) for PostgreSQL; installs wrk from Debian if missing.
set -euo pipefail

size="${1:-}"; shift || true
case "$size" in tiny|small|medium|large|xlarge) ;; *) echo "usage: bench/run.sh small|medium|large|xlarge [--sqlite] [--smoke] [--label NAME] [--duration S] [--replicas N]" >&2; exit 2 ;; esac
provider=postgres; smoke=0; label=""; duration=""; connections=16; keep_db=0; reuse_db=0; alone=1; replicas=0; only=; writes=""
while [ $# -gt 0 ]; do
  case "$1" in
    --sqlite) provider=sqlite ;;
    --postgres) provider=postgres ;;
    --smoke) smoke=1 ;;
    --label) label="$2"; shift ;;
    --duration) duration="$2"; shift ;;
    --keep-db) keep_db=1 ;;    # leave the loaded PostgreSQL running for a later --reuse-db (before/after on the same data)
    --reuse-db) reuse_db=1 ;;
    --skip-alone) alone=0 ;;   # no second database for the probe company's "without the big neighbour" figure
    --replicas) replicas="$2"; shift ;;
    --scenarios|--only) only=",$2,"; shift ;;
    --writes) writes="$2"; shift ;;    # e.g. 1,5,50: the scenarios again while another application updates the big company
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
case "$replicas" in [0-9]) ;; *) echo "--replicas takes a number of standbys (0-9)" >&2; exit 2 ;; esac
if [ "$replicas" -gt 0 ]; then
  [ $provider = postgres ] && [ $reuse_db = 0 ] && [ $keep_db = 0 ] || { echo "--replicas needs PostgreSQL and a fresh database (no --sqlite, --keep-db, --reuse-db)" >&2; exit 2; }
  alone=0 # the "alone" step compares databases, not nodes
fi
selected() { [ -z "$only" ] || [[ "$only" == *",$1,"* ]]; }
selected small-search || alone=0
if [ -z "$duration" ]; then
  if [ $smoke = 1 ]; then duration=3; elif [ "$size" = small ] || [ "$size" = tiny ]; then duration=5; else duration=15; fi
fi
warmup=$(( duration < 5 ? 1 : 5 ))

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log() { echo "[bench $(date -u +%H:%M:%S)] $*" >&2; }

if ! command -v wrk >/dev/null; then log "installing wrk"; apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; fi
command -v curl >/dev/null || apt-get install -y curl >/dev/null

log "building (Release)"
dotnet build -c Release -v q -nologo src/Contacts >/dev/null
dotnet build -c Release -v q -nologo bench/Contacts.Bench >/dev/null
contacts=(dotnet "$root/src/Contacts/bin/Release/net10.0/contacts.dll")
bench=(dotnet "$root/bench/Contacts.Bench/bin/Release/net10.0/contacts-bench.dll")

data="$root/bench/data/$size"
"${bench[@]}" generate "$size" "$data"

date=$(date -u +%Y-%m-%d)
name="$date-$size-$provider${label:+-$label}"
# Only the report and its chart are committed; the raw outputs stay in the ignored bench/out/.
if [ $smoke = 1 ]; then out="$root/bench/out"; else out="$root/bench/results"; fi
run="$root/bench/out/$name"
rm -rf "$run"; mkdir -p "$run" "$out"
tmp=$(mktemp -d /tmp/contacts-bench.XXXXXX)
chmod 755 "$tmp"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
service_pid=""
db_env="$data/db-$provider.env"
cleanup() {
  [ -n "$service_pid" ] && kill "$service_pid" 2>/dev/null && wait "$service_pid" 2>/dev/null || true
  if [ $keep_db = 1 ] && [ -f "$db_env" ]; then log "database kept: $db_env"; return; fi
  for d in "$tmp"/replica-*; do
    if [ -f "$d/postmaster.pid" ]; then as_postgres "$pgbin/pg_ctl" -D "$d" -m fast -w stop >/dev/null 2>&1 || true; fi
  done
  if [ -f "$tmp/pg/postmaster.pid" ]; then as_postgres "$pgbin/pg_ctl" -D "$tmp/pg" -m fast -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$tmp"; rm -f "$db_env"
}
trap cleanup EXIT

# PostgreSQL settings for this machine (2 cores, 24 GB RAM, SSD), written into the report.
pg_settings="shared_buffers=4GB effective_cache_size=16GB work_mem=32MB maintenance_work_mem=1GB max_connections=100 \
max_wal_size=8GB checkpoint_timeout=30min random_page_cost=1.1 effective_io_concurrency=200 jit=off"
if [ $reuse_db = 1 ]; then
  # shellcheck disable=SC1090
  . "$db_env"; rm -rf "$tmp"; tmp="$db_tmp"; psql=(psql -X -q -h 127.0.0.1 -p "$port" -U postgres)
  log "reusing the database of $db_env"
elif [ $provider = postgres ]; then
  # The real folder (a PATH entry may be a lone symlink to pg_ctl): pg_basebackup and postgres sit beside it.
  pgbin=$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")")
  port=$(free_port)
  mkdir "$tmp/pg"; [ "$(id -u)" = 0 ] && chown postgres "$tmp" "$tmp/pg"
  as_postgres "$pgbin/initdb" -D "$tmp/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  opts="-p $port -k $tmp -c listen_addresses=127.0.0.1 -c log_line_prefix='%a|%p|'"
  for s in $pg_settings; do opts="$opts -c $s"; done
  # Per-node statement counts and times for the replicas report; only then, so that other runs measure what they did.
  if [ "$replicas" -gt 0 ]; then opts="$opts -c shared_preload_libraries=pg_stat_statements"; fi
  as_postgres "$pgbin/pg_ctl" -D "$tmp/pg" -l "$tmp/pg.log" -w -t 60 -o "$opts" start >/dev/null
  psql=(psql -X -q -h 127.0.0.1 -p "$port" -U postgres)
  "${psql[@]}" -d postgres -c "CREATE DATABASE contacts"
  connection="Host=127.0.0.1;Port=$port;Username=postgres;Database=contacts"
  log "PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on port $port"
else
  connection="Data Source=$tmp/contacts.db"
fi

if [ $reuse_db = 0 ]; then
  log "loading $size into $provider"
  "${bench[@]}" load "$data" $provider "$connection"
  if [ $provider = postgres ]; then "${psql[@]}" -d contacts -c "VACUUM ANALYZE"; fi
  if [ "$replicas" -gt 0 ]; then "${psql[@]}" -d contacts -c "CREATE EXTENSION pg_stat_statements"; fi
  [ $keep_db = 1 ] && printf 'port=%s\npgbin=%s\ndb_tmp=%s\nconnection="%s"\n' "${port:-}" "${pgbin:-}" "$tmp" "$connection" >"$db_env"
fi
replica_args=(); replica_ports=()
for r in $(seq "$replicas"); do
  # A streaming standby of the loaded database, its own folder and port, the same settings; started once it has
  # replayed everything the primary had written, so that the wrk runs read the same data on every node.
  rport=$(free_port); rdir="$tmp/replica-$r"
  log "standby replica-$r: pg_basebackup, port $rport"
  as_postgres "$pgbin/pg_basebackup" -h 127.0.0.1 -p "$port" -U postgres -D "$rdir" -R -X stream -c fast
  ropts="-p $rport -k $tmp -c listen_addresses=127.0.0.1 -c hot_standby=on -c shared_preload_libraries=pg_stat_statements"
  for s in $pg_settings; do ropts="$ropts -c $s"; done
  as_postgres "$pgbin/pg_ctl" -D "$rdir" -l "$tmp/replica-$r.log" -w -t 120 -o "$ropts" start >/dev/null
  written=$("${psql[@]}" -d postgres -At -c "SELECT pg_current_wal_lsn()")
  for i in $(seq 600); do
    [ "$(psql -X -q -At -h 127.0.0.1 -p "$rport" -U postgres -d postgres -c "SELECT pg_last_wal_replay_lsn() >= '$written'" 2>/dev/null)" = t ] && break
    [ "$i" = 600 ] && { log "replica-$r did not replay $written"; cat "$tmp/replica-$r.log" >&2; exit 1; }
    sleep 0.2
  done
  replica_args+=("--ConnectionStrings:ContactsReplicas:$((r - 1))=Host=127.0.0.1;Port=$rport;Username=postgres;Database=contacts")
  replica_ports+=("$rport")
done
cp "$data/import-$provider.json" "$run/import.json"
"${bench[@]}" requests "$data" $provider "$tmp/requests"
if [ -n "${only:-}" ]; then
  awk -F'\t' -v list=",$only," 'index(list, "," $1 ",")' "$tmp/requests/scenarios.tsv" >"$tmp/scenarios.tsv"
  mv "$tmp/scenarios.tsv" "$tmp/requests/scenarios.tsv"
fi
cp -r "$tmp/requests" "$run/"; cp "$tmp/requests/scenarios.tsv" "$run/"

start_service() { # $1 = connection string, $2 = a request file whose first key is used to wait for start-up, then settings
  sport=$(free_port)
  url="http://127.0.0.1:$sport"
  local conn="$1" first="$2"; shift 2
  "${contacts[@]}" serve --provider $provider --connection-string "$conn" --urls "$url" \
    --Logging:LogLevel:Default=Warning --RateLimits:Enabled=false "$@" ${SERVICE_ARGS:-} >"$tmp/service.log" 2>&1 &
  service_pid=$!
  local key; key=$(head -1 "$first" | cut -f1)
  for i in $(seq 600); do
    curl -fs -o /dev/null -H "Authorization: Bearer $key" "$url/api/v1/contacts" && break
    if ! kill -0 "$service_pid" 2>/dev/null || [ "$i" = 600 ]; then log "the service did not start:"; cat "$tmp/service.log" >&2; exit 1; fi
    sleep 0.3
  done
}
cpu_seconds() { # user + system CPU of the service's process so far
  awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$service_pid/stat"
}
run_wrk() { # $1 = request file, $2 = output name (wrk-$2.txt / .json in the run folder; cpu-$2.txt: the service's CPU seconds)
  log "wrk $2 (${duration}s)"
  wrk -t2 -c$connections -d${warmup}s -s bench/wrk/bench.lua "$url" -- "$1" >/dev/null
  if [ "$replicas" -gt 0 ]; then node_stats reset; fi
  local cpu_before; cpu_before=$(cpu_seconds)
  wrk -t2 -c$connections -d${duration}s --timeout 10s -s bench/wrk/bench.lua "$url" -- "$1" >"$run/wrk-$2.txt"
  awk -v a="$cpu_before" -v b="$(cpu_seconds)" 'BEGIN { printf "%.2f\n", b - a }' >"$run/cpu-$2.txt"
  if [ "$replicas" -gt 0 ]; then node_stats "$run/nodes-$2.tsv"; fi
  grep '^{' "$run/wrk-$2.txt" >"$run/wrk-$2.json"
}
node_reads() { # the service's own count of reads per node (meter Contacts.Data, /metrics answers loopback)
  curl -fs "$url/metrics" | awk -v n="$1" '/^contacts_db_node_reads/ && index($0, "node=\"" n "\"") { v = $2 } END { print v + 0 }'
}
node_stats() { # reset: zero every node's pg_stat_statements; FILE: node, reads, statements, their total ms (the monitor's probes left out)
  local nodes=(primary) ports=("$port") i
  for i in "${!replica_ports[@]}"; do nodes+=("replica-$((i + 1))"); ports+=("${replica_ports[$i]}"); done
  [ "$1" = reset ] || : >"$1"
  for i in "${!nodes[@]}"; do
    local q=(psql -X -q -At -F $'\t' -h 127.0.0.1 -p "${ports[$i]}" -U postgres -d contacts)
    if [ "$1" = reset ]; then
      "${q[@]}" -c "SELECT pg_stat_statements_reset()" >/dev/null; reads_before[$i]=$(node_reads "${nodes[$i]}")
    else
      echo "${nodes[$i]}"$'\t'"$(( $(node_reads "${nodes[$i]}") - ${reads_before[$i]} ))"$'\t'"$("${q[@]}" -c "SELECT coalesce(sum(calls), 0), round(coalesce(sum(total_exec_time), 0)::numeric, 3) FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = 'contacts' AND s.query !~ '^SELECT pg_(current_wal_lsn|is_in_recovery|stat_statements_reset)\('")" >>"$1"
    fi
  done
}
declare -a reads_before=()
noisy=noisy-neighbour
run_noisy() { # the mix ($1) while one key of the big company sends 64 concurrent heavy pages (a second wrk); $2 = output name
  log "noisy neighbour: 64 concurrent heavy pages of the big company beside $2"
  wrk -t1 -c64 -d$((warmup + duration + 5))s --timeout 30s -s bench/wrk/bench.lua "$url" -- "$tmp/requests/noisy-heavy.tsv" >"$run/wrk-$2-heavy.txt" &
  local heavy=$!
  run_wrk "$1" "$2"
  wait $heavy
  grep '^{' "$run/wrk-$2-heavy.txt" >"$run/wrk-$2-heavy.json"
}
stop_service() { kill "$service_pid"; wait "$service_pid" 2>/dev/null || true; service_pid=""; }

start_service "$connection" "$tmp/requests/list-first.tsv" "${replica_args[@]}"
if [ "$replicas" -gt 0 ]; then
  # Until the monitor's first probe of a standby, reads go to the primary.
  for i in $(seq 100); do curl -fs "$url/health/ready" | grep -q '"replica-1":"up' && break; sleep 0.2; done
fi
# The idle pollers' cursors: each small company's feed walked once to its end.
if selected changes-idle; then
  "${bench[@]}" changes-cursors "$url" "$data" $provider "$tmp/requests"
  cp "$tmp/requests/changes-idle.tsv" "$run/requests/"
fi
# Ids as the database numbered them, read through the service.
if selected contact-by-id; then
  "${bench[@]}" contact-ids "$url" "$data" $provider "$tmp/requests"
  cp "$tmp/requests/contact-by-id.tsv" "$run/requests/"
fi
# Each compression page with its current ETag: polls of an unchanged page.
if selected page-100-304; then
  while IFS=$'\t' read -r key path; do
    printf '%s\t%s\t\t%s\n' "$key" "$path" "$(curl -fs -D - -o /dev/null -H "Authorization: Bearer $key" "$url$path" | tr -d '\r' | awk 'tolower($1) == "etag:" { print $2 }')"
  done <"$tmp/requests/page-100.tsv" >"$tmp/requests/page-100-304.tsv"
  cp "$tmp/requests/page-100-304.tsv" "$run/requests/"
fi
if [ $reuse_db = 1 ] && [ $provider = postgres ]; then "${psql[@]}" -d contacts -c "ANALYZE"; fi # after the service's own migrations

scenarios=$(cut -f1 "$tmp/requests/scenarios.tsv" | while read -r s; do if selected "$s"; then echo "$s"; fi; done)
if selected page-100 || selected page-100-gzip || selected page-100-br; then
  # The body's size as sent, per encoding, for the first page of the compression scenarios.
  IFS=$'\t' read -r key path _ <"$tmp/requests/page-100.tsv"
  for e in identity gzip br; do
    printf '%s\t%s\n' "$e" "$(curl -fs -o /dev/null -w '%{size_download}' -H "Authorization: Bearer $key" \
      $([ $e = identity ] || echo "-H Accept-Encoding:$e") "$url$path")"
  done >"$run/bytes.tsv"
fi
load_before=$(cut -d" " -f1-3 /proc/loadavg)
for s in $scenarios; do if [ "$s" = $noisy ]; then run_noisy "$tmp/requests/$s.tsv" "$s"; else run_wrk "$tmp/requests/$s.tsv" "$s"; fi; done
load_after=$(cut -d" " -f1-3 /proc/loadavg)
if [ -n "$writes" ]; then
  # Search under writes (issue 19): each rate is another application's single-row updates to random contacts of the
  # big company (pgbench -R, one connection, as the owner), running through every scenario; a rate written with an
  # "i" (5i) adds one 10,000-row import into the big company, started a few seconds into the first scenario, so that
  # the plain rates measure the updates alone.
  # (SQLite: a Python writer with the same statement, each update its own transaction, waiting up to 5 s for the lock.)
  biggest="SELECT company_id, min(id), max(id) FROM contact GROUP BY company_id ORDER BY count(*) DESC LIMIT 1"
  if [ $provider = postgres ]; then
    read -r big lo hi < <("${psql[@]}" -d contacts -At -F' ' -c "$biggest")
  else
    read -r big lo hi < <(python3 -c "import sqlite3, sys; print(*sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone())" "$tmp/contacts.db" "$biggest")
  fi
  cat >"$tmp/writer.sql" <<SQL
\\set r random(0, $((hi - lo)))
UPDATE contact SET updated_at = now() WHERE id = (SELECT id FROM contact WHERE company_id = $big AND id >= $lo + :r ORDER BY id LIMIT 1);
SQL
  python3 - "$tmp/import-10k.jsonl" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    for n in range(10_000):
        f.write(f'{{"first_name":"Mid{n}","last_name":"Import","email":"mid{n}@import.test","phone_number":"+1 555 {n:07d}","tags":["imported"]}}\n')
PY
  rates=$(echo "$writes" | tr ',' ' ')
  for w in $rates; do
    rate=${w%i}; with_import=0; [ "$rate" != "$w" ] && with_import=1
    log "writer: $rate updates/s to company $big$([ $with_import = 1 ] && echo ', and a 10,000-row import')"
    if [ $provider = postgres ]; then
      pgbench -h 127.0.0.1 -p "$port" -U postgres -n -c 1 -R "$rate" -T 86400 -f "$tmp/writer.sql" contacts >"$run/writer-$w.txt" 2>&1 &
    else
      python3 - "$tmp/contacts.db" "$rate" "$big" "$lo" "$hi" >"$run/writer-$w.txt" 2>&1 <<'PY' &
import random, sqlite3, sys, time
db, rate, big, lo, hi = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
c = sqlite3.connect(db, timeout=5, isolation_level=None)
n, start = 0, time.monotonic()
while True:
    c.execute("UPDATE contact SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = "
              "(SELECT id FROM contact WHERE company_id = ? AND id >= ? ORDER BY id LIMIT 1)", (big, random.randint(lo, hi)))
    n += 1
    time.sleep(max(0.0, start + n / rate - time.monotonic()))
PY
    fi
    writer_pid=$!
    import_pid=""
    for s in $scenarios; do
      if [ "$with_import" = 1 ]; then
        ( sleep $((warmup + duration / 3)); "${contacts[@]}" import --provider $provider --connection-string "$connection" --company "$big" \
            "$tmp/import-10k.jsonl" >"$run/import-mid-run.txt" 2>&1 ) &
        import_pid=$!; with_import=0
      fi
      run_wrk "$tmp/requests/$s.tsv" "$s-w$w"
    done
    [ -n "$import_pid" ] && wait "$import_pid"
    kill "$writer_pid" 2>/dev/null || true; wait "$writer_pid" 2>/dev/null || true
  done
  python3 - "$run" "$rates" $scenarios >"$run/writes.md" <<'PY'
import json, sys
run, rates, scenarios = sys.argv[1], sys.argv[2].split(), sys.argv[3:]
def cell(name):
    try:
        j = json.loads(open(f"{run}/wrk-{name}.json").read().strip().splitlines()[-1])
    except (OSError, IndexError):
        return "–"
    rps = j["requests"] / (j["duration_us"] / 1e6)
    err = f", {j['errors']} errors" if j["errors"] else ""
    return f"{rps:,.0f} req/s, p99 {j['p99'] / 1000:,.1f} ms{err}"
print("## Search while another application writes to the big company\n")
print("Single-row updates a second to random contacts of the big company (one connection: pgbench -R on PostgreSQL, a Python writer on SQLite); "
      "in a column marked \"+ import\", a 10,000-row import into it also starts a few seconds into the first scenario.\n")
label = lambda r: f"{r[:-1]} writes/s + import" if r.endswith("i") else f"{r} writes/s"
print("| scenario | no writes | " + " | ".join(label(r) for r in rates) + " |")
print("|---|---:|" + "---:|" * len(rates))
for s in scenarios:
    print(f"| {s} | {cell(s)} | " + " | ".join(cell(f"{s}-w{r}") for r in rates) + " |")
PY
fi
if selected changes-walk; then
  log "changes-walk: the big company's feed from no cursor, then the list paged through it"
  "${bench[@]}" changes-walk "$url" "$data" $provider "$run/changes-walk.json"
fi
rss_kb=$(awk '/VmHWM/ {print $2}' /proc/$service_pid/status)
# The statements of the mix scenarios' requests are mixed-small's: no capture or replay of their own.
replayed=$(echo "$scenarios" | grep -vx $noisy)

# The pgbench ceiling replays one server's statements; with standbys the service spread them over several.
if [ $provider = postgres ] && [ "$replicas" = 0 ] && [ -z "${only:-}" ]; then
  # Capture pass: each of the first requests of a scenario once with log_statement=all, one log segment per request.
  mkdir -p "$run/capture"
  capture() { # $1 = scenario, $2 = with log segment (1) or warm-up (0)
    local i=0
    head -4 "$tmp/requests/$1.tsv" | while IFS=$'\t' read -r key path _; do # (the encoding, if any, changes no statement)
      i=$((i + 1))
      local offset; offset=$(stat -c %s "$tmp/pg.log")
      curl -fs -o /dev/null -H "Authorization: Bearer $key" "$url$path"
      sleep 0.3
      if [ "$2" = 1 ]; then tail -c +$((offset + 1)) "$tmp/pg.log" >"$run/capture/$1-$i.log"; fi
    done
  }
  for s in $replayed; do capture "$s" 0; done
  "${psql[@]}" -d contacts -c "ALTER SYSTEM SET log_statement = 'all'" -c "SELECT pg_reload_conf()" >/dev/null
  sleep 0.5
  for s in $replayed; do capture "$s" 1; done
  "${psql[@]}" -d contacts -c "ALTER SYSTEM RESET log_statement" -c "SELECT pg_reload_conf()" >/dev/null
fi
stop_service

if echo "$scenarios" | grep -qx $noisy; then
  # Before and after on the same data and machine: the mix alone and beside the neighbour again, with the database share
  # turned off (what the service did before it: every request straight to the connection pool).
  start_service "$connection" "$tmp/requests/list-first.tsv" "${replica_args[@]}" --DatabaseShare:Enabled=false
  run_wrk "$tmp/requests/mixed-small.tsv" mixed-small-unshared
  run_noisy "$tmp/requests/$noisy.tsv" $noisy-unshared
  stop_service
fi

if [ $provider = postgres ] && [ "$replicas" = 0 ] && [ -z "${only:-}" ]; then
  "${bench[@]}" pgbench-scripts "$run/capture" "$run/pgbench-scripts"
  for s in $replayed; do
    files=(); for f in "$run/pgbench-scripts/$s"-*.sql; do files+=(-f "$f"); done
    # Literals with ':' (not '::' casts) would be taken for pgbench variables in extended/prepared mode.
    # Prepared when the service prepares them (Npgsql auto-prepare, per pooled connection from a statement's second use:
    # a capture may still show one unnamed on a connection that had not seen it twice), else the extended protocol.
    mode=extended; grep -q 'execute _auto' "$run/capture/$s"-*.log && mode=prepared
    # (pgbench pipelines need the extended protocol: in simple mode each statement is its own round trip.)
    grep -qP '(?<!:):(?!:)' "$run/pgbench-scripts/$s"-*.sql && { mode=simple; sed -i '/^\\\(start\|end\)pipeline$/d' "$run/pgbench-scripts/$s"-*.sql; }
    log "pgbench $s (${duration}s, -M $mode)"
    pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M $mode -c $connections -j 2 -T "$duration" "${files[@]}" contacts >"$run/pgbench-$s.txt" 2>&1 \
      || log "pgbench $s stopped with an error (see pgbench-$s.txt): no ceiling for it"
  done
fi
if [ $provider = postgres ]; then
  pg_desc="$("$pgbin/postgres" --version | awk '{print $3}'), $pg_settings, fsync on"
  if [ "$replicas" -gt 0 ]; then pg_desc="$pg_desc; $replicas streaming standby(s) (pg_basebackup -R -X stream, hot_standby, the same settings, asynchronous), pg_stat_statements on every node"; fi
fi

if [ $alone = 1 ]; then
  # The probe company (the first small one) alone on a second database of the same server (or a second SQLite file):
  # the same data, keys and terms, so its figure beside the big neighbour is compared with its figure without one.
  if [ $provider = postgres ]; then
    "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS contacts_alone" -c "CREATE DATABASE contacts_alone"
    alone_connection="${connection/Database=contacts/Database=contacts_alone}"
  else
    rm -f "$tmp/alone.db"*; alone_connection="Data Source=$tmp/alone.db"
  fi
  log "loading the probe company alone"
  "${bench[@]}" load "$data" $provider "$alone_connection" --alone
  if [ $provider = postgres ]; then "${psql[@]}" -d contacts_alone -c "VACUUM ANALYZE"; fi
  "${bench[@]}" requests "$data" $provider "$tmp/requests-alone" --alone
  cp -r "$tmp/requests-alone" "$run/"
  start_service "$alone_connection" "$tmp/requests-alone/small-search.tsv"
  run_wrk "$tmp/requests-alone/small-search.tsv" small-search-alone
  stop_service
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
  echo "size=$size"; echo "provider=$provider"; echo "date=$date"; echo "label=$label"
  echo "commit=$(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo '+changes')"
  echo "machine=$(nproc) cores ($cpu), $(free -g | awk '/Mem:/ {print $2}') GB RAM"
  echo "args=$size $([ $provider = sqlite ] && echo --sqlite)$([ $smoke = 1 ] && echo " --smoke") ${label:+--label $label}$([ $alone = 0 ] && [ "$replicas" = 0 ] && [ -z "$only" ] && echo ' --skip-alone')$([ "$replicas" -gt 0 ] && echo " --replicas $replicas")$([ -n "$only" ] && echo " --only ${only:1:-1}")"
  echo "replicas=$replicas"
  echo "loadavg=$load_before at the start of the wrk runs, $load_after at their end (1/5/15 min; other work on the machine shares the 2 cores)"
  echo "connections=$connections"; echo "duration=$duration"; echo "rss_kb=$rss_kb"
  echo "server=Release build, loopback, log level Warning, rate limits off ${SERVICE_ARGS:-}"
  [ $provider = postgres ] && echo "postgres=$pg_desc"
} >"$run/meta.env"
"${bench[@]}" report "$run" "$out/$name.md" "$out/$name-p99.svg"
if [ -f "$run/writes.md" ]; then { echo; cat "$run/writes.md"; } >>"$out/$name.md"; fi
log "report: $out/$name.md"
