#!/usr/bin/env bash
# Peak memory of `contacts import` (issue 20, item 5): not in CI.
#
#   bench/import-memory.sh [--size MB] [--format jsonl|csv] [--runs valid,invalid,invalid-skip] [--checkout DIR]
#                          [--postgres CONNECTION_STRING] [--out DIR]
#
# Generates files of --size MB (default 2048) and --format (default jsonl) into bench/data/import-memory/
# (git-ignored; streamed, kept for the next run): `valid` has distinct contacts (email, phone, names in several
# scripts, a picture URL, 0-2 of 50 tags; ~230 bytes a row as JSON, ~130 as CSV); `invalid` has short rows whose email
# is not an email (~32 bytes a row as JSON, like the issue's 3.28M invalid rows in 50 MB). Each run imports one file into a new company of a fresh SQLite file in a temp folder (or the given
# PostgreSQL database) with the Release build of DIR (default: this checkout), under /usr/bin/time -v, while VmRSS is
# sampled every second:
#   valid         the valid file (everything inserted, one transaction)
#   invalid       the invalid file without --skip-invalid (every row refused, exit 2)
#   invalid-skip  the invalid file with --skip-invalid (exit 0, nothing to insert)
# Output in DIR (default bench/out/import-memory-<date>-<size>MB): <run>.time (time -v), <run>.rss.csv (seconds,
# rss_mb), <run>.stdout/.stderr, summary.md (also printed): peak RSS, wall time, rows per second, RSS at 10/50/90 %
# of the run, exit code and the import's summary line; rss.svg: each run's RSS over its wall time.
set -euo pipefail

size=2048; format=jsonl; runs="valid,invalid,invalid-skip"; checkout=""; connection=""; out=""
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size="$2"; shift ;;
    --format) format="$2"; shift ;;
    --runs) runs="$2"; shift ;;
    --checkout) checkout="$2"; shift ;;
    --postgres) connection="$2"; shift ;;
    --out) out="$2"; shift ;;
    *) echo "usage: bench/import-memory.sh [--size MB] [--format jsonl|csv] [--runs valid,invalid,invalid-skip] [--checkout DIR] [--postgres CONNECTION_STRING] [--out DIR]" >&2; exit 2 ;;
  esac
  shift
done

root="$(cd "$(dirname "$0")/.." && pwd)"
checkout="$(cd "${checkout:-$root}" && pwd)"
log() { echo "[import-memory $(date -u +%H:%M:%S)] $*" >&2; }
[ -x /usr/bin/time ] || { log "installing time"; apt-get install -y time >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y time >/dev/null; }; }

log "building $checkout (Release)"
dotnet build -c Release -v q -nologo "$checkout/src/Contacts" >/dev/null
contacts="$checkout/src/Contacts/bin/Release/net10.0/contacts"

data="$root/bench/data/import-memory"
mkdir -p "$data"
generate() { # kind file
  [ -s "$2" ] && return
  log "generating $2 ($size MB)"
  python3 - "$1" "$2.tmp" "$size" "$format" <<'PY'
import sys, random
kind, path, size, fmt = sys.argv[1], sys.argv[2], int(sys.argv[3]) * 1024 * 1024, sys.argv[4]
rnd = random.Random(20)
firsts = ["Jane", "José", "Élodie", "Søren", "Иван", "Мария", "Γιώργος", "محمد", "さくら", "Zoë", "Ngọc", "Ali"]
lasts = ["Doe", "Álvarez", "Kowalczyk", "Straße", "Петров", "Παπαδόπουλος", "أحمد", "佐藤", "O'Brien", "Nguyễn"]
tags = [f"Tag {i}" for i in range(50)]
written = 0
with open(path, "w", encoding="utf-8", buffering=1 << 20) as f:
    n = 0
    if fmt == "csv":
        f.write("first_name,last_name,email,phone_number,profile_picture,created_at,tags\n")
    while written < size:
        n += 1
        if fmt == "csv" and kind == "valid":
            t = ";".join(tags[rnd.randrange(50)] for _ in range(rnd.randrange(3)))
            line = (f'{firsts[n % 12]},"{lasts[n % 10]}",user{n}@import-memory.test,+1 555 {n:09d},'
                    f'https://cdn.example.com/a/{n}.jpg,2025-0{1 + n % 9}-1{n % 10}T10:00:00.000Z,{t}\n')
        elif fmt == "csv":
            line = f',,not an email {n},,,,\n'
        elif kind == "valid":
            t = ",".join(f'"{tags[rnd.randrange(50)]}"' for _ in range(rnd.randrange(3)))
            line = (f'{{"first_name":"{firsts[n % 12]}","last_name":"{lasts[n % 10]}","email":"user{n}@import-memory.test",'
                    f'"phone_number":"+1 555 {n:09d}","profile_picture":"https://cdn.example.com/a/{n}.jpg",'
                    f'"created_at":"2025-0{1 + n % 9}-1{n % 10}T10:00:00.000Z","tags":[{t}]}}\n')
        else:
            line = f'{{"email":"not an email {n}"}}\n'
        f.write(line)
        written += len(line.encode("utf-8"))
print(n)
PY
  mv "$2.tmp" "$2"
}

out="${out:-$root/bench/out/import-memory-$(date -u +%Y-%m-%d-%H%M)-${size}MB-$format}"
mkdir -p "$out"
tmp=$(mktemp -d /tmp/contacts-import-memory.XXXXXX)
sampler=""
cleanup() { [ -n "$sampler" ] && kill "$sampler" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT

for run in ${runs//,/ }; do
  case "$run" in
    valid) file="$data/valid-${size}MB.$format"; kind=valid; extra=() ;;
    invalid) file="$data/invalid-${size}MB.$format"; kind=invalid; extra=() ;;
    invalid-skip) file="$data/invalid-${size}MB.$format"; kind=invalid; extra=(--skip-invalid) ;;
    *) log "unknown run $run"; exit 2 ;;
  esac
  generate "$kind" "$file"
  if [ -n "$connection" ]; then db=(--provider postgres --connection-string "$connection")
  else rm -f "$tmp"/contacts.db*; db=(--provider sqlite --connection-string "Data Source=$tmp/contacts.db"); fi
  "$contacts" "${db[@]}" migrate >/dev/null
  company=$("$contacts" "${db[@]}" company create --name "import-memory $run $(date +%s)" --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  log "$run: importing $(basename "$file") ($(du -m "$file" | cut -f1) MB) into company $company"
  TMPDIR="$tmp" /usr/bin/time -v -o "$out/$run.time" "$contacts" "${db[@]}" import --company "$company" "$file" "${extra[@]}" \
    >"$out/$run.stdout" 2>"$out/$run.stderr" &
  timer=$!
  echo "seconds,rss_mb" > "$out/$run.rss.csv"
  (
    t0=$(date +%s)
    while kill -0 "$timer" 2>/dev/null; do
      pid=$(pgrep -P "$timer" | head -1 || true)
      rss=$( [ -n "$pid" ] && awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$pid/status" 2>/dev/null || true)
      [ -n "$rss" ] && echo "$(( $(date +%s) - t0 )),$rss" >> "$out/$run.rss.csv"
      sleep 1
    done
  ) &
  sampler=$!
  wait "$timer" || true
  wait "$sampler" 2>/dev/null || true
  sampler=""
  log "$run: $(grep -E 'Maximum resident|Elapsed|Exit status' "$out/$run.time" | tr -s ' \t' ' ' | paste -sd ';')"
done

python3 - "$out" "$runs" "$size" "$data" "$checkout" "${connection:+PostgreSQL}" "$format" <<'PY' | tee "$out/summary.md"
import csv, os, re, sys
out, runs, size, data, checkout, provider, fmt = sys.argv[1], sys.argv[2].split(","), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6], sys.argv[7]
print(f"| run | file | rows | exit | peak RSS (MB) | RSS at 10 / 50 / 90 % of the run (MB) | wall (s) | rows/s | summary |")
print("|---|---|---:|---:|---:|---|---:|---:|---|")
for run in runs:
    t = open(f"{out}/{run}.time").read()
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", t).group(1)) / 1024
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([\d:.]+)", t).group(1)
    seconds = sum(float(p) * 60 ** i for i, p in enumerate(reversed(wall.split(":"))))
    status = re.search(r"Exit status: (\d+)", t).group(1)
    kind = "valid" if run == "valid" else "invalid"
    path = f"{data}/{kind}-{size}MB.{fmt}"
    with open(path, "rb") as f: rows = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 24), b"")) - (fmt == "csv")
    rss = [float(r["rss_mb"]) for r in csv.DictReader(open(f"{out}/{run}.rss.csv"))]
    at = " / ".join(f"{rss[min(len(rss) - 1, int(len(rss) * q))]:.0f}" for q in (0.1, 0.5, 0.9)) if rss else "-"
    lines = (open(f"{out}/{run}.stdout").read() + open(f"{out}/{run}.stderr").read()).splitlines()
    summary = next((l for l in reversed(lines) if l.startswith(("Imported", "error:", "{"))), "")[:120].replace("|", "\\|")
    print(f"| {run} | {os.path.basename(path)} ({os.path.getsize(path) / 1048576:,.0f} MiB) | {rows:,} | {status} | {peak:,.0f} | {at} | {seconds:,.0f} | {rows / seconds:,.0f} | {summary} |")
print()
print(f"Build: {checkout}; {provider or 'SQLite in a temp folder'}; RSS sampled every second in {out}/*.rss.csv; curves in {out}/rss.svg.")

# RSS over each run, on a common axis of percent of the run's wall time (runs last from seconds to hours)
curves = {run: [(int(r["seconds"]), float(r["rss_mb"])) for r in csv.DictReader(open(f"{out}/{run}.rss.csv"))] for run in runs}
top = max([m for c in curves.values() for _, m in c] + [100]) * 1.4
w, h, left, right, bottom = 720, 300, 50, 30, 30
colors = ["#1156d6", "#d61156", "#11a656", "#a66e11"]
svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" font-family="sans-serif" font-size="11">',
       f'<rect width="{w}" height="{h}" fill="white"/>']
for mb in range(0, int(top) + 1, 50 if top < 600 else 250):
    y = h - bottom - (h - bottom - 10) * mb / top
    svg.append(f'<line x1="{left}" x2="{w - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{mb}</text>')
for pct in range(0, 101, 25):
    x = left + (w - left - right) * pct / 100
    svg.append(f'<text x="{x:.1f}" y="{h - bottom + 16}" text-anchor="middle">{pct} %</text>')
svg.append(f'<text x="12" y="14">RSS (MB) of contacts import over the run ({size} MB {fmt} files)</text>')
for i, (run, c) in enumerate(curves.items()):
    if not c: continue
    span = max(c[-1][0], 1)
    pts = " ".join(f"{left + (w - left - right) * t / span:.1f},{h - bottom - (h - bottom - 10) * m / top:.1f}" for t, m in c)
    svg.append(f'<polyline fill="none" stroke="{colors[i % 4]}" stroke-width="1.5" points="{pts}"/>')
    svg.append(f'<text x="{left + 10}" y="{32 + 14 * i}" fill="{colors[i % 4]}">{run}: {c[-1][0]:,} s, highest sample {max(m for _, m in c):.0f} MB</text>')
svg.append("</svg>")
open(f"{out}/rss.svg", "w").write("\n".join(svg))
PY
