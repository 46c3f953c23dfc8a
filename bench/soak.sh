#!/usr/bin/env bash
# Soak test (not in CI): the service under wrk for a long time on the medium dataset (100,000 contacts), with an
# import into another company running in a second process for part of it.
#
#   bench/soak.sh [--duration SECONDS] [--connections N] [--window SECONDS] [--postgres CONNECTION_STRING] [--out DIR]
#
# Defaults: 600 s, 64 connections, a fresh SQLite file. One wrk run (connections stay open); its Lua script counts
# responses and 5xx/4xx per 10-s window (throughput over time); the service's RSS is sampled every 5 s.
# Output in DIR (default bench/out/soak-<date>-<provider>): windows.csv, rss.csv, soak.svg (RSS and throughput
# curves), summary.md (also printed). Exits 1 if any 5xx or socket error was seen. The per-key rate limit is switched
# off (--RateLimits:Enabled=false): one key at full speed is the point here. Extra service settings go in
# SOAK_SERVICE_ARGS (e.g. SOAK_SERVICE_ARGS=--RateLimits:Enabled=true to soak with the limiter on).
set -euo pipefail

duration=600; connections=64; window=10; provider=sqlite; connection=""; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --duration) duration="$2"; shift ;;
    --connections) connections="$2"; shift ;;
    --window) window="$2"; shift ;;
    --postgres) provider=postgres; connection="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: bench/soak.sh [--duration S] [--connections N] [--window S] [--postgres CONNECTION_STRING] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
log() { echo "[soak $(date -u +%H:%M:%S)] $*" >&2; }

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y wrk >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }; }
command -v python3 >/dev/null || { log "installing python3"; apt-get install -y python3 >/dev/null; }

log "building (Release)"
dotnet build -c Release -v q -nologo src/Contacts >/dev/null
dotnet build -c Release -v q -nologo bench/soak/SoakData >/dev/null
contacts=(dotnet "$root/src/Contacts/bin/Release/net10.0/contacts.dll")
soakdata=(dotnet "$root/bench/soak/SoakData/bin/Release/net10.0/soak-data.dll")

# medium: 100,000 contacts served; a second file of 50,000 imported while serving. Generated once, deterministic.
data="$root/bench/data/soak"
mkdir -p "$data"
if [ ! -s "$data/terms.txt" ]; then
  log "generating data"
  "${soakdata[@]}" "$data/medium.jsonl" 100000 1 > "$data/terms.txt.tmp"
  "${soakdata[@]}" "$data/import.jsonl" 50000 2 > /dev/null
  mv "$data/terms.txt.tmp" "$data/terms.txt"
fi

out="${out:-$root/bench/out/soak-$(date -u +%Y-%m-%d-%H%M)-$provider}"
mkdir -p "$out"
tmp=$(mktemp -d /tmp/contacts-soak.XXXXXX)
service_pid=""; sampler_pid=""; import_pid=""
cleanup() {
  for pid in "$sampler_pid" "$import_pid" "$service_pid"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

if [ "$provider" = sqlite ]; then connection="Data Source=$tmp/contacts.db"; fi
db=(--provider "$provider" --connection-string "$connection")
"${contacts[@]}" "${db[@]}" migrate >/dev/null
served=$("${contacts[@]}" "${db[@]}" company create --name "Soak medium" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
imported=$("${contacts[@]}" "${db[@]}" company create --name "Soak concurrent import" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
export SOAK_KEY
SOAK_KEY=$("${contacts[@]}" "${db[@]}" key create --company "$served" --name soak --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
log "loading 100,000 contacts into company $served"
start=$(date +%s.%N)
"${contacts[@]}" "${db[@]}" import --company "$served" "$data/medium.jsonl" 2>/dev/null >/dev/null
load_seconds=$(python3 -c "print(round($(date +%s.%N) - $start, 1))")

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
# shellcheck disable=SC2086 # SOAK_SERVICE_ARGS is a list of --Key=value settings
"${contacts[@]}" serve --urls="http://127.0.0.1:$port" --Database:Provider="$provider" "--ConnectionStrings:Contacts=$connection" \
  --Logging:LogLevel:Default=Warning --RateLimits:Enabled=false ${SOAK_SERVICE_ARGS:-} >"$out/service.log" 2>&1 &
service_pid=$!
for _ in $(seq 1 150); do (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.2; done
log "service pid $service_pid on port $port"

# RSS every 5 s, from the kernel's own accounting of the service process
echo "seconds,rss_mb" > "$out/rss.csv"
t0=$(date +%s)
( while kill -0 "$service_pid" 2>/dev/null; do
    rss=$(awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$service_pid/status" 2>/dev/null || true)
    echo "$(( $(date +%s) - t0 )),${rss:-0}" >> "$out/rss.csv"
    sleep 5
  done ) &
sampler_pid=$!

# the concurrent import starts a third of the way in and runs for as long as it takes
import_at=$(( duration / 3 ))
( sleep "$import_at"
  s=$(date +%s)
  if "${contacts[@]}" "${db[@]}" import --company "$imported" "$data/import.jsonl" --json >"$tmp/import.json" 2>"$tmp/import.err"; then status=ok; else status=failed; fi
  echo "$(( s - t0 )) $(( $(date +%s) - t0 )) $status" > "$tmp/import.times" ) &
import_pid=$!

export SOAK_TERMS="$data/terms.txt" SOAK_PAGES=5000 SOAK_WINDOW="$window"
log "wrk: $connections connections for $duration s"
# one run, so the connections stay open all along; the Lua script counts responses per window
wrk -t2 -c"$connections" -d"${duration}s" --timeout 10s -s bench/soak/soak.lua "http://127.0.0.1:$port" > "$out/wrk.txt"
echo "window_end_s,responses,rps,5xx,4xx" > "$out/windows.csv"
awk -v w="$window" '$1 == "WINDOW" { printf "%d,%d,%.1f,%d,%d\n", $2, $3, $3 / w, $4, $5 }' "$out/wrk.txt" >> "$out/windows.csv"
total=$(grep '^TOTAL ' "$out/wrk.txt" || echo "TOTAL 0 0 0 0 0 0 0 0 0 0 0 0")
wait "$import_pid" || true; import_pid=""
kill -0 "$service_pid" 2>/dev/null && service_alive=yes || service_alive=no
sleep 1; kill "$sampler_pid" 2>/dev/null || true; sampler_pid=""

import_times=$(cat "$tmp/import.times" 2>/dev/null || echo "- - not-run")
import_result=$(cat "$tmp/import.json" 2>/dev/null || true)
python3 - "$out" "$duration" "$connections" "$provider" "$load_seconds" "$import_times" "$service_alive" "$import_result" "$total" <<'PY'
import csv, json, sys
out, duration, connections, provider, load_s, import_times, alive, import_json, total_line = sys.argv[1:10]
(_, requests, seconds, e_connect, e_read, e_write, e_timeout, non2xx, p50, p90, p99, p999, lmax) = total_line.split()
windows = list(csv.DictReader(open(f"{out}/windows.csv")))
rss = [(int(r["seconds"]), float(r["rss_mb"])) for r in csv.DictReader(open(f"{out}/rss.csv")) if float(r["rss_mb"]) > 0]
imp_start, imp_end, imp_status = import_times.split()
total = int(requests)
e5 = sum(int(w["5xx"]) for w in windows)
e4 = sum(int(w["4xx"]) for w in windows)
sock = int(e_connect) + int(e_read) + int(e_write) + int(e_timeout)
# the last window is cut short by the end of the run
full = windows[:-1] if len(windows) > 1 else windows
rps = [float(w["rps"]) for w in full]
# warm-up: the first fifth of the run (JIT, pools, caches)
warm = [m for t, m in rss if t >= int(duration) / 5] or [m for _, m in rss]
inserted = json.loads(import_json).get("inserted", "?") if import_json.strip() else "?"
lines = [
    f"# Soak: {provider}, {connections} connections, {duration} s",
    "",
    f"- dataset: 100,000 contacts in the served company (loaded in {load_s} s); concurrent import of 50,000 contacts "
    f"into a second company from {imp_start} s to {imp_end} s ({imp_status}, {inserted} inserted)",
    f"- requests: {total:,} in {float(seconds):.0f} s ({total / max(float(seconds), 1):,.0f} req/s); 5xx: {e5}; 4xx: {e4}; "
    f"socket errors: {sock} (connect {e_connect}, read {e_read}, write {e_write}, timeout {e_timeout}); service alive at the end: {alive}",
    f"- latency over the run: p50 {p50} ms, p90 {p90} ms, p99 {p99} ms, p99.9 {p999} ms, max {lmax} ms",
    f"- throughput per {len(full)} full windows: min {min(rps):,.0f}, median {sorted(rps)[len(rps)//2]:,.0f}, max {max(rps):,.0f} req/s" if rps else "- no windows",
    f"- RSS: {rss[0][1]:.0f} MB at start, after warm-up min {min(warm):.0f} / max {max(warm):.0f} MB, {rss[-1][1]:.0f} MB at the end ({len(rss)} samples)" if rss else "- no RSS samples",
    "",
    "| window end (s) | req/s | 5xx | 4xx | RSS at window end (MB) |",
    "|---|---|---|---|---|",
] + [f"| {w['window_end_s']} | {float(w['rps']):,.0f} | {w['5xx']} | {w['4xx']} | "
     f"{next((m for t, m in reversed(rss) if t <= int(w['window_end_s'])), 0):.0f} |" for w in windows]
open(f"{out}/summary.md", "w").write("\n".join(lines) + "\n")
print("\n".join(lines))

# one SVG: RSS (MB, left axis) and throughput (req/s, right axis) over time, the import shaded
W, H, L, R, T, B = 760, 320, 60, 60, 30, 40
span = max([t for t, _ in rss] + [int(w["window_end_s"]) for w in windows] + [1])
mmax = max([m for _, m in rss] + [1]) * 1.2
rmax = max(rps + [1]) * 1.2
x = lambda t: L + (W - L - R) * t / span
ym = lambda m: H - B - (H - T - B) * m / mmax
yr = lambda r: H - B - (H - T - B) * r / rmax
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="11">',
       f'<rect width="{W}" height="{H}" fill="white"/>']
if imp_start != "-" and imp_end != "-":
    svg.append(f'<rect x="{x(int(imp_start)):.1f}" y="{T}" width="{max(1, x(int(imp_end)) - x(int(imp_start))):.1f}" height="{H-T-B}" fill="#f3e7c9"/>')
    svg.append(f'<text x="{x(int(imp_start)) + 4:.1f}" y="{T + 12}" fill="#8a6d1f">concurrent import</text>')
svg.append(f'<line x1="{L}" y1="{H-B}" x2="{W-R}" y2="{H-B}" stroke="#333"/><line x1="{L}" y1="{T}" x2="{L}" y2="{H-B}" stroke="#333"/><line x1="{W-R}" y1="{T}" x2="{W-R}" y2="{H-B}" stroke="#333"/>')
for i in range(5):
    f = i / 4
    svg.append(f'<text x="{L-6}" y="{ym(mmax*f)+4:.1f}" text-anchor="end" fill="#1156d6">{mmax*f:.0f}</text>')
    svg.append(f'<text x="{W-R+6}" y="{yr(rmax*f)+4:.1f}" fill="#c0392b">{rmax*f:.0f}</text>')
    svg.append(f'<text x="{x(span*f):.1f}" y="{H-B+16}" text-anchor="middle">{span*f:.0f} s</text>')
if rss:
    svg.append('<polyline fill="none" stroke="#1156d6" stroke-width="2" points="' + " ".join(f"{x(t):.1f},{ym(m):.1f}" for t, m in rss) + '"/>')
if windows:
    svg.append('<polyline fill="none" stroke="#c0392b" stroke-width="1.5" points="' + " ".join(f"{x(int(w['window_end_s'])):.1f},{yr(float(w['rps'])):.1f}" for w in windows) + '"/>')
svg.append(f'<text x="{L}" y="{T-10}" fill="#1156d6">RSS (MB)</text><text x="{W-R}" y="{T-10}" text-anchor="end" fill="#c0392b">throughput (req/s)</text>')
svg.append(f'<text x="{W/2}" y="{T-10}" text-anchor="middle">{provider}, {connections} connections, {e5} × 5xx, {sock} socket errors</text></svg>')
open(f"{out}/soak.svg", "w").write("\n".join(svg) + "\n")
PY
log "results in $out"
read -r _ _ _ ec er ew et _ <<<"$total"
[ "$service_alive" = yes ] && [ $((ec + er + ew + et)) -eq 0 ] && awk -F, 'NR > 1 { bad += $4 } END { exit bad > 0 }' "$out/windows.csv"
