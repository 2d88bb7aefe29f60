"""Bulletin benchmark: prints one JSON line.

Fills its own database with the demo county's organisation, inspections of
last month at every centre and BENCH_ROWS (default 100,000) ledger rows over
two years (as ``bench_supervision`` does), drafts last month's county
bulletin, then measures rendering its PDF (``pdf.bulletin_pdf``: the figures,
the template and WeasyPrint):

- ``first_s``: the first render in this fresh process (fonts, templates and
  WeasyPrint's imports loaded on the way);
- ``warm_s``: a second render of the same bulletin;
- ``http_s``: the director's download, ``GET /supervision/bulletins/<id>/pdf/``.

Target: < 10 s.

Database: a temporary SQLite file under its own YICHUANG_VAR, or the
PostgreSQL database in YICHUANG_DATABASE_URL when BENCH_KEEP_DB_URL=1 (created
when missing, flushed first), e.g.
``BENCH_KEEP_DB_URL=1 YICHUANG_DATABASE_URL=postgres://postgres@127.0.0.1:5432/yichuang_bench_bulletin``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time

from benchenv import django_start, kept_database_url, production  # bench/, the script's folder

os.environ.setdefault("BENCH_ROWS", "100000")
django_start("bulletin", database=kept_database_url(), environ=production())

from bench_supervision import fill_ledger, say, setup  # noqa: E402


def visits(rng: random.Random, month: dt.date) -> int:
    """Two visits a centre in the month, each scoring 100 − a few points."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from yichuang.org.models import Centre
    from yichuang.supervision.models import Checklist, Inspection

    inspector = get_user_model().objects.get(username="inspector")
    checklist = Checklist.objects.filter(code="covert-visit").order_by("-version").first()
    tz = timezone.get_current_timezone()
    made = 0
    for centre in Centre.objects.all():
        for day in (5, 19):
            at = dt.datetime.combine(month.replace(day=day), dt.time(10), tzinfo=tz)
            Inspection.objects.create(
                centre=centre,
                kind=rng.choice(("open", "covert")),
                checklist=checklist,
                inspector=inspector,
                visited_at=at,
                score=100 - rng.choice((0, 4, 6, 10)),
                published_at=at,
                published_by=inspector,
            )
            made += 1
    return made


def main() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from yichuang.supervision.actions.bulletin import bulletin_draft
    from yichuang.supervision.models import Problem
    from yichuang.supervision.pdf import bulletin_pdf

    rng = random.Random(2026)
    password = setup()
    say(f"filling {os.environ['BENCH_ROWS']} ledger rows")
    fill_ledger(rng)
    today = timezone.localdate()
    month = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    inspections = visits(rng, month)
    if connection.vendor == "postgresql":  # planner statistics, as autovacuum would gather
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    director = get_user_model().objects.get(username="director")
    bulletin = bulletin_draft(month=month, actor=director)
    in_month = Problem.objects.filter(found_on__gte=month, found_on__lt=today.replace(day=1))

    t0 = time.perf_counter()
    first = bulletin_pdf(bulletin)
    first_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    warm = bulletin_pdf(bulletin)
    warm_s = time.perf_counter() - t0
    client = Client()
    assert client.login(username="director", password=password)
    t0 = time.perf_counter()
    resp = client.get(f"/supervision/bulletins/{bulletin.pk}/pdf/")
    http_s = time.perf_counter() - t0
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF"), resp.status_code
    assert first.startswith(b"%PDF") and warm.startswith(b"%PDF")
    print(
        json.dumps(
            {
                "bench": "bulletin",
                "database": connection.vendor,
                "month": f"{month:%Y-%m}",
                "ledger_rows": Problem.objects.count(),
                "rows_found_in_month": in_month.count(),
                "inspections_in_month": inspections,
                "pdf_bytes": len(first),
                "first_s": round(first_s, 2),
                "warm_s": round(warm_s, 2),
                "http_s": round(http_s, 2),
                "target_s": 10,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
