"""Hall displays under load (issue 4): BENCH_DISPLAYS (200) screens follow
`GET /api/v1/centres/county-hall/events?after=` the way display.js does (next
poll 800 ms after an empty answer, 200 ms after new events, re-asking for the
last 20 ids; the hall state at most every 3 s after events and every 10 s)
while clerks call at BENCH_WINDOWS (20) county-hall windows and kiosks issue.
Prints one JSON line: call-to-display latency (from the moment the clerk's
call-next request was sent to the moment a screen received the event)
p50/p95/max over every screen, events caught by the overlap, feed requests/s
and p95, and the largest
app worker's RSS sampled during the run (target < 250 MB), against
`yichuang serve` (4 workers of one request thread each, DEBUG off) on PostgreSQL;
every screen, kiosk and window keeps its connections alive, as a browser does.

Environment: BENCH_DATABASE_URL, BENCH_SECONDS (60), BENCH_DISPLAYS (200),
BENCH_WINDOWS (20), BENCH_WORKERS (4), BENCH_CALL_PAUSE (2.0 s between a
window's finish and its next call).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_queue_load import (
    PG,
    Server,
    django_setup,
    free_port,
    fresh_day,
    hall_setup,
    http,
    load_average,
    pct,
    prepare_database,
)


async def run(setup: dict, server: Server, *, seconds: float, displays: int, pause: float) -> dict:
    port = server.port
    loop = asyncio.get_running_loop()
    stop = loop.time() + seconds
    called_at: dict[tuple[str, int], float] = {}
    # when each window's latest call-next was sent (a screen may see the call
    # before the clerk's answer arrives)
    call_sent: dict[int, float] = {}
    number_of: dict[int, int] = setup["numbers"]
    seen: list[float] = []
    missed = 0
    feed_lat: list[float] = []
    rss: list[int] = []
    rng = random.Random(7)
    hall_windows = [(wid, tok) for wid, tok in setup["windows"]]
    kiosk = next(tok for code, tok in setup["kiosks"] if code == "county-hall")
    queues = [q for code, q, _n in setup["queues"] if code == "county-hall"]
    # every device keeps its connections alive, as a browser does
    devices: dict = {}

    async def kiosk_loop() -> None:
        while loop.time() < stop:
            await http(
                port,
                "POST",
                "/api/v1/centres/county-hall/tickets",
                {"queue": rng.choice(queues), "channel": "kiosk"},
                kiosk,
                devices,
            )
            await asyncio.sleep(0.15)

    async def clerk(wid: int, token: str) -> None:
        await http(port, "POST", f"/api/v1/windows/{wid}/open", token=token, pool=devices)
        await asyncio.sleep(rng.random() * pause)
        while loop.time() < stop - 3:
            call_sent[number_of[wid]] = loop.time()
            status, body = await http(
                port, "POST", f"/api/v1/windows/{wid}/call-next", token=token, pool=devices
            )
            if status == 200:
                ticket = json.loads(body)["ticket"]
                called_at[(ticket["number"], ticket["window"])] = call_sent[number_of[wid]]
                await asyncio.sleep(pause * rng.uniform(0.5, 1.5))
                await http(port, "POST", f"/api/v1/windows/{wid}/finish", token=token, pool=devices)
            await asyncio.sleep(pause * rng.uniform(0.5, 1.5))

    late = 0

    async def screen(k: int) -> None:
        # as display.js: re-ask for the last 20 ids and skip those seen (an event
        # may commit after a higher id was read); the hall at most every 3 s on
        # events and every 10 s anyway
        nonlocal missed, late
        await asyncio.sleep(rng.random())
        mine: dict = {}
        _s, body = await http(port, "GET", "/api/v1/centres/county-hall/events", pool=mine)
        cursor = json.loads(body)["cursor"] if body else 0
        first = cursor
        seen_ids: set[int] = set()
        next_hall = loop.time() + rng.random() * 10
        while loop.time() < stop:
            t = loop.time()
            after = max(0, cursor - 20)
            status, body = await http(
                port,
                "GET",
                f"/api/v1/centres/county-hall/events?after={after}&limit=300",
                pool=mine,
            )
            now = loop.time()
            feed_lat.append(now - t)
            if status != 200:
                await asyncio.sleep(3)
                continue
            data = json.loads(body)
            fresh = 0
            for e in data["events"]:
                if e["id"] in seen_ids:
                    continue
                seen_ids.add(e["id"])
                fresh += 1
                if first < e["id"] <= cursor:
                    late += 1  # committed after a higher id had been read
                if e["type"] == "called" and e["id"] > first:
                    sent = called_at.get((e["ticket_number"], e["window_number"]))
                    if sent is None:  # the clerk's answer has not arrived yet
                        sent = call_sent.get(e["window_number"])
                    if sent is None:
                        missed += 1
                    else:
                        seen.append(now - sent)
            cursor = max(cursor, data["cursor"])
            if (fresh and loop.time() >= next_hall - 7) or loop.time() >= next_hall:
                await http(port, "GET", "/api/v1/centres/county-hall/hall", pool=mine)
                next_hall = loop.time() + 10
            await asyncio.sleep(0.2 if fresh else 0.8)

    async def sample_rss() -> None:
        while loop.time() < stop:
            rss.append(server.worker_rss_mb())
            await asyncio.sleep(2)

    started = loop.time()
    await asyncio.gather(
        kiosk_loop(),
        sample_rss(),
        *(clerk(wid, tok) for wid, tok in hall_windows),
        *(screen(k) for k in range(displays)),
    )
    elapsed = loop.time() - started
    return {
        "seconds": round(elapsed, 1),
        "calls": len(called_at),
        "call_to_display_p50_ms": pct(seen, 0.5),
        "call_to_display_p95_ms": pct(seen, 0.95),
        "call_to_display_max_ms": pct(seen, 1.0),
        "observations": len(seen),
        "calls_without_a_request": missed,
        "late_commits_caught": late,
        "feed_requests_per_s": round(len(feed_lat) / elapsed, 1),
        "feed_p95_ms": pct(feed_lat, 0.95),
        "worker_rss_mb_max": max(rss) if rss else None,
    }


def main() -> int:
    db = os.environ.get("BENCH_DATABASE_URL", f"{PG}/yichuang_bench")
    seconds = float(os.environ.get("BENCH_SECONDS", "60"))
    displays = int(os.environ.get("BENCH_DISPLAYS", "200"))
    n_windows = int(os.environ.get("BENCH_WINDOWS", "20"))
    workers = int(os.environ.get("BENCH_WORKERS", "4"))
    pause = float(os.environ.get("BENCH_CALL_PAUSE", "2.0"))
    prepare_database(db, reuse=os.environ.get("BENCH_REUSE", "1") == "1")
    django_setup(db)
    fresh_day()
    setup = hall_setup(100, 2)
    from yichuang.org.models import Window

    hall_ids = set(Window.objects.filter(centre__code="county-hall").values_list("pk", flat=True))
    setup["windows"] = [(w, t) for w, t in setup["windows"] if w in hall_ids][:n_windows]
    setup["numbers"] = dict(
        Window.objects.filter(pk__in=[w for w, _t in setup["windows"]]).values_list("pk", "number")
    )
    from django.db import connection

    connection.close()
    server = Server(db, port=free_port(), workers=workers)
    try:
        server.wait_ready()
        load_before = load_average()
        result = asyncio.run(run(setup, server, seconds=seconds, displays=displays, pause=pause))
    finally:
        server.stop()
    print(
        json.dumps(
            {
                "bench": "queue_displays",
                "database": "postgresql",
                "workers": workers,
                "displays": displays,
                "windows": len(setup["windows"]),
                **result,
                "load_average_before": load_before,
                "load_average_after": load_average(),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
