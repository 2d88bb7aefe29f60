"""Cases benchmark: prints one JSON line.

- case intake through POST /api/v1/cases with HISTORY historical cases in the
  table: p50/p99 in ms (target p99 < 150),
- the worker's card pass over OPEN open cases: seconds (target < 30),
- the desk's department list (/cases/?view=department) for a department with
  DEPT_OPEN open cases: p95 in ms (target < 100).

Sets up its own database in a temporary directory (SQLite), or uses
YICHUANG_DATABASE_URL when BENCH_KEEP_DB_URL=1. Sizes can be lowered with
BENCH_HISTORY / BENCH_OPEN for a quick run.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))
TMP = tempfile.mkdtemp(prefix="bench-cases-")
os.environ["YICHUANG_VAR"] = TMP
if os.environ.get("BENCH_KEEP_DB_URL") != "1":
    os.environ.pop("YICHUANG_DATABASE_URL", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

HISTORY = int(os.environ.get("BENCH_HISTORY", 1_000_000))
OPEN = int(os.environ.get("BENCH_OPEN", 200_000))
DEPT_OPEN = 5_000
INTAKES = 200
DESK_REQUESTS = 60
BATCH = 20_000


def id_number(n: int) -> str:
    body = f"369921{dt.date(1960, 1, 1) + dt.timedelta(days=n % 15000):%Y%m%d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def setup() -> dict:
    from tests.conftest import PASSWORD, ensure_county

    from yichuang.demo import catalog, queueing
    from yichuang.demo.base import DemoRun
    from yichuang.org.models import Centre, Department

    call_command("migrate", verbosity=0)
    ensure_county()
    run = DemoRun(seed=5)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=Centre.objects.get(code="county-hall"),
    )
    catalog.build(run)
    queueing.build(run)
    return {"password": PASSWORD, "hall": run.ctx["hall"]}


def fill(hall) -> None:
    from yichuang.catalog.models import Item
    from yichuang.lib.crypto import keyed_hash
    from yichuang.org.models import Department
    from yichuang.vault.models import Person

    rng = random.Random(1)
    items = list(Item.objects.published().filter(centres=hall).select_related("current_version"))
    depts = {d.code: d.pk for d in Department.objects.all()}
    Person.objects.bulk_create(
        [
            Person(
                name="张三",
                id_number=(n := id_number(10_000 + i)),
                id_hash=keyed_hash(n, "id"),
            )
            for i in range(2000)
        ],
        ignore_conflicts=True,
    )
    person_ids = list(Person.objects.values_list("pk", flat=True))
    today = timezone.localdate()
    now = timezone.now()
    cols = (
        "centre_id, version_id, item_id, person_id, title, status, decision, resume_status,"
        " receipt_code, received_at, accepted_on, committed_days, legal_days, stopped_days,"
        " extension_days, due_date, deadline_pending, deadline_provisional, department_id,"
        " visit_count, delivery_method, created_at, updated_at"
    )
    sql = f"INSERT INTO cases_case ({cols}) VALUES ({', '.join(['%s'] * 23)})"

    def rows(n: int, open_: bool, start: int):
        for i in range(n):
            item = items[(start + i) % len(items)]
            if open_:
                dept = depts["yb"] if i < DEPT_OPEN else depts[rng.choice(["rs", "ga", "mz", "wj"])]
                accepted = today - dt.timedelta(days=rng.randrange(0, 40))
                due = accepted + dt.timedelta(days=rng.randrange(3, 30))
                status = "review"
            else:
                dept = item.department_id
                accepted = today - dt.timedelta(days=rng.randrange(30, 5 * 365))
                due = accepted + dt.timedelta(days=14)
                status = "delivered"
            received = now - dt.timedelta(days=(today - accepted).days)
            yield (
                hall.pk,
                item.current_version_id,
                item.pk,
                rng.choice(person_ids),
                item.name,
                status,
                "",
                "",
                f"b{start + i:012d}",
                received,
                accepted,
                10,
                20,
                0,
                0,
                due,
                False,
                False,
                dept,
                1,
                "",
                now,
                now,
            )

    for open_, total, offset in ((False, HISTORY, 0), (True, OPEN, HISTORY)):
        done = 0
        while done < total:
            n = min(BATCH, total - done)
            with connection.cursor() as cur:
                cur.executemany(sql, list(rows(n, open_, offset + done)))
            done += n
    # Open cases sit at a review step with its own due date.
    with connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cases_casestep (case_id, position, kind, name, department_id, share,"
            " due_date, state, created_at, updated_at)"
            " SELECT id, 2, 'review', '审查', department_id, 50, due_date, 'active', %s, %s"
            " FROM cases_case WHERE status = 'review'",
            [now, now],
        )
        cur.execute(
            "UPDATE cases_case SET current_step_id = (SELECT s.id FROM cases_casestep s"
            " WHERE s.case_id = cases_case.id) WHERE status = 'review'"
        )
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))], 1)


def main() -> None:
    from yichuang.accounts.models import User
    from yichuang.cases.tasks import cards_refresh
    from yichuang.catalog.models import Item

    ctx = setup()
    t0 = time.perf_counter()
    fill(ctx["hall"])
    fill_s = time.perf_counter() - t0

    # Intake through the API.
    client = Client()
    token = client.post(
        "/api/v1/auth/token",
        {"username": "clerk_county", "password": ctx["password"]},
        content_type="application/json",
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    item = (
        Item.objects.published()
        .filter(centres=ctx["hall"], current_version__case_type="promised")
        .first()
    )
    mats = [{"code": m.code, "source": "submitted"} for m in item.current_version.materials.all()]
    times = []
    for i in range(INTAKES):
        body = {
            "item": item.code,
            "centre": "county-hall",
            "applicant": {"name": "李四", "id_number": id_number(50_000 + i)},
            "materials": mats,
        }
        t = time.perf_counter()
        resp = client.post("/api/v1/cases", body, content_type="application/json", **auth)
        times.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 201, resp.content
    intake = {"p50_ms": pct(times, 0.5), "p99_ms": pct(times, 0.99)}

    # The worker's pass.
    t = time.perf_counter()
    cards = cards_refresh()
    worker_s = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    again = cards_refresh()
    worker_again_s = round(time.perf_counter() - t, 2)

    # The desk list of the department with DEPT_OPEN open cases.
    desk = Client()
    desk.force_login(User.objects.get(username="yb_review1"))
    desk_times = []
    for _ in range(DESK_REQUESTS):
        t = time.perf_counter()
        resp = desk.get("/cases/?view=department")
        desk_times.append((time.perf_counter() - t) * 1000)
        assert resp.status_code == 200
    print(
        json.dumps(
            {
                "bench": "cases",
                "database": connection.vendor,
                "historical_cases": HISTORY,
                "open_cases": OPEN,
                "fill_seconds": round(fill_s, 1),
                "intake_p50_ms": intake["p50_ms"],
                "intake_p99_ms": intake["p99_ms"],
                "intake_target_p99_ms": 150,
                "worker_pass_seconds": worker_s,
                "worker_cards_recorded": cards,
                "worker_second_pass_seconds": worker_again_s,
                "worker_second_pass_cards": again,
                "worker_target_seconds": 30,
                "desk_department_open": DEPT_OPEN,
                "desk_p95_ms": pct(desk_times, 0.95),
                "desk_target_p95_ms": 100,
            }
        )
    )


if __name__ == "__main__":
    main()
