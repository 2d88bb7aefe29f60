"""Demo step: the queues of every centre of 云溪县, which windows serve them, and
(with ``--months N``) N months of hall traffic."""

from __future__ import annotations

from yichuang.org.models import Centre, Window
from yichuang.queueing.models import Queue, WindowSkill

from .base import DemoRun

# (code, name, prefix, department of the dedicated windows, minutes per service)
COUNTY_QUEUES = [
    ("general", "综合业务", "A", None, 7),
    ("social", "社保业务", "B", "rs", 9),
    ("medical", "医保业务", "C", "yb", 8),
    ("household", "户籍业务", "D", "ga", 10),
    ("civil", "民政业务", "E", "mz", 12),
    ("health", "卫生健康", "F", "wj", 8),
    ("disability", "残疾人服务", "G", "cl", 10),
    ("veterans", "退役军人服务", "H", "tyjr", 10),
    ("unsolved", "办不成事反映", "J", None, 15),
]
TOWNSHIP_QUEUES = [
    ("general", "综合业务", "A", None, 7),
    ("social", "社保医保", "B", None, 8),
]


def build_structure() -> dict[str, list[Queue]]:
    """Queues and window skills for every centre that has none yet."""
    made: dict[str, list[Queue]] = {}
    for centre in Centre.objects.all():
        if Queue.objects.filter(centre=centre).exists():
            continue
        county = centre.kind == "county"
        spec = COUNTY_QUEUES if county else TOWNSHIP_QUEUES
        queues = Queue.objects.bulk_create(
            [
                Queue(
                    centre=centre,
                    code=code,
                    name=name,
                    prefix=prefix,
                    sort_order=i,
                    service_minutes=minutes,
                    alert_waiting=20 if county else 10,
                    alert_wait_minutes=40 if county else 30,
                )
                for i, (code, name, prefix, _dept, minutes) in enumerate(spec)
            ]
        )
        by_code = {q.code: q for q in queues}
        by_dept = {dept: by_code[code] for code, _n, _p, dept, _m in spec if dept}
        skills = []
        for w in Window.objects.filter(centre=centre).select_related("department"):
            if w.department_id and w.department.code in by_dept:
                skills.append(WindowSkill(window=w, queue=by_dept[w.department.code], order=1))
                if county:
                    skills.append(WindowSkill(window=w, queue=by_code["general"], order=2))
            elif county and w.number == 21:
                skills.append(WindowSkill(window=w, queue=by_code["unsolved"], order=1))
            elif w.kind == "comprehensive" and not county and w.number == 3:
                skills.append(WindowSkill(window=w, queue=by_code["social"], order=1))
                skills.append(WindowSkill(window=w, queue=by_code["general"], order=2))
            elif w.kind == "comprehensive":
                skills.append(WindowSkill(window=w, queue=by_code["general"], order=1))
                skills += [
                    WindowSkill(window=w, queue=q, order=2)
                    for q in queues
                    if q.code not in ("general", "unsolved")
                ]
            else:  # green channel and flexible windows serve every queue
                skills += [
                    WindowSkill(window=w, queue=q, order=1) for q in queues if q.code != "unsolved"
                ]
        WindowSkill.objects.bulk_create(skills)
        made[centre.code] = queues
    return made


def build(run: DemoRun) -> None:
    made = build_structure()
    run.ctx["queues"] = made
    run.say(f"排队叫号：{sum(len(v) for v in made.values())} 个业务队列")
    if run.months:
        import time

        started = time.monotonic()
        n = build_history(run, run.months)
        run.say(f"排队历史：{run.months} 个月，{n} 张号（{time.monotonic() - started:.1f} 秒）")


# --- history ------------------------------------------------------------------------------

WEEKDAY_FACTOR = (1.35, 1.0, 0.95, 0.9, 1.05, 0.3, 0.3)
# Relative arrivals per half hour from 08:30 to 17:30 (lunch closed 12:00–14:00).
HALF_HOURS = [
    (8, 30, 1.3),
    (9, 0, 1.8),
    (9, 30, 1.9),
    (10, 0, 1.7),
    (10, 30, 1.4),
    (11, 0, 1.1),
    (11, 30, 0.7),
    (14, 0, 1.0),
    (14, 30, 1.3),
    (15, 0, 1.3),
    (15, 30, 1.1),
    (16, 0, 0.9),
    (16, 30, 0.6),
    (17, 0, 0.3),
]
PRIORITY_MIX = [
    ("normal", 0.88),
    ("elderly", 0.07),
    ("disabled", 0.02),
    ("pregnant", 0.01),
    ("military", 0.01),
    ("green", 0.01),
]
CHANNEL_MIX = [("kiosk", 0.8), ("greeter", 0.1), ("appointment", 0.07), ("mobile", 0.03)]


def _pick(rng, mix):
    x = rng.random()
    for value, p in mix:
        x -= p
        if x <= 0:
            return value
    return mix[0][0]


def build_history(run: DemoRun, months: int) -> int:
    """``months`` of hall traffic up to yesterday, bulk-inserted: tickets and their
    events, with Monday and post-holiday peaks, lunch breaks, service times by
    queue, no-shows, cancellations and transfers. Returns the number of tickets."""
    import datetime as dt
    import math
    import secrets

    from django.core.management.color import no_style
    from django.utils import timezone

    from yichuang.lib import workdays
    from yichuang.org.calendar import get_calendar
    from yichuang.queueing.models import Ticket, TicketEvent

    rng = run.rng
    cal = get_calendar()
    tz = timezone.get_current_timezone()
    end = timezone.localdate() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=int(months * 30.4))
    centres = list(Centre.objects.all())
    queues = {c.pk: list(Queue.objects.filter(centre=c).exclude(code="unsolved")) for c in centres}
    servers: dict[int, list[Window]] = {}
    for skill in WindowSkill.objects.filter(order=1).select_related("window"):
        if skill.window.kind != "flexible":
            servers.setdefault(skill.queue_id, []).append(skill.window)
    weights = {
        "general": 5,
        "social": 4,
        "medical": 3,
        "household": 3,
        "civil": 1.5,
        "health": 1,
        "disability": 0.6,
        "veterans": 0.5,
    }
    clerk_of: dict[int, list] = {}
    for staff in run.ctx.get("clerks", {}).values():
        for s in staff:
            clerk_of.setdefault(s.centre_id, []).append(s)
    from django.db import connection

    ops = connection.ops

    def ts(value):
        return ops.adapt_datetimefield_value(value) if value is not None else None

    t_cols = (
        "id",
        "centre_id",
        "queue_id",
        "day",
        "seq",
        "number",
        "status",
        "priority",
        "channel",
        "phone",
        "phone_hash",
        "id_number",
        "id_hash",
        "track_code",
        "rating_code",
        "issued_at",
        "sort_at",
        "called_at",
        "started_at",
        "finished_at",
        "window_id",
        "clerk_id",
        "first_ask_id",
        "recalls",
        "rejoined",
        "sms_sent",
        "created_at",
        "updated_at",
    )
    e_cols = (
        "centre_id",
        "ticket_id",
        "type",
        "old_status",
        "new_status",
        "window_id",
        "ticket_number",
        "window_number",
        "reason",
        "at",
    )
    t_sql = (
        f"INSERT INTO {Ticket._meta.db_table} ({', '.join(t_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(t_cols))})"
    )
    e_sql = (
        f"INSERT INTO {TicketEvent._meta.db_table} ({', '.join(e_cols)}) "
        f"VALUES ({', '.join(['%s'] * len(e_cols))})"
    )
    next_id = (Ticket.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    total = 0
    day = start
    previous_workday = None
    rows_t: list[tuple] = []
    rows_e: list[tuple] = []

    def flush():
        if rows_t:
            with connection.cursor() as cur:
                cur.executemany(t_sql, rows_t)
                cur.executemany(e_sql, rows_e)
            rows_t.clear()
            rows_e.clear()

    while day <= end:
        if not workdays.is_workday(cal, day):
            day += dt.timedelta(days=1)
            continue
        gap = (day - previous_workday).days if previous_workday else 1
        previous_workday = day
        factor = WEEKDAY_FACTOR[day.weekday()] * (1.5 if gap > 3 else 1.0)
        day_db = ops.adapt_datefield_value(day)
        for centre in centres:
            base = 420 if centre.kind == "county" else 55
            n = int(base * factor * rng.uniform(0.85, 1.15))
            qs = queues[centre.pk]
            qw = [weights.get(q.code, 1) for q in qs]
            arrivals: dict[int, list[dt.datetime]] = {q.pk: [] for q in qs}
            slot_weights = [w for *_x, w in HALF_HOURS]
            for _ in range(n):
                h, m, _w = rng.choices(HALF_HOURS, weights=slot_weights)[0]
                at = dt.datetime(day.year, day.month, day.day, h, m, tzinfo=tz) + dt.timedelta(
                    seconds=rng.randrange(1800)
                )
                arrivals[rng.choices(qs, weights=qw)[0].pk].append(at)
            clerks = clerk_of.get(centre.pk) or []
            for q in qs:
                times = sorted(arrivals[q.pk])
                wins = servers.get(q.pk) or list(Window.objects.filter(centre=centre)[:1])
                free = [dt.datetime(day.year, day.month, day.day, 8, 30, tzinfo=tz)] * len(wins)
                mu = math.log(float(q.service_minutes)) - 0.08
                for seq, issued in enumerate(times, start=1):
                    k = min(range(len(free)), key=free.__getitem__)
                    called = max(issued, free[k])
                    if called.hour in (12, 13):
                        called = called.replace(hour=14, minute=0)
                    r = rng.random()
                    status = "done" if r > 0.06 else ("no_show" if r > 0.02 else "cancelled")
                    window = wins[k]
                    clerk_id = clerks[window.number % len(clerks)].pk if clerks else None
                    number = f"{q.prefix}{seq:03d}"
                    tid = next_id
                    next_id += 1
                    rows_e.append(
                        (
                            centre.pk,
                            tid,
                            "issued",
                            "",
                            "waiting",
                            None,
                            number,
                            None,
                            "",
                            ts(issued),
                        )
                    )
                    started = rating = None
                    if status == "cancelled":
                        called_at, win_id, clerk = None, None, None
                        finished = issued + dt.timedelta(minutes=5)
                        rows_e.append(
                            (
                                centre.pk,
                                tid,
                                "cancelled",
                                "waiting",
                                "cancelled",
                                None,
                                number,
                                None,
                                "",
                                ts(finished),
                            )
                        )
                    else:
                        called_at, win_id, clerk = called, window.pk, clerk_id
                        rows_e.append(
                            (
                                centre.pk,
                                tid,
                                "called",
                                "waiting",
                                "called",
                                win_id,
                                number,
                                window.number,
                                "",
                                ts(called),
                            )
                        )
                        if status == "no_show":
                            finished = called + dt.timedelta(minutes=2)
                            rows_e.append(
                                (
                                    centre.pk,
                                    tid,
                                    "no_show",
                                    "called",
                                    "no_show",
                                    win_id,
                                    number,
                                    window.number,
                                    "",
                                    ts(finished),
                                )
                            )
                        else:
                            service = max(1.0, rng.lognormvariate(mu, 0.4))
                            started = called + dt.timedelta(seconds=30)
                            finished = called + dt.timedelta(minutes=service)
                            rating = secrets.token_urlsafe(9)
                            rows_e.append(
                                (
                                    centre.pk,
                                    tid,
                                    "finished",
                                    "serving",
                                    "done",
                                    win_id,
                                    number,
                                    window.number,
                                    "",
                                    ts(finished),
                                )
                            )
                        free[k] = finished
                    rows_t.append(
                        (
                            tid,
                            centre.pk,
                            q.pk,
                            day_db,
                            seq,
                            number,
                            status,
                            _pick(rng, PRIORITY_MIX),
                            _pick(rng, CHANNEL_MIX),
                            "",
                            "",
                            "",
                            "",
                            secrets.token_urlsafe(12),
                            rating,
                            ts(issued),
                            ts(issued),
                            ts(called_at),
                            ts(started),
                            ts(finished),
                            win_id,
                            clerk,
                            clerk,
                            0,
                            False,
                            False,
                            ts(finished),
                            ts(finished),
                        )
                    )
                    total += 1
            if len(rows_t) >= 20000:
                flush()
        day += dt.timedelta(days=1)
    flush()
    with connection.cursor() as cur:
        for sql in ops.sequence_reset_sql(no_style(), [Ticket]):
            cur.execute(sql)
    return total
