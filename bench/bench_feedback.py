"""Feedback benchmark (issue 6): prints one JSON line.

- rating submission: POST /api/v1/ratings over HTTP against `yichuang serve`
  (BENCH_WORKERS workers, DEBUG off), paced as a Poisson stream
  of BENCH_RATE ratings/s for BENCH_SECONDS, each from its own client address
  (X-Forwarded-For, as behind the hall's nginx) and for its own finished
  ticket; latency is measured from the moment a rating is due, so a slow server
  cannot hide its queueing delay. Target: p99 < 50 ms at 200 ratings/s.
  BENCH_RUNS=N repeats the load N times against the same server (fresh
  tickets each time) and reports the run with the median p99 plus every run's
  p99 and rate; ``client_lag_p99_ms`` says how late the generator itself was.
- the director's board (/feedback/?from=…&to=…) over the last 12 months for the
  whole county, every dimension in turn: p50/p95 in ms, in process (Django
  test client, signed in as the county director). Target: p95 < 300 ms.

The database is its own: SQLite in a temporary YICHUANG_VAR by default (BENCH_VAR=DIR
keeps and reuses it), or
BENCH_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/yichuang_fbbench,
dropped and re-created). It is migrated and seeded with BENCH_MONTHS (12) months
of demo history — tickets, cases, ratings, rectifications, complaints.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gc
import json
import os
import random
import secrets
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from benchenv import BIN, django_start  # bench/, the script's own folder

PASSWORD = "Bench@2026pw"
RATE = float(os.environ.get("BENCH_RATE", 200))
SECONDS = float(os.environ.get("BENCH_SECONDS", 30))
MONTHS = int(os.environ.get("BENCH_MONTHS", 12))
WORKERS = int(os.environ.get("BENCH_WORKERS", 4))
BOARD_REQUESTS = int(os.environ.get("BENCH_BOARD_REQUESTS", 50))
RUNS = int(os.environ.get("BENCH_RUNS", 1))

# BENCH_VAR keeps the seeded SQLite database between runs (seeded once).
VAR = os.environ.get("BENCH_VAR") or tempfile.mkdtemp(prefix="bench-feedback-")
REUSE = bool(os.environ.get("BENCH_VAR")) and Path(VAR, "bench.sqlite3").exists()
DB_URL = os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{VAR}/bench.sqlite3"
ENV = {
    **os.environ,
    "YICHUANG_VAR": VAR,
    "YICHUANG_DATABASE_URL": DB_URL,
    "YICHUANG_DEBUG": "0",
    "YICHUANG_ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    # each rating's client address is its X-Forwarded-For, as behind the hall's nginx
    "YICHUANG_TRUSTED_PROXIES": "1",
}


def yichuang(*args: str) -> None:
    subprocess.run([str(BIN / "yichuang"), *args], check=True, env=ENV, stdout=subprocess.DEVNULL)


def fresh_database() -> None:
    if REUSE and not DB_URL.startswith("postgres"):
        yichuang("migrate", "-v", "0")
        return
    if DB_URL.startswith("postgres"):
        import psycopg

        base, name = DB_URL.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            c.execute(f'CREATE DATABASE "{name}"')
    yichuang("migrate", "-v", "0")
    yichuang("seed-demo", "--always-open", "--months", str(MONTHS), "--password", PASSWORD)


def django_setup() -> None:
    """This process (tickets to rate, the board) on the server's database."""
    django_start(
        "feedback",
        database=DB_URL,
        var=VAR,
        environ={k: ENV[k] for k in ("YICHUANG_DEBUG", "YICHUANG_ALLOWED_HOSTS")},
    )


def finished_tickets(n: int) -> list[str]:
    """``n`` tickets finished today at the county hall's windows, unrated."""
    from django.utils import timezone

    from yichuang.org.models import Centre
    from yichuang.queueing.models import Ticket, WindowSkill

    hall = Centre.objects.get(code="county-hall")
    skills = list(
        WindowSkill.objects.filter(window__centre=hall, order=1).select_related("window", "queue")
    )
    now = timezone.now()
    today = timezone.localdate()
    codes = [secrets.token_urlsafe(9) for _ in range(n)]
    rows = []
    for i, code in enumerate(codes):
        skill = skills[i % len(skills)]
        rows.append(
            Ticket(
                centre=hall,
                queue=skill.queue,
                day=today,
                number=f"Z{i % 1000:03d}",
                status=Ticket.Status.DONE,
                channel="kiosk",
                issued_at=now,
                sort_at=now,
                called_at=now,
                started_at=now,
                finished_at=now,
                window=skill.window,
                rating_code=code,
            )
        )
    Ticket.objects.bulk_create(rows, batch_size=2000)
    return codes


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(port: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [str(BIN / "yichuang"), "serve", "--port", str(port), "--workers", str(WORKERS)],
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import http.client

    for _ in range(150):
        if proc.poll() is not None:
            raise RuntimeError("server exited")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", "/healthz")
            c.getresponse().read()
            return proc
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def rating_request(code: str, level: int, address: str) -> bytes:
    body = {"rating_code": code, "level": level, "channel": "qr"}
    if level <= 2:
        body["reasons"] = ["long_wait"]
    data = json.dumps(body).encode()
    head = (
        "POST /api/v1/ratings HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
        f"X-Forwarded-For: {address}\r\n\r\n"
    )
    return head.encode() + data


async def send(port: int, request: bytes) -> int:
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return 0
    try:
        writer.write(request)
        await writer.drain()
        raw = await reader.read()
    except OSError:
        return 0
    finally:
        writer.close()
    return int(raw.split(b" ", 2)[1]) if raw.startswith(b"HTTP/") else 0


async def calibrate(port: int, seconds: float = 3.0, concurrency: int = 8) -> float:
    """Closed-loop GET /healthz: what this machine serves right now with no
    database work — the ceiling the rating figures should be read against."""
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    done = 0

    async def worker() -> None:
        nonlocal done
        while loop.time() < stop:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            await writer.drain()
            await reader.read()
            writer.close()
            done += 1

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return round(done / seconds, 1)


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))] * 1000, 1)


def schedule(codes: list[str], seed: int) -> list[tuple[float, bytes]]:
    """The whole run prepared before it starts: (offset in seconds, request
    bytes) for a Poisson stream of RATE ratings/s over SECONDS, ~3 % bad, each
    from its own client address — so the loop only sends and reads."""
    rng = random.Random(seed)
    plan: list[tuple[float, bytes]] = []
    at = 0.0
    for i, code in enumerate(codes):
        at += rng.expovariate(RATE)
        if at > SECONDS:
            break
        level = 1 if rng.random() < 0.03 else rng.choice((3, 4, 5, 5, 5))
        address = f"10.{seed % 200}.{i // 256 % 256}.{i % 256}"
        plan.append((at, rating_request(code, level, address)))
    return plan


async def load(port: int, plan: list[tuple[float, bytes]]) -> dict:
    """Send each rating at its moment (timers set up front on the event loop's
    clock, so a late send never shifts the ones after it). Latency runs from
    the moment a rating was due, so neither a slow server nor a late client
    hides queueing; ``client_lag`` is how late the client itself started each
    send — when it is large, the load generator, not the server, was short of
    CPU."""
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    lags: list[float] = []
    statuses: dict[int, int] = {}
    tasks: set[asyncio.Task] = set()

    async def one(due: float, request: bytes) -> None:
        lags.append(loop.time() - due)
        status = await send(port, request)
        latencies.append(loop.time() - due)
        statuses[status] = statuses.get(status, 0) + 1

    def fire(due: float, request: bytes) -> None:
        task = loop.create_task(one(due, request))
        tasks.add(task)
        task.add_done_callback(tasks.discard)

    start = loop.time() + 0.2
    for offset, request in plan:
        loop.call_at(start + offset, fire, start + offset, request)
    await asyncio.sleep(max(0.0, start + (plan[-1][0] if plan else 0) - loop.time()) + 0.01)
    while tasks:
        await asyncio.gather(*list(tasks))
    # Served per second: ratings stored over the time from the first due moment
    # to the last answer (a server that falls behind stretches the denominator).
    elapsed = loop.time() - start
    return {
        "ratings_sent": len(plan),
        "ratings_per_s": round(statuses.get(201, 0) / elapsed, 1),
        "rating_p50_ms": percentile(latencies, 0.50),
        "rating_p99_ms": percentile(latencies, 0.99),
        "client_lag_p99_ms": percentile(lags, 0.99),
        "rating_status": {str(k): v for k, v in sorted(statuses.items())},
    }


def median_run(runs: list[dict]) -> dict:
    """The run with the median p99, and the spread of p99 and rate over all."""
    ordered = sorted(runs, key=lambda r: r["rating_p99_ms"] or 0)
    result = dict(ordered[len(ordered) // 2])
    result["runs"] = len(runs)
    result["rating_p99_ms_runs"] = [r["rating_p99_ms"] for r in runs]
    result["ratings_per_s_runs"] = [r["ratings_per_s"] for r in runs]
    result["client_lag_p99_ms_runs"] = [r["client_lag_p99_ms"] for r in runs]
    return result


def board_timing() -> dict:
    from django.test import Client
    from django.utils import timezone

    from yichuang.accounts.models import User
    from yichuang.feedback.models import Rating

    client = Client()
    client.force_login(User.objects.get(username="director"))
    today = timezone.localdate()
    start = today - dt.timedelta(days=365)
    dims = ["centre", "department", "window", "clerk", "item"]
    times = []
    for i in range(BOARD_REQUESTS):
        url = f"/feedback/?dim={dims[i % len(dims)]}&from={start}&to={today}"
        t = time.perf_counter()
        resp = client.get(url)
        times.append(time.perf_counter() - t)
        assert resp.status_code == 200, resp.status_code
    return {
        "board_p50_ms": percentile(times[1:], 0.50),
        "board_p95_ms": percentile(times[1:], 0.95),
        "ratings_in_db": Rating.objects.count(),
    }


def main() -> None:
    started = time.monotonic()
    fresh_database()
    django_setup()
    from django.db import connection

    seeded = round(time.monotonic() - started, 1)
    per_run = int(RATE * SECONDS * 1.3) + 100
    codes = finished_tickets(per_run * RUNS)
    plans = [schedule(codes[i * per_run : (i + 1) * per_run], seed=6 + i) for i in range(RUNS)]
    connection.close()
    port = free_port()
    server = start_server(port)
    try:
        ceiling = asyncio.run(calibrate(port))
        # No collector pauses in the load generator while it keeps time.
        gc.collect()
        gc.freeze()
        gc.disable()
        runs = []
        for plan in plans:
            runs.append(asyncio.run(load(port, plan)))
            time.sleep(2)
        gc.enable()
        result = median_run(runs)
        result["healthz_per_s"] = ceiling
    finally:
        server.terminate()
        server.wait(timeout=20)
    result.update(board_timing())
    result.update(
        {
            "bench": "feedback",
            "database": "postgresql" if DB_URL.startswith("postgres") else "sqlite",
            "months": MONTHS,
            "workers": WORKERS,
            "target_rate": RATE,
            "seed_seconds": seeded,
            "reused_database": REUSE,
            "targets": {"rating_p99_ms": 50, "board_p95_ms": 300},
            "load_average": [round(x, 2) for x in os.getloadavg()],
        }
    )
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
