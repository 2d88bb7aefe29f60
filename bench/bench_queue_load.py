"""Queue load benchmark: every window of the demo county calls and finishes while
kiosks issue, over HTTP against `yichuang serve` on PostgreSQL. Prints one JSON
line: queue operations/s, p99 of issue and call-next, double calls, lost tickets,
duplicate numbers, and the server's RSS.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/yichuang_bench),
BENCH_SECONDS (30), BENCH_KIOSKS (20), BENCH_PORT (8765), BENCH_MONTHS (0: history to seed).
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DB = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/yichuang_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "30"))
KIOSKS = int(os.environ.get("BENCH_KIOSKS", "20"))
PORT = int(os.environ.get("BENCH_PORT", "8765"))
MONTHS = os.environ.get("BENCH_MONTHS", "0")
PASSWORD = "Bench@2026pw"
ENV = {**os.environ, "YICHUANG_DATABASE_URL": DB, "YICHUANG_VAR": "/tmp/yichuang-bench-var"}


def sh(*args):
    subprocess.run([str(BIN / "yichuang"), *args], check=True, env=ENV, stdout=subprocess.DEVNULL)


def request(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    started = time.perf_counter()
    conn.request(method, path, json.dumps(body) if body is not None else None, headers)
    resp = conn.getresponse()
    data = resp.read()
    return resp.status, data, time.perf_counter() - started


def p99(values):
    values = sorted(values)
    return round(values[int(len(values) * 0.99) - 1] * 1000, 1) if values else None


def main():
    import psycopg

    base = DB.rsplit("/", 1)[0] + "/postgres"
    name = DB.rsplit("/", 1)[1]
    with psycopg.connect(base, autocommit=True) as c:
        c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        c.execute(f'CREATE DATABASE "{name}"')
    sh("migrate", "-v", "0")
    sh("seed-demo", "--always-open", "--months", MONTHS, "--password", PASSWORD)
    server = subprocess.Popen(
        [str(BIN / "yichuang"), "serve", "--port", str(PORT), "--workers", "4"],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.2)
        result = run_load()
        result["server_rss_mb"] = rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=20)
    with psycopg.connect(DB) as c:
        tickets = c.execute(
            "SELECT count(*) FROM queueing_ticket WHERE day = current_date"
        ).fetchone()[0]
        dupes = c.execute(
            "SELECT count(*) FROM (SELECT queue_id, day, seq FROM queueing_ticket WHERE seq IS "
            "NOT NULL GROUP BY 1, 2, 3 HAVING count(*) > 1) d"
        ).fetchone()[0]
        double = c.execute(
            "SELECT count(*) FROM (SELECT ticket_id FROM queueing_ticketevent WHERE type = "
            "'called' GROUP BY 1 HAVING count(*) > 1) d"
        ).fetchone()[0]
    result.update(
        tickets_in_db=tickets,
        lost_tickets=result.pop("issued_ok") - tickets,
        duplicate_numbers=dupes,
        double_calls=double,
    )
    print(json.dumps(result))


def rss_mb(pid):
    total = 0
    for p in [
        pid,
        *map(
            int,
            subprocess.run(
                ["pgrep", "-P", str(pid)], capture_output=True, text=True
            ).stdout.split(),
        ),
    ]:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS"):
                    total = max(total, int(line.split()[1]) // 1024)
        except OSError:
            pass
    return total  # the largest single process (one app worker)


def run_load():
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    clerks = []
    _s, body, _t = request(
        conn, "POST", "/api/v1/auth/token", {"username": "admin", "password": PASSWORD}
    )
    admin = json.loads(body)["token"]
    centres = [c["code"] for c in json.loads(request(conn, "GET", "/api/v1/centres")[1])]
    users = {}
    for code in centres:
        for w in json.loads(
            request(conn, "GET", f"/api/v1/centres/{code}/windows", token=admin)[1]
        ):
            if w["queues"]:
                clerks.append((code, w["id"], w["number"]))
    # a clerk per window: county hall clerk_wNN, townships clerk_<centre>_<n>/clerk_town
    for code, wid, number in clerks:
        name = (
            f"clerk_w{number:02d}"
            if code == "county-hall"
            else (
                "clerk_town" if (code == "chengguan" and number == 1) else f"clerk_{code}_{number}"
            )
        )
        users[wid] = json.loads(
            request(conn, "POST", "/api/v1/auth/token", {"username": name, "password": PASSWORD})[1]
        )["token"]
    kiosk_user = json.loads(
        request(conn, "POST", "/api/v1/auth/token", {"username": "admin", "password": PASSWORD})[1]
    )["token"]
    stop = time.monotonic() + SECONDS
    lat = {"issue": [], "call": []}
    ops = Counter()
    issued_ok = Counter()
    lock = threading.Lock()

    def clerk(wid):
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        token = users[wid]
        request(c, "POST", f"/api/v1/windows/{wid}/open", token=token)
        while time.monotonic() < stop:
            status, _b, t = request(c, "POST", f"/api/v1/windows/{wid}/call-next", token=token)
            with lock:
                lat["call"].append(t)
                ops["call"] += 1
            if status == 200:
                request(c, "POST", f"/api/v1/windows/{wid}/finish", token=token)
                with lock:
                    ops["finish"] += 1
            else:
                time.sleep(0.2)

    def kiosk(k):
        c = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
        code = centres[k % len(centres)]
        queue = "general"
        while time.monotonic() < stop:
            status, _b, t = request(
                c,
                "POST",
                f"/api/v1/centres/{code}/tickets",
                {"queue": queue, "channel": "kiosk"},
                token=kiosk_user,
            )
            with lock:
                lat["issue"].append(t)
                ops["issue"] += 1
                if status == 201:
                    issued_ok["n"] += 1

    threads = [threading.Thread(target=clerk, args=(wid,)) for _c, wid, _n in clerks]
    threads += [threading.Thread(target=kiosk, args=(k,)) for k in range(KIOSKS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    return {
        "bench": "queue_load",
        "database": "postgresql",
        "seconds": round(elapsed, 1),
        "windows": len(clerks),
        "kiosks": KIOSKS,
        "ops_per_s": round(sum(ops.values()) / elapsed, 1),
        "issue_p99_ms": p99(lat["issue"]),
        "call_next_p99_ms": p99(lat["call"]),
        "issued": ops["issue"],
        "calls": ops["call"],
        "finished": ops["finish"],
        "issued_ok": issued_ok["n"],
    }


if __name__ == "__main__":
    sys.exit(main())
