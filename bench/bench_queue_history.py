"""Hot paths don't grow with history (issue 4; docs/architecture.md): issue and call-next
latency on a hall with no history vs the same hall with 5 million historical
tickets (and a `called` event for each). Prints one JSON line with the p50/p99
of both and their ratios (target: < 1.3).

The two PostgreSQL databases are built once and reused (BENCH_REUSE=1): the
demo county, plus in the big one BENCH_HISTORY (5,000,000) tickets spread over
the county hall's past days, generated inside PostgreSQL with
`INSERT … SELECT generate_series` (minutes, not hours) and ANALYZEd.

Each round runs in a fresh child process per database, alternating, and drives
the full request stack in-process (Django's test client: middleware, ninja,
auth, ORM, PostgreSQL) so that HTTP and process scheduling noise on a shared
2-core machine stay out of the comparison. BENCH_ROUNDS (3) rounds of
BENCH_OPS (150) issues and call-next+finish each.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_queue_load import PG, django_setup, load_average, pct, prepare_database

SMALL = os.environ.get("BENCH_DATABASE_SMALL", f"{PG}/yichuang_bench_h0")
BIG = os.environ.get("BENCH_DATABASE_BIG", f"{PG}/yichuang_bench_h5m")
HISTORY = int(os.environ.get("BENCH_HISTORY", "5000000"))
PER_DAY = 4000


def generate_history(db_url: str, n: int) -> float:
    """``n`` finished tickets of the county hall on the days before its seeded
    history, and their call events."""
    import psycopg

    started = time.monotonic()
    with psycopg.connect(db_url, autocommit=True) as c:
        c.execute("CREATE TABLE IF NOT EXISTS bench_marker (what text)")
        if c.execute("SELECT 1 FROM bench_marker WHERE what = %s", [f"history={n}"]).fetchone():
            return 0.0
        hall = c.execute("SELECT id FROM org_centre WHERE code = 'county-hall'").fetchone()[0]
        queues = [
            r[0]
            for r in c.execute(
                "SELECT id FROM queueing_queue WHERE centre_id = %s ORDER BY id", [hall]
            )
        ]
        windows = [
            r[0]
            for r in c.execute("SELECT id FROM org_window WHERE centre_id = %s ORDER BY id", [hall])
        ]
        c.execute("SET synchronous_commit = off")
        c.execute("SET maintenance_work_mem = '256MB'")
        base = c.execute("SELECT coalesce(max(id), 0) FROM queueing_ticket").fetchone()[0]
        # The days before the seeded ones (seed-demo writes a few weeks even with --months 0).
        first = c.execute(
            "SELECT coalesce(min(day), current_date) FROM queueing_ticket WHERE centre_id = %s",
            [hall],
        ).fetchone()[0]
        c.execute(
            """
            INSERT INTO queueing_ticket (centre_id, queue_id, day, seq, number, status, priority,
                channel, phone, phone_hash, id_number, id_hash, track_code, rating_code,
                issued_at, sort_at, called_at, started_at, finished_at, window_id, clerk_id,
                first_ask_id, recalls, rejoined, sms_sent, created_at, updated_at)
            SELECT %(hall)s, q, d, s, 'H' || lpad(s::text, 4, '0'), 'done', 'normal', 'kiosk',
                '', '', '', '', md5('bench' || g), 'r' || g,
                t, t, t + interval '10 min', t + interval '11 min', t + interval '18 min',
                w, NULL, NULL, 0, false, false, t, t
            FROM (
                SELECT g,
                    (%(queues)s::bigint[])[1 + (g %% %(per_day)s) %% %(nq)s] AS q,
                    %(first)s::date - 1 - (g / %(per_day)s)::int AS d,
                    (g %% %(per_day)s) / %(nq)s + 1 AS s,
                    (%(first)s::date - 1 - (g / %(per_day)s)::int) + time '08:30'
                        + (g %% %(per_day)s) * interval '8 seconds' AS t,
                    (%(windows)s::bigint[])[1 + g %% %(nw)s] AS w
                FROM generate_series(0, %(n)s - 1) g
            ) x
            """,
            {
                "hall": hall,
                "first": first,
                "queues": queues,
                "nq": len(queues),
                "windows": windows,
                "nw": len(windows),
                "per_day": PER_DAY,
                "n": n,
            },
        )
        c.execute(
            """
            INSERT INTO queueing_ticketevent (centre_id, ticket_id, type, old_status,
                new_status, window_id, ticket_number, window_number, reason, at)
            SELECT centre_id, id, 'called', 'waiting', 'called', window_id, number, NULL, '',
                called_at
            FROM queueing_ticket WHERE id > %s ORDER BY id
            """,
            [base],
        )
        c.execute("ANALYZE")
        c.execute("INSERT INTO bench_marker VALUES (%s)", [f"history={n}"])
    return time.monotonic() - started


def measure(db_url: str, ops: int) -> dict:
    """One round in this process: ``ops`` issues and call-next+finish at 5 windows."""
    os.environ["YICHUANG_ALLOWED_HOSTS"] = "testserver"
    django_setup(db_url)
    os.environ["YICHUANG_ALLOWED_HOSTS"] = "testserver"
    from django.conf import settings
    from django.test import Client

    from bench_queue_load import fresh_day, hall_setup

    settings.ALLOWED_HOSTS = ["testserver"]
    fresh_day()
    setup = hall_setup(0, 1)
    from yichuang.accounts.actions import api_token_issue
    from yichuang.accounts.models import User
    from yichuang.org.models import Window

    general = list(
        Window.objects.filter(
            centre__code="county-hall", skills__queue__code="general", skills__order=1
        )
        .distinct()
        .order_by("number")[:5]
    )
    client = Client()
    clerks = []
    for w in general:
        user = User.objects.get(username=f"clerk_w{w.number:02d}")
        token = api_token_issue(user=user)
        client.post(f"/api/v1/windows/{w.pk}/open", HTTP_AUTHORIZATION=f"Bearer {token}")
        clerks.append((w.pk, token))
    kiosk = setup["kiosks"][0][1]
    body = json.dumps({"queue": "general", "channel": "kiosk"})
    issue, call = [], []
    for i in range(ops):
        t = time.perf_counter()
        r = client.post(
            "/api/v1/centres/county-hall/tickets",
            body,
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {kiosk}",
        )
        issue.append(time.perf_counter() - t)
        assert r.status_code == 201, r.content
        wid, token = clerks[i % len(clerks)]
        t = time.perf_counter()
        r = client.post(f"/api/v1/windows/{wid}/call-next", HTTP_AUTHORIZATION=f"Bearer {token}")
        call.append(time.perf_counter() - t)
        assert r.status_code == 200, r.content
        client.post(f"/api/v1/windows/{wid}/finish", HTTP_AUTHORIZATION=f"Bearer {token}")
    return {
        "issue_p50": pct(issue[10:], 0.5),
        "issue_p99": pct(issue[10:], 0.99),
        "call_p50": pct(call[10:], 0.5),
        "call_p99": pct(call[10:], 0.99),
    }


def main() -> int:
    if len(sys.argv) == 3 and sys.argv[1] == "--measure":
        print(json.dumps(measure(sys.argv[2], int(os.environ.get("BENCH_OPS", "150")))))
        return 0
    reuse = os.environ.get("BENCH_REUSE", "1") == "1"
    rounds = int(os.environ.get("BENCH_ROUNDS", "3"))
    prepare_database(SMALL, reuse=reuse)
    prepare_database(BIG, reuse=reuse)
    gen_seconds = generate_history(BIG, HISTORY)
    import psycopg

    with psycopg.connect(BIG) as c:
        big_tickets = c.execute("SELECT count(*) FROM queueing_ticket").fetchone()[0]
    with psycopg.connect(SMALL) as c:
        small_tickets = c.execute("SELECT count(*) FROM queueing_ticket").fetchone()[0]
    load_before = load_average()
    results: dict[str, list[dict]] = {"small": [], "big": []}
    for _ in range(rounds):
        for key, db in (("small", SMALL), ("big", BIG)):
            out = subprocess.run(
                [sys.executable, __file__, "--measure", db],
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            results[key].append(json.loads(out.strip().splitlines()[-1]))

    def med(key: str, field: str) -> float:
        return round(statistics.median(r[field] for r in results[key]), 1)

    out = {
        "bench": "queue_history",
        "database": "postgresql",
        "tickets_small": small_tickets,
        "tickets_big": big_tickets,
        "history_generated_s": round(gen_seconds, 1),
        "rounds": rounds,
    }
    for field in ("issue_p50", "issue_p99", "call_p50", "call_p99"):
        out[f"{field}_ms_0"] = med("small", field)
        out[f"{field}_ms_5m"] = med("big", field)
        out[f"{field}_ratio"] = round(med("big", field) / med("small", field), 2)
    out["load_average_before"] = load_before
    out["load_average_after"] = load_average()
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
