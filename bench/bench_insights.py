"""Insights benchmark: prints one JSON line.

Fills its own database with a generated county history (bulk inserts through
``yichuang.insights.synthetic``: tickets, cases with visits and cards, ratings
and rectifications), then measures:

- ``rebuild_s``: ``rebuild-rollups`` over the whole history (target < 600 s
  for 2 years / 3 M tickets),
- ``kpi_api_p95_ms``: ``GET /api/v1/kpis?scope=county`` over the last whole
  year, warm (target < 300 ms PostgreSQL, < 500 ms SQLite),
- ``dashboard_p95_ms``: ``/dashboard/`` for the county over the same year
  (target < 500 ms), with its p50 and its number of SQL queries,
- ``pdf_s``: the monthly PDF report of the county (target < 15 s),
- ``tick_ms_per_1000_tickets``: the worker's incremental upkeep for a day of
  new tickets, per 1,000 tickets. The hot queue and rating actions do no
  roll-up work at all (the worker follows the event tables), so the upkeep adds
  0 ms to them by construction.

Database: a temporary SQLite file under its own YICHUANG_VAR, or the
PostgreSQL database in YICHUANG_DATABASE_URL when BENCH_KEEP_DB_URL=1 (it is
flushed first). Size: BENCH_DAYS (default 730) × BENCH_PER_DAY county-hall
tickets a day (default 150; the six township centres take 30 % each, so about
2.8 × that per day in all). BENCH_PER_DAY=1470 gives the 3 M-ticket county.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
# BENCH_VAR reuses the database of an earlier run (its history is kept).
TMP = os.environ.get("BENCH_VAR") or tempfile.mkdtemp(prefix="bench-insights-")
os.environ["YICHUANG_VAR"] = TMP
if os.environ.get("BENCH_KEEP_DB_URL") != "1":
    os.environ.pop("YICHUANG_DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

DAYS = int(os.environ.get("BENCH_DAYS", 730))
PER_DAY = int(os.environ.get("BENCH_PER_DAY", 150))
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


def fill(end: dt.date) -> dict[str, int]:
    from yichuang.insights.synthetic import History, HistoryStats

    history = History(seed=2026, per_day=PER_DAY, events=False)
    stats = HistoryStats()
    start = end - dt.timedelta(days=DAYS - 1)
    for i in range(DAYS):
        stats.add(history.day(start + dt.timedelta(days=i)))
    return {
        "tickets": stats.tickets,
        "cases": stats.cases,
        "ratings": stats.ratings,
        "visits": stats.visits,
        "cards": stats.cards,
        "rectifications": stats.rectifications,
    }


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
    from yichuang.insights import kpis as k
    from yichuang.insights.report import render_report
    from yichuang.insights.rollups import rebuild, rollup_tick
    from yichuang.insights.synthetic import History
    from yichuang.queueing.models import Ticket

    password = setup()
    end = dt.date(2026, 10, 31)
    t0 = time.perf_counter()
    if os.environ.get("BENCH_VAR") and Ticket.objects.exists():
        sizes = {"tickets": Ticket.objects.count(), "reused": 1}
    else:
        sizes = fill(end)
    fill_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    rebuild()
    rebuild_s = time.perf_counter() - t0
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

    # Incremental upkeep: one more day of traffic (with its events), then a tick.
    rollup_tick(settle=0)
    last = Ticket.objects.order_by("-day").values_list("day", flat=True).first() or end
    new = History(seed=9, per_day=PER_DAY, events=True).day(last + dt.timedelta(days=1))
    t0 = time.perf_counter()
    rollup_tick(settle=0)
    tick_ms = (time.perf_counter() - t0) * 1000

    print(
        json.dumps(
            {
                "bench": "insights",
                "db": connection.vendor,
                "days": DAYS,
                **sizes,
                "fill_s": round(fill_s, 1),
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
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
