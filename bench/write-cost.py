#!/usr/bin/env python3
"""Helpers of bench/write-cost.sh (standard library only, so that before and after are measured by the same code).

  write-cost.py csv DATA_DIR OUT.csv                   the data set's contacts as CSV for COPY (no header, no company_id)
  write-cost.py walk URL KEY LIMIT [EXPECTED]          walk a company's change feed from no cursor to has_more=false
  write-cost.py idle URL KEY CURSOR N                  N sequential polls with an end cursor (each must be empty)
  write-cost.py freshness URL KEY CURSOR ID GIVE_UP -- CMD...
                                                       run CMD (an autocommit UPDATE of contact ID), then poll from
                                                       CURSOR every 100 ms until the feed returns ID, or GIVE_UP s
  write-cost.py pgbench-log FILES...                   mean and p99 latency of pgbench --log files

Each measuring command prints one JSON object on stdout. HTTP is one keep-alive connection (http.client), as a sync
client would hold it; times are wall clock (time.perf_counter) around each request, response body read included.
"""
import csv
import glob
import http.client
import json
import math
import os
import subprocess
import sys
import time
import urllib.parse

CHANGES = "/api/v1/contacts/changes"
COLUMNS = ["first_name", "last_name", "email", "phone_number", "phone_number_lid", "profile_picture", "created_at", "updated_at"]


def percentile(values, p):
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


class Client:
    def __init__(self, url, key):
        u = urllib.parse.urlsplit(url)
        self.conn = http.client.HTTPConnection(u.hostname, u.port, timeout=60)
        self.headers = {"Authorization": "Bearer " + key, "Accept": "application/json"}

    def changes(self, cursor=None, limit=None):
        q = {}
        if cursor is not None:
            q["cursor"] = cursor
        if limit is not None:
            q["limit"] = str(limit)
        path = CHANGES + ("?" + urllib.parse.urlencode(q) if q else "")
        self.conn.request("GET", path, headers=self.headers)
        r = self.conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise SystemExit(f"GET {path}: {r.status} {body[:300]!r}")
        return json.loads(body)


def cmd_csv(data_dir, out):
    manifest = json.load(open(os.path.join(data_dir, "manifest.json"), encoding="utf-8"))
    rows = 0
    tmp = out + ".part"
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        for company in manifest["companies"]:
            with open(os.path.join(data_dir, company["file"]), encoding="utf-8") as src:
                for line in src:
                    rec = json.loads(line)
                    # None becomes an unquoted empty field: NULL for COPY ... (FORMAT csv).
                    w.writerow([rec.get(c) for c in COLUMNS])
                    rows += 1
    os.replace(tmp, out)
    print(json.dumps({"rows": rows, "file": out}))


def cmd_walk(url, key, limit, expected=None):
    c = Client(url, key)
    c.changes(limit=1)  # warm-up: connection, the service's first request on this key
    start = time.perf_counter()
    cursor, pages, changes, page_ms = None, 0, 0, []
    while True:
        t = time.perf_counter()
        page = c.changes(cursor, int(limit))
        page_ms.append((time.perf_counter() - t) * 1000)
        pages += 1
        changes += len(page["data"])
        cursor = page["next_cursor"]
        if not page["has_more"]:
            break
    seconds = time.perf_counter() - start
    if expected is not None and changes != int(expected):
        raise SystemExit(f"walk: {changes} changes for {expected} contacts")
    print(json.dumps({"pages": pages, "changes": changes, "seconds": round(seconds, 3),
                      "page_ms_mean": round(sum(page_ms) / len(page_ms), 2), "page_ms_p99": round(percentile(page_ms, 99), 2),
                      "cursor": cursor}))


def cmd_idle(url, key, cursor, n):
    c = Client(url, key)
    for _ in range(5):  # warm-up
        c.changes(cursor)
    ms = []
    for _ in range(int(n)):
        t = time.perf_counter()
        page = c.changes(cursor)
        ms.append((time.perf_counter() - t) * 1000)
        if page["data"]:
            raise SystemExit(f"idle poll returned {len(page['data'])} changes")
    print(json.dumps({"polls": len(ms), "mean_ms": round(sum(ms) / len(ms), 3), "p50_ms": round(percentile(ms, 50), 3),
                      "p99_ms": round(percentile(ms, 99), 3), "max_ms": round(max(ms), 3)}))


def cmd_freshness(url, key, cursor, contact_id, give_up, command):
    c = Client(url, key)
    page = c.changes(cursor)  # warm-up, and the cursor must be idle before the write
    if page["data"]:
        raise SystemExit("freshness: the feed was not at its end before the write")
    t = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    committed = time.perf_counter()
    polls = 0
    while True:
        polls += 1
        page = c.changes(cursor)
        now = time.perf_counter()
        if any(i.get("type") == "upsert" and i["contact"]["id"] == str(contact_id) for i in page["data"]):
            print(json.dumps({"seen": True, "seconds": round(now - committed, 3), "polls": polls,
                              "write_seconds": round(committed - t, 3)}))
            return
        if page["data"]:
            cursor = page["next_cursor"]
        if now - committed > float(give_up):
            print(json.dumps({"seen": False, "seconds": round(now - committed, 3), "polls": polls,
                              "write_seconds": round(committed - t, 3)}))
            return
        time.sleep(max(0.0, 0.1 - (time.perf_counter() - now)))


def cmd_pgbench_log(files):
    lat = []
    for name in files:
        for path in glob.glob(name):
            with open(path) as f:
                for line in f:
                    # client_id transaction_no time script_no time_epoch time_us: time is the latency in microseconds
                    lat.append(int(line.split()[2]) / 1000)
    if not lat:
        raise SystemExit("pgbench-log: no transactions logged")
    print(json.dumps({"transactions": len(lat), "mean_ms": round(sum(lat) / len(lat), 3),
                      "p50_ms": round(percentile(lat, 50), 3), "p99_ms": round(percentile(lat, 99), 3)}))


def main(argv):
    match argv:
        case ["csv", data_dir, out]:
            cmd_csv(data_dir, out)
        case ["walk", url, key, limit, *expected] if len(expected) <= 1:
            cmd_walk(url, key, limit, *expected)
        case ["idle", url, key, cursor, n]:
            cmd_idle(url, key, cursor, n)
        case ["freshness", url, key, cursor, contact_id, give_up, "--", *command] if command:
            cmd_freshness(url, key, cursor, contact_id, give_up, command)
        case ["pgbench-log", *files] if files:
            cmd_pgbench_log(files)
        case _:
            print(__doc__, file=sys.stderr)
            return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
