#!/usr/bin/env bash
# Write cost, measured (issue 18, item 5):
#
#   bench/write-cost.sh --before DIR [--after DIR] [--size large] [--label NAME] [--seconds 20] [--data DIR]
#   bench/write-cost.sh --after DIR                      (either build alone works too)
#
# DIR is a checkout of the product (a git worktree). Each one is built first (dotnet build -c Release: src/Contacts and
# bench/Contacts.Bench), then measured one after the other in this one invocation, each on its own fresh throwaway
# PostgreSQL server (initdb in /tmp, a free loopback port, the settings of bench/run.sh, fsync on, stopped and removed
# at the end), in this order:
#   1. import: `contacts-bench load` of the data set (bench/run.sh's generator and loader: `contacts migrate`, then the
#      code of `company create`, `key create` and `import` on one pool), timed end to end from the shell; then
#      VACUUM ANALYZE (as bench/run.sh does) and CHECKPOINT, not timed;
#   4. the change feed over HTTP (`contacts serve`, Release, Api:MaxLimit=1000, rate limits off): keys made with
#      `contacts key create`; the first small company's feed walked to its end, then 500 sequential idle polls with its
#      end cursor; the big company's feed walked from no cursor at limit=1000 (then 500 idle polls there too); the
#      cross-company freshness probe: a psql session updates one contact of the big company and stays in its
#      transaction (pg_sleep(30)), then one contact of the small company is updated in autocommit, and the small
#      company's feed is polled from its end cursor every 100 ms until that contact comes (given up after 40 s);
#      the holding session is then cancelled;
#   3. single-row UPDATEs by another application: pgbench (prepared), `UPDATE contact SET first_name = ...,
#      updated_at = now() WHERE id = <random contact of the big company>`, --seconds at 1 client, then at 4;
#   2. COPY of the data set's contacts (1M for large, as CSV made once from the generated files) into the big company
#      by another application: `COPY contact (...) FROM STDIN (FORMAT csv)` through psql as the superuser, triggers on.
# (The writes come after the feed figures so that the feed is measured on the loaded data as bench/run.sh loads it;
# a CHECKPOINT precedes each timed write.)
# The service is stopped before the pgbench and COPY steps. Report: a markdown table on stdout and in
# bench/results/<date>-write-cost[-label].md; raw outputs in bench/out/<date>-write-cost[-label]/ (git-ignored).
# Needs root (PostgreSQL runs as the user postgres), psql, pgbench, python3, curl and PostgreSQL 15's initdb/pg_ctl.
set -euo pipefail

usage() { sed -n '4,5p' "$0" | sed 's/^# *//' >&2; exit 2; }
before=""; after=""; size=large; label=""; seconds=20; data=""
while [ $# -gt 0 ]; do
  case "$1" in
    --before) before="$2"; shift ;;
    --after) after="$2"; shift ;;
    --size) size="$2"; shift ;;
    --label) label="$2"; shift ;;
    --seconds) seconds="$2"; shift ;;
    --data) data="$2"; shift ;;
    -h|--help) usage ;;
    *) echo "unknown option $1" >&2; usage ;;
  esac
  shift
done
[ -n "$before$after" ] || usage
case "$size" in tiny|small|medium|large) ;; *) echo "--size: tiny|small|medium|large" >&2; exit 2 ;; esac

root="$(cd "$(dirname "$0")/.." && pwd)"
log() { echo "[write-cost $(date -u +%H:%M:%S)] $*" >&2; }
for tool in psql pgbench python3 curl runuser; do command -v $tool >/dev/null || { echo "needs $tool" >&2; exit 2; }; done
[ "$(id -u)" = 0 ] || { echo "run as root: PostgreSQL is started as the user postgres" >&2; exit 2; }
pgbin=$(dirname "$(readlink -f "$(command -v pg_ctl 2>/dev/null || ls /usr/lib/postgresql/*/bin/pg_ctl | sort -V | tail -1)")")
py=(python3 "$root/bench/write-cost.py")

builds=(); dirs=()
if [ -n "$before" ]; then builds+=(before); dirs+=("$(cd "$before" && pwd)"); fi
if [ -n "$after" ]; then builds+=(after); dirs+=("$(cd "$after" && pwd)"); fi

date=$(date -u +%Y-%m-%d)
name="$date-write-cost${label:+-$label}"
run="$root/bench/out/$name"
rm -rf "$run"; mkdir -p "$run" "$root/bench/results"
uptime_start=$(uptime)
log "uptime at start: $uptime_start"

# What is running now, cleaned up on any exit.
pg_dir=""; service_pid=""; holder_pid=""
as_postgres() { runuser -u postgres -- "$@"; }
stop_pg() { if [ -n "$pg_dir" ] && [ -f "$pg_dir/data/postmaster.pid" ]; then as_postgres "$pgbin/pg_ctl" -D "$pg_dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi; [ -n "$pg_dir" ] && rm -rf "$pg_dir"; pg_dir=""; }
stop_service() { if [ -n "$service_pid" ]; then kill "$service_pid" 2>/dev/null || true; wait "$service_pid" 2>/dev/null || true; service_pid=""; fi; }
cleanup() {
  if [ -n "$holder_pid" ]; then kill "$holder_pid" 2>/dev/null || true; fi
  stop_service; stop_pg
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.2f}')" "$1" "$(now)"; }
json() { python3 -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }

# Builds first, all of them, so that no build runs during a measurement.
declare -A commit
for i in "${!builds[@]}"; do
  b=${builds[$i]}; d=${dirs[$i]}
  commit[$b]="$(git -C "$d" rev-parse --short HEAD)$(git -C "$d" diff --quiet HEAD -- src bench/Contacts.Bench || echo '+changes')"
  log "building $b: $d (${commit[$b]})"
  dotnet build -c Release -v q -nologo "$d/src/Contacts" >"$run/build-$b.log" 2>&1 || { cat "$run/build-$b.log" >&2; exit 1; }
  dotnet build -c Release -v q -nologo "$d/bench/Contacts.Bench" >>"$run/build-$b.log" 2>&1 || { cat "$run/build-$b.log" >&2; exit 1; }
done

# The data set, once, with the first build's generator (deterministic: the same files from any build that has not
# changed ContactGenerator), and the COPY file made from it.
data="${data:-$root/bench/data/$size}"
dotnet "${dirs[0]}/bench/Contacts.Bench/bin/Release/net10.0/contacts-bench.dll" generate "$size" "$data" >&2
csv="$data/write-cost-copy.csv"
if [ ! -f "$csv" ] || [ "$csv" -ot "$data/manifest.json" ]; then log "writing $csv"; "${py[@]}" csv "$data" "$csv" >&2; fi
csv_rows=$(wc -l <"$csv")
big_name=$(python3 -c "import json,sys; print(next(c['name'] for c in json.load(open(sys.argv[1]))['companies'] if c['role'] == 'big'))" "$data/manifest.json")
small_name=$(python3 -c "import json,sys; print(next(c['name'] for c in json.load(open(sys.argv[1]))['companies'] if c['role'] == 'small'))" "$data/manifest.json")

# bench/run.sh's settings for this machine (2 cores, 24 GB RAM, SSD); fsync on.
pg_settings="shared_buffers=4GB effective_cache_size=16GB work_mem=32MB maintenance_work_mem=1GB max_connections=100 \
max_wal_size=8GB checkpoint_timeout=30min random_page_cost=1.1 effective_io_concurrency=200 jit=off"

measure() { # $1 = before|after, $2 = checkout
  local b=$1 d=$2 out="$run/$1"
  mkdir -p "$out"
  local contacts=(dotnet "$d/src/Contacts/bin/Release/net10.0/contacts.dll")
  local bench=(dotnet "$d/bench/Contacts.Bench/bin/Release/net10.0/contacts-bench.dll")
  local r="$out/results.env"
  : >"$r"
  put() { echo "$1=$2" >>"$r"; }
  put commit "${commit[$b]}"; put checkout "$d"
  put load_start "$(cut -d' ' -f1-3 /proc/loadavg)"

  pg_dir=$(mktemp -d /tmp/contacts-write-cost.XXXXXX); chmod 755 "$pg_dir"; chown postgres "$pg_dir"
  as_postgres "$pgbin/initdb" -D "$pg_dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  local port; port=$(free_port)
  local opts="-p $port -k $pg_dir -c listen_addresses=127.0.0.1"
  for s in $pg_settings; do opts="$opts -c $s"; done
  as_postgres "$pgbin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/pg.log" -w -t 60 -o "$opts" start >/dev/null
  local psql=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres)
  "${psql[@]}" -d postgres -c "CREATE DATABASE contacts"
  local conn="Host=127.0.0.1;Port=$port;Username=postgres;Database=contacts"
  local q=("${psql[@]}" -d contacts -At)
  log "$b: PostgreSQL $("$pgbin/postgres" --version | awk '{print $3}') on port $port ($pg_dir)"

  # 1. The import, end to end (process start, migrations, companies, keys, imports).
  log "$b: 1. import of $size"
  local t; t=$(now)
  "${bench[@]}" load "$data" postgres "$conn" >"$out/load.log" 2>&1 || { cat "$out/load.log" >&2; exit 1; }
  put import_seconds "$(elapsed "$t")"
  cp "$data/import-postgres.json" "$out/import.json"; cp "$data/keys-postgres.tsv" "$out/keys.tsv"
  put import_loader_seconds "$(json "$out/import.json" wall_seconds)"
  put import_big_seconds "$(json "$out/import.json" big_seconds)"
  put import_big_rows "$(json "$out/import.json" big_rows)"
  t=$(now); "${q[@]}" -c "VACUUM ANALYZE"; put vacuum_seconds "$(elapsed "$t")"
  "${q[@]}" -c "CHECKPOINT"
  put contacts "$("${q[@]}" -c "SELECT count(*) FROM contact")"
  put db_mb "$("${q[@]}" -c "SELECT pg_database_size('contacts') / 1048576")"
  put change_mb "$("${q[@]}" -c "SELECT coalesce(pg_total_relation_size(to_regclass('contact_change')), 0) / 1048576")"
  local big small big_contacts small_contacts
  big=$("${q[@]}" -c "SELECT id FROM company WHERE name = '$big_name'")
  small=$("${q[@]}" -c "SELECT id FROM company WHERE name = '$small_name'")
  big_contacts=$("${q[@]}" -c "SELECT count(*) FROM contact WHERE company_id = $big")
  small_contacts=$("${q[@]}" -c "SELECT count(*) FROM contact WHERE company_id = $small")
  put big_contacts "$big_contacts"; put small_contacts "$small_contacts"

  # 4. The change feed through HTTP.
  local common=(--provider postgres --connection-string "$conn" --json)
  local big_key small_key
  big_key=$("${contacts[@]}" key create --company "$big" --name write-cost "${common[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  small_key=$("${contacts[@]}" key create --company "$small" --name write-cost "${common[@]}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
  local sport; sport=$(free_port); local url="http://127.0.0.1:$sport"
  "${contacts[@]}" serve --provider postgres --connection-string "$conn" --urls "$url" \
    --Logging:LogLevel:Default=Warning --RateLimits:Enabled=false --Api:MaxLimit=1000 >"$out/service.log" 2>&1 &
  service_pid=$!
  for i in $(seq 300); do
    curl -fs -o /dev/null -H "Authorization: Bearer $small_key" "$url/api/v1/contacts" && break
    if ! kill -0 "$service_pid" 2>/dev/null || [ "$i" = 300 ]; then log "the service did not start:"; cat "$out/service.log" >&2; exit 1; fi
    sleep 0.3
  done
  log "$b: 4a. small company ($small_contacts contacts): walk to the end, 500 idle polls"
  "${py[@]}" walk "$url" "$small_key" 1000 "$small_contacts" >"$out/walk-small.json"
  local small_cursor; small_cursor=$(json "$out/walk-small.json" cursor)
  "${py[@]}" idle "$url" "$small_key" "$small_cursor" 500 >"$out/idle-small.json"
  log "$b: 4b. big company ($big_contacts contacts): walk from no cursor at limit 1000, 500 idle polls"
  "${py[@]}" walk "$url" "$big_key" 1000 "$big_contacts" >"$out/walk-big.json"
  "${py[@]}" idle "$url" "$big_key" "$(json "$out/walk-big.json" cursor)" 500 >"$out/idle-big.json"

  log "$b: 4c. freshness: a small company's change while a big company's transaction stays open"
  local big_contact small_contact
  big_contact=$("${q[@]}" -c "SELECT min(id) FROM contact WHERE company_id = $big")
  small_contact=$("${q[@]}" -c "SELECT min(id) FROM contact WHERE company_id = $small")
  PGAPPNAME=write-cost-holder "${psql[@]}" -d contacts -c "BEGIN" \
    -c "UPDATE contact SET updated_at = now() WHERE id = $big_contact" -c "SELECT pg_sleep(30)" -c "COMMIT" \
    >"$out/holder.log" 2>&1 &
  holder_pid=$!
  for i in $(seq 100); do
    [ "$("${q[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'write-cost-holder' AND state = 'active' AND query LIKE '%pg_sleep%' AND backend_xid IS NOT NULL")" = 1 ] && break
    [ "$i" = 100 ] && { log "the holding transaction did not start"; cat "$out/holder.log" >&2; exit 1; }
    sleep 0.1
  done
  "${py[@]}" freshness "$url" "$small_key" "$small_cursor" "$small_contact" 40 -- \
    "${q[@]}" -c "UPDATE contact SET updated_at = clock_timestamp() WHERE id = $small_contact" >"$out/freshness.json"
  put holder_open_at_answer "$("${q[@]}" -c "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'write-cost-holder'")"
  "${q[@]}" -c "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = 'write-cost-holder'" >/dev/null
  wait "$holder_pid" 2>/dev/null || true; holder_pid=""
  stop_service
  for f in walk-small walk-big idle-small idle-big freshness; do put "$f" "$(cat "$out/$f.json")"; done

  # 3. Single-row UPDATEs by another application (pgbench, the superuser, prepared statements).
  "${q[@]}" -c "CREATE SCHEMA write_cost" \
    -c "CREATE TABLE write_cost.big_ids AS SELECT row_number() OVER (ORDER BY id) AS n, id FROM contact WHERE company_id = $big" \
    -c "ALTER TABLE write_cost.big_ids ADD PRIMARY KEY (n)" -c "ANALYZE write_cost.big_ids"
  cat >"$out/update.sql" <<EOF
\set n random(1, $big_contacts)
UPDATE contact SET first_name = 'wc-' || CAST(:n AS text), updated_at = now() WHERE id = (SELECT id FROM write_cost.big_ids WHERE n = :n);
EOF
  for clients in 1 4; do
    log "$b: 3. pgbench UPDATE, $clients client(s), ${seconds}s"
    "${q[@]}" -c "CHECKPOINT"
    mkdir -p "$out/pgbench-$clients"
    (cd "$out/pgbench-$clients" && pgbench -h 127.0.0.1 -p "$port" -U postgres -n -M prepared -c $clients -j $((clients < 2 ? 1 : 2)) \
      -T "$seconds" -r --log --log-prefix=tx -f "$out/update.sql" contacts >"$out/pgbench-$clients.txt" 2>&1) \
      || { cat "$out/pgbench-$clients.txt" >&2; exit 1; }
    put "update${clients}_tps" "$(grep -oP 'tps = \K[0-9.]+(?= \(without initial connection time\))' "$out/pgbench-$clients.txt")"
    "${py[@]}" pgbench-log "$out/pgbench-$clients/tx.*" >"$out/pgbench-$clients.json"
    put "update${clients}" "$(cat "$out/pgbench-$clients.json")"
  done

  # 2. COPY by another application into the big company, triggers on.
  log "$b: 2. COPY of $csv_rows rows into the big company"
  "${q[@]}" -c "CHECKPOINT"
  local before_rows; before_rows=$("${q[@]}" -c "SELECT count(*) FROM contact WHERE company_id = $big")
  t=$(now)
  sed "s/^/$big,/" "$csv" | "${q[@]}" -c "COPY contact (company_id, first_name, last_name, email, phone_number, phone_number_lid, profile_picture, created_at, updated_at) FROM STDIN (FORMAT csv)"
  put copy_seconds "$(elapsed "$t")"
  put copy_rows "$(( $("${q[@]}" -c "SELECT count(*) FROM contact WHERE company_id = $big") - before_rows ))"
  put copy_change_rows "$("${q[@]}" -c "SELECT count(*) FROM contact_change WHERE company_id = $big")"

  put load_end "$(cut -d' ' -f1-3 /proc/loadavg)"
  cp "$pg_dir/pg.log" "$out/postgres.log"
  stop_pg
  log "$b: done"
}

for i in "${!builds[@]}"; do measure "${builds[$i]}" "${dirs[$i]}"; done
uptime_end=$(uptime)
log "uptime at end: $uptime_end"

# The report: one column per build.
report="$root/bench/results/$name.md"
python3 - "$run" "$report" "$size" "$seconds" "$csv_rows" "$uptime_start" "$uptime_end" "$pg_settings" \
  "$("$pgbin/postgres" --version | awk '{print $3}')" "${builds[@]}" <<'EOF'
import json, os, sys
run, report, size, seconds, csv_rows, up_start, up_end, pg_settings, pgv, *builds = sys.argv[1:]
res = {}
for b in builds:
    d = {}
    for line in open(os.path.join(run, b, "results.env"), encoding="utf-8"):
        k, _, v = line.rstrip("\n").partition("=")
        d[k] = json.loads(v) if v.startswith("{") else v
    res[b] = d
f = lambda v, n=2: f"{float(v):,.{n}f}"
def row(label, fn):
    cells = []
    for b in builds:
        try:
            cells.append(fn(res[b]))
        except (KeyError, TypeError, ValueError):
            cells.append("–")
    return f"| {label} | " + " | ".join(cells) + " |"
def fresh(r):
    x = r["freshness"]
    return (f"{x['seconds']:.2f} s ({x['polls']} polls)" if x["seen"] else f"not within {x['seconds']:.0f} s ({x['polls']} polls)") + \
        ("; the other transaction still open" if r.get("holder_open_at_answer") == "1" else "; after the other transaction ended")
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
md = []
md.append(f"# Write cost, {size} ({', '.join(builds)})\n")
md.append(f"`bench/write-cost.sh` (issue 18, item 5), run {os.path.basename(run)[:10]}. Each build on its own fresh PostgreSQL {pgv} "
          f"server, one after the other in one invocation. Machine: {os.cpu_count()} cores ({cpu}), {mem:.0f} GiB RAM.\n")
md.append("| | " + " | ".join(f"{b} `{res[b]['commit']}`" for b in builds) + " |")
md.append("|---|" + "---:|" * len(builds))
md.append(row(f"1. import of `{size}`, end to end (s; target ≤ 90)", lambda r: f(r["import_seconds"], 1)))
md.append(row("&nbsp;&nbsp;loader's own wall (s) · big company's file alone (s)", lambda r: f"{f(r['import_loader_seconds'], 1)} · {f(r['import_big_seconds'], 1)} ({int(r['import_big_rows']):,} rows)"))
md.append(row("&nbsp;&nbsp;contacts · database MB · contact_change MB after import", lambda r: f"{int(r['contacts']):,} · {int(r['db_mb']):,} · {int(r['change_mb']):,}"))
md.append(row(f"2. COPY of {int(csv_rows):,} rows into the big company (s)", lambda r: f"{f(r['copy_seconds'], 1)} ({int(r['copy_rows']) / float(r['copy_seconds']):,.0f} rows/s)"))
for c in ("1", "4"):
    md.append(row(f"3. single-row UPDATE, {c} client{'s' if c != '1' else ''}: tps · mean ms · p99 ms",
                  lambda r, c=c: f"{f(r[f'update{c}_tps'], 0)} · {r[f'update{c}']['mean_ms']:.2f} · {r[f'update{c}']['p99_ms']:.2f}"))
md.append(row("4a. idle poll, small company: mean ms · p99 ms (500 polls)", lambda r: f"{r['idle-small']['mean_ms']:.2f} · {r['idle-small']['p99_ms']:.2f}"))
md.append(row("&nbsp;&nbsp;&nbsp;idle poll, big company: mean ms · p99 ms (500 polls)", lambda r: f"{r['idle-big']['mean_ms']:.2f} · {r['idle-big']['p99_ms']:.2f}"))
md.append(row("4b. big company's feed walk, limit 1000: s · pages · ms per page (p99)",
              lambda r: f"{r['walk-big']['seconds']:.1f} · {r['walk-big']['pages']} · {r['walk-big']['page_ms_mean']:.1f} ({r['walk-big']['page_ms_p99']:.1f})"))
md.append(row("4c. cross-company freshness: small company's change seen after", fresh))
md.append(row("load average (1/5/15 min) at this build's start → end", lambda r: f"{r['load_start']} → {r['load_end']}"))
md.append("")
md.append(f"- **Machine load**: `uptime` at the start: `{up_start.strip()}`; at the end: `{up_end.strip()}`. Other work on the "
          "machine shares its 2 cores, and every figure here is one run: read a few percent either way as noise.")
md.append(f"- **PostgreSQL**: {pg_settings}, fsync on; initdb per build (C.UTF-8, UTF8), its folder removed afterwards.")
md.append(f"- **1. Import**: `contacts-bench load` (bench/run.sh's loader: `contacts migrate`, then the code of `company create`, "
          "`key create` and `import` in-process on one connection pool, two companies per core at a time), timed from the shell "
          "(process start included); then `VACUUM ANALYZE` and `CHECKPOINT`, not timed.")
md.append(f"- **4. Change feed** (measured next, on the loaded data): `contacts serve` in Release on loopback, "
          "`--Api:MaxLimit=1000 --RateLimits:Enabled=false`, keys from `contacts key create`; one keep-alive HTTP connection "
          "from Python's http.client, times around each request. (a) the first small company walked to its end, then 500 "
          "sequential polls with its end cursor (default limit, all empty); the same on the big company after (b). (b) the "
          "big company's feed from no cursor, limit=1000, to `has_more: false`. (c) a psql session `BEGIN; UPDATE` one "
          "contact of the big company; `SELECT pg_sleep(30)` (open); then an autocommit `UPDATE` of one contact of the "
          "small company; the figure is from that UPDATE's return to the first poll (every 100 ms, from the small "
          "company's end cursor) whose page has that contact; given up after 40 s. The holding session is cancelled after.")
md.append(f"- **3. UPDATEs**: after the service stopped; `pgbench -M prepared -T {seconds}` at 1 client and at 4 (2 threads), the superuser, "
          "`UPDATE contact SET first_name = 'wc-' || n, updated_at = now() WHERE id = (SELECT id FROM write_cost.big_ids WHERE n = :n)` "
          "with n random over the big company's contacts (`write_cost.big_ids`: a lookup table made by the script). Latency from `--log` "
          "(per transaction); `CHECKPOINT` before each run.")
md.append(f"- **2. COPY**: last, `CHECKPOINT` first; the data set's contacts as CSV (made once from the generated JSONL files: names, "
          "email, phones, LID, picture, timestamps; no ids, no tags) piped through `sed` (the big company's id) into "
          "`psql -c 'COPY contact (company_id, …) FROM STDIN (FORMAT csv)'` as the superuser: every trigger and index of the "
          "migrated schema on. Timed from the shell around the pipe.")
md.append(f"\nRaw outputs (results.env, loader log, walk/idle/freshness JSON, pgbench output and logs, PostgreSQL's log) were written to "
          f"`bench/out/{os.path.basename(run)}/` on the machine that ran it; they are not committed.")
text = "\n".join(md) + "\n"
open(report, "w", encoding="utf-8").write(text)
print(text)
EOF
log "report: $report"
