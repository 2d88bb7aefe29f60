"""Cases benchmark: prints one JSON line.

- case intake through POST /api/v1/cases with HISTORY historical cases in the
  table: p50/p99 in ms (target p99 < 150) and the queries per intake,
- the worker's card pass over OPEN open cases: seconds (target < 30), first
  pass (no card recorded yet) and repeat pass,
- the desk's department list (/cases/?view=department) for a department with
  DEPT_OPEN open cases: p95 in ms (target < 100) and the queries per page.

The database is generated once and reused: SQLite in
``$BENCH_DIR/cases-<HISTORY>-<OPEN>/`` (default under the system temp
directory), or YICHUANG_DATABASE_URL when BENCH_KEEP_DB_URL=1 (e.g.
``postgres://postgres@127.0.0.1:5432/yichuang_bench_cases``; created if
missing). The rows are generated in SQL (INSERT … SELECT over a number series),
so a million cases take a minute or two rather than an hour. Before measuring,
the cards and card events of earlier runs are deleted so the first worker pass
is a real first pass. Sizes: BENCH_HISTORY / BENCH_OPEN; BENCH_FRESH=1 rebuilds.

The machine's load average is printed with the figures: on a shared machine
they are noisy.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import time
from pathlib import Path

from benchenv import django_start, kept_database_url, production  # bench/, the script's folder

HISTORY = int(os.environ.get("BENCH_HISTORY", 1_000_000))
OPEN = int(os.environ.get("BENCH_OPEN", 200_000))
WORK = django_start(
    "cases",
    database=kept_database_url(),
    var=Path(os.environ.get("BENCH_DIR", tempfile.gettempdir())) / f"bench-cases-{HISTORY}-{OPEN}",
    environ=production(),
)

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

DEPT_OPEN = 5_000
WARMUP = 10
INTAKES = 200
DESK_REQUESTS = 60
BATCH = 100_000
PERSONS = 2000


def id_number(n: int) -> str:
    body = f"369921{dt.date(1960, 1, 1) + dt.timedelta(days=n % 15000):%Y%m%d}{n % 1000:03d}"
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return body + "10X98765432"[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11]


def _filled() -> bool:
    with connection.cursor() as cur:
        tables = connection.introspection.table_names(cur)
        if "bench_state" not in tables:
            return False
        cur.execute("SELECT history, open FROM bench_state")
        row = cur.fetchone()
    return row is not None and tuple(row) == (HISTORY, OPEN)


def setup() -> None:
    from tests.conftest import ensure_county

    from yichuang.catalog.models import Item
    from yichuang.demo import catalog, queueing
    from yichuang.demo.base import DemoRun
    from yichuang.org.models import Centre, Department

    call_command("migrate", verbosity=0)
    ensure_county()
    if Item.objects.exists():
        return
    run = DemoRun(seed=5)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=Centre.objects.get(code="county-hall"),
    )
    catalog.build(run)
    queueing.build(run)


def _series(lo: int, hi: int) -> str:
    """Rows n = lo … hi-1 as a subquery (portable between SQLite and PostgreSQL)."""
    if connection.vendor == "postgresql":
        return f"(SELECT generate_series({lo}, {hi - 1})::bigint AS n) s"
    return (
        f"(WITH RECURSIVE r(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM r WHERE n < {hi - 1})"
        " SELECT n FROM r) s"
    )


def _days_before(today: dt.date, expr: str) -> str:
    """SQL for the date ``expr`` days before ``today``."""
    if connection.vendor == "postgresql":
        return f"(DATE '{today.isoformat()}' - CAST({expr} AS integer))"
    return f"date('{today.isoformat()}', '-' || ({expr}) || ' days')"


def _days_after(date_sql: str, expr: str) -> str:
    if connection.vendor == "postgresql":
        return f"({date_sql} + CAST({expr} AS integer))"
    return f"date({date_sql}, '+' || ({expr}) || ' days')"


def _stamp(date_sql: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST({date_sql} AS timestamp) AT TIME ZONE 'UTC' + INTERVAL '2 hours'"
    return f"({date_sql} || ' 02:00:00')"


def fill() -> None:
    """HISTORY delivered cases over five years and OPEN cases at a review step
    (DEPT_OPEN of them in the medical insurance department)."""
    from yichuang.catalog.models import Item
    from yichuang.lib.crypto import keyed_hash
    from yichuang.org.models import Centre, Department
    from yichuang.vault.models import Person

    hall = Centre.objects.get(code="county-hall")
    items = list(Item.objects.published().filter(centres=hall).order_by("pk"))
    depts = {d.code: d.pk for d in Department.objects.all()}
    Person.objects.bulk_create(
        [
            Person(name="张三", id_number=(n := id_number(10_000 + i)), id_hash=keyed_hash(n, "id"))
            for i in range(PERSONS)
        ],
        ignore_conflicts=True,
    )
    person_ids = list(Person.objects.order_by("pk").values_list("pk", flat=True)[:PERSONS])
    today = timezone.localdate()
    now = timezone.now()
    others = [depts[c] for c in ("rs", "ga", "mz", "wj")]
    vendor = connection.vendor
    with connection.cursor() as cur:
        if vendor == "sqlite":
            cur.execute("PRAGMA synchronous = OFF")
            cur.execute("PRAGMA cache_size = -400000")
        for table in ("bench_item", "bench_person", "bench_state"):
            cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(
            "CREATE TABLE bench_item (k integer PRIMARY KEY, item_id bigint, version_id bigint,"
            " department_id bigint, title varchar(200))"
        )
        cur.executemany(
            "INSERT INTO bench_item VALUES (%s, %s, %s, %s, %s)",
            [(k, i.pk, i.current_version_id, i.department_id, i.name) for k, i in enumerate(items)],
        )
        cur.execute("CREATE TABLE bench_person (k integer PRIMARY KEY, person_id bigint)")
        cur.executemany(
            "INSERT INTO bench_person VALUES (%s, %s)", [(k, p) for k, p in enumerate(person_ids)]
        )
    cols = (
        "centre_id, version_id, item_id, person_id, title, status, decision, resume_status,"
        " receipt_code, received_at, accepted_on, committed_days, legal_days, stopped_days,"
        " extension_days, due_date, deadline_pending, deadline_provisional, department_id,"
        " visit_count, delivery_method, created_at, updated_at, notice_breach"
    )
    # A cheap deterministic scramble of n.
    h = "((s.n * 2654435761) % 1000003)"
    n_items, n_persons = len(items), len(person_ids)

    def insert(lo: int, hi: int, open_: bool, first_open: int) -> None:
        if open_:
            accepted = _days_before(today, f"{h} % 40")
            due = _days_after(accepted, f"3 + ({h} / 40) % 27")
            dept = (
                f"CASE WHEN s.n < {first_open + DEPT_OPEN} THEN {depts['yb']}"
                + "".join(f" WHEN {h} % 4 = {k} THEN {d}" for k, d in enumerate(others[:3]))
                + f" ELSE {others[3]} END"
            )
            status = "review"
        else:
            accepted = _days_before(today, f"30 + {h} % 1800")
            due = _days_after(accepted, "14")
            dept = "bi.department_id"
            status = "delivered"
        sql = (
            f"INSERT INTO cases_case ({cols})"
            f" SELECT {hall.pk}, bi.version_id, bi.item_id, bp.person_id, bi.title,"
            f" '{status}', '', '', 'b' || CAST(s.n AS varchar(20)),"
            f" {_stamp(accepted)}, {accepted}, 10, 20, 0, 0, {due}, %s, %s, {dept},"
            " 1, '', %s, %s, %s"
            f" FROM {_series(lo, hi)}"
            f" JOIN bench_item bi ON bi.k = s.n % {n_items}"
            f" JOIN bench_person bp ON bp.k = {h} % {n_persons}"
            " WHERE s.n >= 0"
        )
        with transaction.atomic(), connection.cursor() as cur:
            # Modulo signs are not placeholders.
            cur.execute(
                sql.replace("%", "%%").replace("%%s", "%s"), [False, False, now, now, False]
            )

    for open_, total, offset in ((False, HISTORY, 0), (True, OPEN, HISTORY)):
        for lo in range(offset, offset + total, BATCH):
            insert(lo, min(lo + BATCH, offset + total), open_, offset)
    # Open cases sit at a review step with its own due date.
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO cases_casestep (case_id, position, kind, name, department_id, share,"
            " due_date, state, created_at, updated_at)"
            " SELECT id, 2, 'review', '审查', department_id, 50, due_date, 'active', %s, %s"
            " FROM cases_case WHERE status = 'review'",
            [now, now],
        )
        cur.execute(
            "UPDATE cases_case SET current_step_id = (SELECT s.id FROM cases_casestep s"
            " WHERE s.case_id = cases_case.id AND s.position = 2) WHERE status = 'review'"
        )
        cur.execute("CREATE TABLE bench_state (history bigint, open bigint)")
        cur.execute("INSERT INTO bench_state VALUES (%s, %s)", [HISTORY, OPEN])
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        if vendor == "sqlite":
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.execute("PRAGMA synchronous = NORMAL")


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return round(values[min(len(values) - 1, int(len(values) * p))], 1)


def main() -> None:
    from tests.conftest import PASSWORD

    from yichuang.accounts.models import User
    from yichuang.cases.tasks import cards_refresh
    from yichuang.catalog.models import Item

    fresh = os.environ.get("BENCH_FRESH") == "1"
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    reused = not fresh and _filled()
    if not reused:
        if fresh and connection.vendor == "sqlite":
            connection.close()
            for f in WORK.glob("yichuang.sqlite3*"):
                f.unlink()
        setup()
        with connection.cursor() as cur:
            cur.execute("DELETE FROM cases_casestep")
            cur.execute("DELETE FROM cases_case")
        fill()
    fill_s = time.perf_counter() - t0
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM cases_card")
        cur.execute("DELETE FROM cases_caseevent WHERE type = 'card'")
    with connection.cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM cases_case")
        total_cases = cur.fetchone()[0]
    hall_code = "county-hall"

    # Intake through the API.
    client = Client()
    token = client.post(
        "/api/v1/auth/token",
        {"username": "clerk_county", "password": PASSWORD},
        content_type="application/json",
    ).json()["token"]
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    item = (
        Item.objects.published()
        .filter(centres__code=hall_code, current_version__case_type="promised")
        .order_by("pk")
        .first()
    )
    assert item is not None
    mats = [{"code": m.code, "source": "submitted"} for m in item.current_version.materials.all()]
    run = int(time.time())
    times, queries = [], []
    for i in range(WARMUP + INTAKES):
        body = {
            "item": item.code,
            "centre": hall_code,
            "applicant": {"name": "李四", "id_number": id_number(run * 1000 + i)},
            "materials": mats,
        }
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            resp = client.post("/api/v1/cases", body, content_type="application/json", **auth)
            elapsed = (time.perf_counter() - t) * 1000
        assert resp.status_code == 201, resp.content
        if i >= WARMUP:
            times.append(elapsed)
            queries.append(len(q.captured_queries))
    load_intake = os.getloadavg()[0]

    # The worker's pass.
    t = time.perf_counter()
    cards = cards_refresh()
    worker_s = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    again = cards_refresh()
    worker_again_s = round(time.perf_counter() - t, 2)
    load_worker = os.getloadavg()[0]

    # The desk list of the department with DEPT_OPEN open cases.
    desk = Client()
    desk.force_login(User.objects.get(username="yb_review1"))
    desk_times = []
    desk_queries = 0
    for _ in range(DESK_REQUESTS):
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as q:
            t = time.perf_counter()
            resp = desk.get("/cases/?view=department")
            desk_times.append((time.perf_counter() - t) * 1000)
        desk_queries = len(q.captured_queries)
        assert resp.status_code == 200
    load_desk = os.getloadavg()[0]
    print(
        json.dumps(
            {
                "bench": "cases",
                "database": connection.vendor,
                "historical_cases": HISTORY,
                "open_cases": OPEN,
                "cases_in_table": total_cases,
                "fill_seconds": round(fill_s, 1),
                "fill_reused": reused,
                "intake_p50_ms": pct(times, 0.5),
                "intake_p99_ms": pct(times, 0.99),
                "intake_target_p99_ms": 150,
                "intake_queries": max(queries),
                "worker_pass_seconds": worker_s,
                "worker_cards_recorded": cards,
                "worker_second_pass_seconds": worker_again_s,
                "worker_second_pass_cards": again,
                "worker_target_seconds": 30,
                "desk_department_open": DEPT_OPEN,
                "desk_p50_ms": pct(desk_times, 0.5),
                "desk_p95_ms": pct(desk_times, 0.95),
                "desk_target_p95_ms": 100,
                "desk_queries": desk_queries,
                "loadavg_1min": {
                    "intake": round(load_intake, 2),
                    "worker": round(load_worker, 2),
                    "desk": round(load_desk, 2),
                },
                "cores": os.cpu_count(),
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
