"""Supervision benchmark: prints one JSON line.

Fills its own database with the demo county's organisation and BENCH_ROWS
(default 100,000) problem-ledger rows over two years (every source, status
and severity, some recurring), then measures:

- ``ledger_p95_ms``: the director's ledger, ``GET /api/v1/problems`` (the
  first page of 50, overdue and recurring first, with its count) for the
  county director, warm; also ``overdue_p95_ms`` (``?overdue=true``) and
  ``unit_p95_ms`` (a department lead's ledger). Target: p95 < 200 ms.
- ``ingest_s``: the worker's ingestion pass over one day's county traffic
  (BENCH_DAY_SOURCES new source rows: substantiated bad ratings, closed
  complaints, red cards, peak alerts) with the cursors at the end of a
  history of BENCH_HISTORY older source rows, and ``ingest_ms_per_row``.
  Target: < 5 s for a day, O(new rows).

Database: a temporary SQLite file under its own YICHUANG_VAR, or the
PostgreSQL database in YICHUANG_DATABASE_URL when BENCH_KEEP_DB_URL=1 (created
when missing, flushed first; ``bench_bulletin`` imports this setup too).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import statistics
import sys
import time

from benchenv import django_start, kept_database_url, production  # bench/, the script's folder

django_start("supervision", database=kept_database_url(), environ=production())

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

ROWS = int(os.environ.get("BENCH_ROWS", 100_000))
DAY_SOURCES = int(os.environ.get("BENCH_DAY_SOURCES", 200))
HISTORY = int(os.environ.get("BENCH_HISTORY", 50_000))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", 40))


def say(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[-1], 1)


def setup() -> str:
    from tests.conftest import PASSWORD, ensure_county

    from yichuang.demo.queueing import build_structure
    from yichuang.feedback.actions import ensure_defaults
    from yichuang.supervision.defaults import ensure_checklists

    call_command("migrate", verbosity=0)
    if connection.vendor == "postgresql":
        call_command("flush", interactive=False, verbosity=0)
    ensure_county()
    build_structure()
    ensure_defaults()
    ensure_checklists()
    return PASSWORD


def fill_ledger(rng: random.Random) -> None:
    """BENCH_ROWS rows as the ledger would hold them after two years."""
    from yichuang.org.models import Window
    from yichuang.supervision.models import Category, Problem, Severity, Source

    windows = list(Window.objects.select_related("centre"))
    today = timezone.localdate()
    statuses = [("verified", 80), ("open", 6), ("planned", 6), ("submitted", 4), ("reopened", 4)]
    rows = []
    for i in range(ROWS):
        w = rng.choice(windows)
        found = today - dt.timedelta(days=rng.randrange(730))
        status = rng.choices([s for s, _ in statuses], [n for _, n in statuses])[0]
        verified = status == "verified"
        rows.append(
            Problem(
                source=rng.choice(Source.values),
                source_id=None,
                centre_id=w.centre_id,
                department_id=w.department_id,
                window_id=w.pk,
                category=rng.choice(Category.values),
                severity=rng.choice(Severity.values),
                description=f"问题 {i}",
                found_on=found,
                due_date=found + dt.timedelta(days=rng.choice((4, 8, 14))),
                status=status,
                verified_at=timezone.now() - dt.timedelta(days=(today - found).days - 5)
                if verified
                else None,
                on_time=rng.random() < 0.85 if verified else None,
                recurrence=rng.choice((0,) * 30 + (1, 1, 2)),
            )
        )
    Problem.objects.bulk_create(rows, batch_size=5000)


def timed(client: Client, url: str) -> list[float]:
    out = []
    for _ in range(REQUESTS):
        t0 = time.perf_counter()
        resp = client.get(url)
        out.append((time.perf_counter() - t0) * 1000)
        assert resp.status_code == 200, (url, resp.status_code, resp.content[:300])
    return out


def token_client(username: str, password: str) -> Client:
    client = Client()
    resp = client.post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {resp.json()['token']}"
    return client


def sources(rng: random.Random, n: int, at: dt.datetime) -> None:
    """``n`` source rows of every kind, as the lower apps record them, at ``at``."""
    from yichuang.cases.models import Card, Case
    from yichuang.feedback.models import Complaint, FeedbackEvent, Rating, Rectification
    from yichuang.org.models import Window
    from yichuang.queueing.models import Queue, QueueAlert

    windows = list(Window.objects.exclude(department=None))
    queues = list(Queue.objects.filter(alert_wait_minutes__gt=0))
    stamp = f"{at:%Y%m%d%H%M%S}{rng.randrange(10**6)}"
    quarter = max(1, n // 4)
    ratings = Rating.objects.bulk_create(
        Rating(
            service_kind="ticket",
            service_key=f"bench:{stamp}:{i}",
            rating_code=f"b{stamp}{i}",
            level=1,
            reasons=["attitude"],
            channel="pad",
            centre_id=(w := rng.choice(windows)).centre_id,
            department_id=w.department_id,
            window_id=w.pk,
            day=at.date(),
            created_at=at,
        )
        for i in range(quarter)
    )
    rects = Rectification.objects.bulk_create(
        Rectification(
            rating=r,
            status="verified",
            centre_id=r.centre_id,
            department_id=r.department_id,
            verdict="substantiated",
            finding="核实属实",
        )
        for r in ratings
    )
    complaints = Complaint.objects.bulk_create(
        Complaint(
            reference=f"BS{stamp[-10:]}{i:06d}",
            kind="complaint",
            channel="mobile",
            status="closed",
            description="态度差",
            centre_id=(w := rng.choice(windows)).centre_id,
            window_id=w.pk,
            department_id=w.department_id,
        )
        for i in range(quarter)
    )
    FeedbackEvent.objects.bulk_create(
        [FeedbackEvent(type="rectification.verified", rectification=r, at=at) for r in rects]
        + [FeedbackEvent(type="complaint.closed", complaint=c, at=at) for c in complaints]
    )
    cases = Case.objects.bulk_create(
        Case(centre_id=rng.choice(windows).centre_id, title="办件") for _ in range(quarter)
    )
    Card.objects.bulk_create(
        Card(case=c, level="red", rule="committed", reason="超过承诺时限", recorded_at=at)
        for c in cases
    )
    QueueAlert.objects.bulk_create(
        QueueAlert(
            centre_id=(q := rng.choice(queues)).centre_id,
            queue=q,
            day=at.date(),
            raised_at=at,
            waiting=30,
            estimated_wait_minutes=q.alert_wait_minutes + 10,
            open_windows=1,
            windows_needed=2,
        )
        for _ in range(quarter)
    )


def main() -> None:
    from yichuang.supervision.actions import ingest_source, problems_ingest
    from yichuang.supervision.actions.ingestion import FEEDS
    from yichuang.supervision.models import Problem, SourceCursor

    rng = random.Random(2026)
    password = setup()
    t0 = time.perf_counter()
    say(f"filling {ROWS} ledger rows")
    fill_ledger(rng)
    fill_s = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    director = token_client("director", password)
    lead = token_client("dept_rs", password)
    ledger = timed(director, "/api/v1/problems")
    overdue = timed(director, "/api/v1/problems?overdue=true")
    unit = timed(lead, "/api/v1/problems")

    say(f"history of {HISTORY} source rows, cursors at its end")
    past = timezone.now() - dt.timedelta(days=30)
    sources(rng, HISTORY, past)
    for source, feed in FEEDS.items():
        top = feed.model._default_manager.order_by("-id").values_list("id", flat=True).first()
        SourceCursor.objects.update_or_create(source=source, defaults={"last_id": top or 0})
    sources(rng, DAY_SOURCES, timezone.now() - dt.timedelta(minutes=5))
    before = Problem.objects.count()
    t0 = time.perf_counter()
    done = problems_ingest(settle=0)
    ingest_s = time.perf_counter() - t0
    opened = Problem.objects.count() - before
    t0 = time.perf_counter()
    idle = [ingest_source(s, settle=0) for s in FEEDS]
    idle_ms = (time.perf_counter() - t0) * 1000
    print(
        json.dumps(
            {
                "bench": "supervision",
                "database": connection.vendor,
                "ledger_rows": Problem.objects.count(),
                "fill_s": round(fill_s, 1),
                "ledger_p50_ms": round(statistics.median(ledger), 1),
                "ledger_p95_ms": p95(ledger),
                "overdue_p95_ms": p95(overdue),
                "unit_p95_ms": p95(unit),
                "ingest_new_sources": DAY_SOURCES,
                "ingest_opened": opened,
                "ingest_s": round(ingest_s, 2),
                "ingest_ms_per_row": round(ingest_s * 1000 / max(1, opened), 1),
                "ingest_idle_ms": round(idle_ms, 1),
                "ingest_done": done,
                "idle_results": idle,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
