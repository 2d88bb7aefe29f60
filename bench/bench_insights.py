"""Insights benchmark: prints one JSON line.

Fills its own database with a generated county history
(``yichuang.demo.history``: tickets, cases with visits, clock stops, events and
cards, ratings and rectifications, written as plain tuples with executemany),
then measures:

- ``fill_s``: writing that history,
- ``rebuild_s``: ``rebuild-rollups`` over the whole history (target < 600 s
  for 2 years / 3 M tickets),
- ``kpi_api_p95_ms``: ``GET /api/v1/kpis?scope=county`` over the last whole
  year, warm (target < 300 ms PostgreSQL, < 500 ms SQLite),
- ``dashboard_p95_ms``: ``/dashboard/`` for the county over the same year
  (target < 500 ms), with its p50 and its number of SQL queries,
- ``pdf_s``: the monthly PDF report of the county (target < 15 s),
- ``tick_ms_per_1000_tickets``: the worker's incremental upkeep for a week of
  new tickets (with their events), per 1,000 tickets. The hot queue and rating
  actions do no roll-up work at all (the worker follows the event tables), so
  the upkeep adds 0 ms to them by construction.

Database: a temporary SQLite file under its own YICHUANG_VAR, or the
PostgreSQL database in YICHUANG_DATABASE_URL when BENCH_KEEP_DB_URL=1 (it is
flushed first). Size: BENCH_DAYS (default 730) days up to 2026-10-31 with
BENCH_TICKETS tickets taken (default 300,000; transfers' follow-on tickets come
on top). BENCH_TICKETS=3000000 is the issue's large county: about 1 M cases and
1.5 M ratings. The load averages before and after are printed too.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import time

from benchenv import django_start, kept_database_url, production  # bench/, the script's folder

# BENCH_VAR reuses the database of an earlier run (its history is kept). As in
# production: DEBUG off (no query log, which costs a rebuild a fifth of its time).
django_start(
    "insights",
    database=kept_database_url(),
    var=os.environ.get("BENCH_VAR") or None,
    environ=production(),
)

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

DAYS = int(os.environ.get("BENCH_DAYS", 730))
TICKETS = int(os.environ.get("BENCH_TICKETS", 300_000))
END = dt.date(2026, 10, 31)
TODAY = END + dt.timedelta(days=1)  # the history runs up to yesterday
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 40))


def p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[-1], 1)


def setup() -> str:
    from tests.conftest import PASSWORD, ensure_county
    from tests.insights.conftest import ensure_world

    if connection.vendor == "postgresql" and not os.environ.get("BENCH_VAR"):
        call_command("migrate", verbosity=0)
        call_command("flush", interactive=False, verbosity=0)
    call_command("migrate", verbosity=0)
    ensure_county()
    ensure_world()
    return PASSWORD


def fill() -> None:
    from yichuang.demo.history import generate

    generate(end=END, days=DAYS, tickets=TICKETS, seed=2026, events=False, today=TODAY)


def sizes() -> dict[str, int]:
    from yichuang.cases.models import Card, Case, CaseVisit
    from yichuang.feedback.models import Rating, Rectification
    from yichuang.queueing.models import Ticket

    return {
        "tickets": Ticket.objects.count(),
        "cases": Case.objects.count(),
        "visits": CaseVisit.objects.count(),
        "cards": Card.objects.count(),
        "ratings": Rating.objects.count(),
        "rectifications": Rectification.objects.count(),
    }


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(client: Client, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        resp = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (url, resp.status_code, resp.content[:300])
    return out


def main() -> None:
    from yichuang.accounts.models import User
    from yichuang.demo.history import generate
    from yichuang.insights import kpis as k
    from yichuang.insights.report import render_report
    from yichuang.insights.rollups import rebuild, rollup_tick
    from yichuang.queueing.models import Ticket

    load_before = os.getloadavg()
    password = setup()
    end = END
    reused = bool(os.environ.get("BENCH_VAR")) and Ticket.objects.exists()
    t0 = time.perf_counter()
    if not reused:
        say(f"filling {DAYS} days, {TICKETS} tickets")
        fill()
    fill_s = time.perf_counter() - t0
    counts = sizes()
    say(f"filled in {fill_s:.0f} s: {counts}; rebuilding")

    t0 = time.perf_counter()
    rebuild()
    rebuild_s = time.perf_counter() - t0
    say(f"rebuilt in {rebuild_s:.0f} s; measuring")
    first = end - dt.timedelta(days=DAYS - 1)
    k.baseline_freeze(label="bench", date_from=first, date_to=first + dt.timedelta(days=DAYS // 4))

    year = {"from": "2025-11-01", "to": "2026-10-31"}
    api = Client()
    token = api.post(
        "/api/v1/auth/token",
        {"username": "countyadmin", "password": password},
        content_type="application/json",
    ).json()["token"]
    api.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    kpi_url = f"/api/v1/kpis?scope=county&from={year['from']}&to={year['to']}"
    timed(api, kpi_url, 3)
    kpi = timed(api, kpi_url, REQUESTS)

    web = Client()
    web.force_login(User.objects.get(username="countyadmin"))
    dash_url = f"/dashboard/?from={year['from']}&to={year['to']}"
    timed(web, dash_url, 2)
    dash = timed(web, dash_url, max(10, REQUESTS // 2))
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        web.get(dash_url)
    dash_queries = len(ctx.captured_queries)

    t0 = time.perf_counter()
    pdf = render_report(k.system_scope("county"), dt.date(2026, 10, 1), "pdf")
    pdf_s = time.perf_counter() - t0

    # Incremental upkeep: one more week of traffic (with its events), then a tick.
    rollup_tick(settle=0)
    last = Ticket.objects.order_by("-day").values_list("day", flat=True).first() or end
    week = max(100, TICKETS // max(1, DAYS) * 7)
    new = generate(end=last + dt.timedelta(days=7), days=7, tickets=week, seed=9, events=True)
    t0 = time.perf_counter()
    rollup_tick(settle=0)
    tick_ms = (time.perf_counter() - t0) * 1000

    print(
        json.dumps(
            {
                "bench": "insights",
                "db": connection.vendor,
                "days": DAYS,
                **counts,
                "reused": reused,
                "fill_s": None if reused else round(fill_s, 1),
                "rebuild_s": round(rebuild_s, 1),
                "kpi_api_p95_ms": p95(kpi),
                "kpi_api_p50_ms": round(statistics.median(kpi), 1),
                "dashboard_p95_ms": p95(dash),
                "dashboard_p50_ms": round(statistics.median(dash), 1),
                "dashboard_queries": dash_queries,
                "pdf_s": round(pdf_s, 2),
                "pdf_bytes": len(pdf),
                "tick_ms_per_1000_tickets": round(tick_ms / max(1, new.tickets) * 1000, 1),
                "hot_path_added_ms": 0,
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
