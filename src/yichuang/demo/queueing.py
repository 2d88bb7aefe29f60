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
        _link_items(centre, queues, by_dept, county=county)
        made[centre.code] = queues
    return made


def _link_items(centre, queues: list[Queue], by_dept: dict[str, Queue], *, county: bool) -> None:
    """Which catalogue items each queue serves: a department's items go to its
    own queue; in townships 社保医保 takes 人社 and 医保; everything else is
    综合业务. Items bound to other centres are left out."""
    from django.db.models import Q

    from yichuang.catalog.models import Item

    by_code = {q.code: q for q in queues}
    if not county:
        by_dept = {"rs": by_code["social"], "yb": by_code["social"]}
    links = []
    for item_id, dept in (
        Item.objects.filter(is_active=True)
        .filter(Q(centres__isnull=True) | Q(centres=centre))
        .distinct()
        .values_list("id", "department__code")
    ):
        queue = by_dept.get(dept) or by_code["general"]
        links.append(Queue.items.through(queue_id=queue.pk, item_id=item_id))
    Queue.items.through.objects.bulk_create(links, ignore_conflicts=True)


def build_slots(days: int = 7) -> int:
    """Bookable half-hour slots for the next ``days`` working days (today
    included) in every queue but 办不成事反映; slots that exist are kept."""
    import datetime as dt

    from django.utils import timezone

    from yichuang.lib import workdays
    from yichuang.org.calendar import get_calendar
    from yichuang.queueing.models import AppointmentSlot

    cal = get_calendar()
    starts = [dt.time(h, m) for h in (9, 10, 11, 14, 15, 16) for m in (0, 30)]
    starts = [t for t in starts if t != dt.time(11, 30)]
    day = timezone.localdate()
    wanted: list[dt.date] = []
    while len(wanted) < days:
        if workdays.is_workday(cal, day):
            wanted.append(day)
        day += dt.timedelta(days=1)
    slots = [
        AppointmentSlot(
            queue=q,
            day=d,
            start=t,
            end=(dt.datetime.combine(d, t) + dt.timedelta(minutes=30)).time(),
            capacity=4 if q.centre.kind == "county" else 2,
        )
        for q in Queue.objects.exclude(code="unsolved").select_related("centre")
        for d in wanted
        for t in starts
    ]
    return len(AppointmentSlot.objects.bulk_create(slots, ignore_conflicts=True))


def build(run: DemoRun) -> None:
    made = build_structure()
    run.ctx["queues"] = made
    build_slots()
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


TRANSFER_SHARE = 0.03  # finished visits that were handed on to another queue
APPOINTMENT_NO_SHOW_SHARE = 0.12  # bookings nobody checked in for


def build_history(run: DemoRun, months: int) -> int:
    """``months`` of hall traffic up to yesterday, bulk-inserted: tickets and their
    events, with Monday and post-holiday peaks, lunch breaks, service times by
    queue, no-shows, cancellations, transfers (the citizen keeps the number and
    is served at a window of another queue) and appointments (a slot per
    half-hour used, check-ins that became tickets, and bookings nobody came
    for). Returns the number of tickets.

    Speed: one transaction per batch of rows (SQLite commits each statement of
    an autocommit ``executemany`` on its own), timestamps formatted once without
    Django's per-value adapters, and ``synchronous = OFF`` on SQLite while it
    runs (a seed that dies half-way is simply run again with ``--reset``)."""
    import datetime as dt
    import math
    import secrets

    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from yichuang.lib import workdays
    from yichuang.org.calendar import get_calendar
    from yichuang.queueing.models import Appointment, AppointmentSlot, Ticket, TicketEvent

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
    first_window = {c.pk: Window.objects.filter(centre=c).first() for c in centres}
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

    sqlite = connection.vendor == "sqlite"
    # the pragma can't change inside a transaction (a test, a wrapping atomic)
    fast_sync = sqlite and not connection.in_atomic_block
    utc = dt.UTC
    ops = connection.ops

    def ts(value):
        if value is None:
            return None
        if sqlite:  # what Django's adapter stores: naive UTC text
            return str(value.astimezone(utc).replace(tzinfo=None))
        return value

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
        "transferred_from_id",
        "appointment_id",
        "appt_from",
        "appt_until",
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
    s_cols = (
        "id",
        "queue_id",
        "day",
        "start",
        "end",
        "capacity",
        "booked",
        "created_at",
        "updated_at",
    )
    a_cols = (
        "id",
        "slot_id",
        "code",
        "phone",
        "phone_hash",
        "status",
        "checked_in_at",
        "created_at",
        "updated_at",
    )

    def insert_sql(table: str, cols: tuple[str, ...]) -> str:
        names = ", ".join(connection.ops.quote_name(c) for c in cols)
        return f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(cols))})"

    t_sql = insert_sql(Ticket._meta.db_table, t_cols)
    e_sql = insert_sql(TicketEvent._meta.db_table, e_cols)
    s_sql = insert_sql(AppointmentSlot._meta.db_table, s_cols)
    a_sql = insert_sql(Appointment._meta.db_table, a_cols)

    def next_id(model) -> int:
        return (model.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    ids = {"t": next_id(Ticket), "s": next_id(AppointmentSlot), "a": next_id(Appointment)}
    used_codes = set(Appointment.objects.values_list("code", flat=True))
    total = 0
    day = start
    previous_workday = None
    rows_t: list[tuple] = []
    rows_e: list[tuple] = []
    rows_s: list[tuple] = []
    rows_a: list[tuple] = []

    def flush():
        with transaction.atomic(), connection.cursor() as cur:
            for sql, rows in ((s_sql, rows_s), (a_sql, rows_a), (t_sql, rows_t), (e_sql, rows_e)):
                if rows:
                    cur.executemany(sql, rows)
                    rows.clear()

    def new_code() -> str:
        while True:
            code = f"{rng.randrange(10**8):08d}"
            if code not in used_codes:
                used_codes.add(code)
                return code

    slot_weights = [w for *_x, w in HALF_HOURS]
    if fast_sync:
        with connection.cursor() as cur:
            cur.execute("PRAGMA synchronous = OFF")
    try:
        while day <= end:
            if not workdays.is_workday(cal, day):
                day += dt.timedelta(days=1)
                continue
            gap = (day - previous_workday).days if previous_workday else 1
            previous_workday = day
            factor = WEEKDAY_FACTOR[day.weekday()] * (1.5 if gap > 3 else 1.0)
            day_db = ops.adapt_datefield_value(day)
            opening = dt.datetime(day.year, day.month, day.day, 8, 30, tzinfo=tz)
            for centre in centres:
                total += _history_day(
                    rng,
                    centre=centre,
                    day_db=day_db,
                    opening=opening,
                    n=int(
                        (420 if centre.kind == "county" else 55) * factor * rng.uniform(0.85, 1.15)
                    ),
                    queues=queues[centre.pk],
                    weights=weights,
                    slot_weights=slot_weights,
                    servers=servers,
                    fallback=first_window[centre.pk],
                    clerks=clerk_of.get(centre.pk) or [],
                    ids=ids,
                    out=(rows_t, rows_e, rows_s, rows_a),
                    ts=ts,
                    new_code=new_code,
                    token=secrets.token_urlsafe,
                    math=math,
                )
                if len(rows_t) >= 20000:
                    flush()
            day += dt.timedelta(days=1)
        flush()
    finally:
        if fast_sync:
            with connection.cursor() as cur:
                cur.execute("PRAGMA synchronous = NORMAL")
    with connection.cursor() as cur:
        for sql in ops.sequence_reset_sql(no_style(), [Ticket, AppointmentSlot, Appointment]):
            cur.execute(sql)
    return total


def _history_day(
    rng,
    *,
    centre,
    day_db,
    opening,
    n,
    queues,
    weights,
    slot_weights,
    servers,
    fallback,
    clerks,
    ids,
    out,
    ts,
    new_code,
    token,
    math,
) -> int:
    """One centre's day: arrivals, calls, services, transfers and appointments."""
    import datetime as dt

    rows_t, rows_e, rows_s, rows_a = out
    qw = [weights.get(q.code, 1) for q in queues]
    arrivals: dict[int, list[dt.datetime]] = {q.pk: [] for q in queues}
    day_start = opening.replace(hour=0, minute=0)
    halves = rng.choices(HALF_HOURS, weights=slot_weights, k=n)
    picked = rng.choices(queues, weights=qw, k=n)
    for (h, m, _w), q in zip(halves, picked, strict=True):
        at = day_start + dt.timedelta(hours=h, minutes=m, seconds=rng.randrange(1800))
        arrivals[q.pk].append(at)
    others = [q for q in queues if q.code != "general"] or queues
    made = 0

    def event(tid, type_, old, new, window, number, at, reason=""):
        rows_e.append(
            (
                centre.pk,
                tid,
                type_,
                old,
                new,
                window.pk if window else None,
                number,
                window.number if window else None,
                reason,
                ts(at),
            )
        )

    def ticket(
        tid,
        q,
        seq,
        number,
        status,
        priority,
        channel,
        issued,
        called,
        started,
        finished,
        window,
        clerk,
        rating,
        transferred_from=None,
        appt=None,
    ):
        rows_t.append(
            (
                tid,
                centre.pk,
                q.pk,
                day_db,
                seq,
                number,
                status,
                priority,
                channel,
                "",
                "",
                "",
                "",
                token(12),
                rating,
                ts(issued),
                ts(issued),
                ts(called),
                ts(started),
                ts(finished),
                window.pk if window and called else None,
                clerk if called else None,
                clerk if called else None,
                transferred_from,
                appt[0] if appt else None,
                ts(appt[1]) if appt else None,
                ts(appt[2]) if appt else None,
                0,
                False,
                False,
                ts(finished or issued),
                ts(finished or issued),
            )
        )

    free_at: dict[tuple[int, int], dt.datetime] = {}
    slots: dict[tuple[int, dt.datetime], int] = {}

    def slot_for(q, issued):
        begin = issued.replace(minute=0 if issued.minute < 30 else 30, second=0, microsecond=0)
        key = (q.pk, begin)
        if key not in slots:
            sid = ids["s"]
            ids["s"] += 1
            slots[key] = sid
            stamp = ts(begin - dt.timedelta(days=2))
            no_shows = 1 if rng.random() < APPOINTMENT_NO_SHOW_SHARE else 0
            rows_s.append(
                (
                    sid,
                    q.pk,
                    day_db,
                    begin.time().isoformat(),
                    (begin + dt.timedelta(minutes=30)).time().isoformat(),
                    4,
                    no_shows,
                    stamp,
                    stamp,
                )
            )
            for _ in range(no_shows):
                aid = ids["a"]
                ids["a"] += 1
                rows_a.append((aid, sid, new_code(), "", "demo", "no_show", None, stamp, stamp))
        # a booking for the slot that was checked in
        aid = ids["a"]
        ids["a"] += 1
        stamp = ts(begin - dt.timedelta(days=1))
        rows_a.append(
            (aid, slots[key], new_code(), "", "demo", "checked_in", ts(issued), stamp, stamp)
        )
        return aid, begin - dt.timedelta(minutes=15), begin + dt.timedelta(minutes=30)

    def serve(q, issued):
        """The window that serves ``q`` next, and when it calls."""
        wins = servers.get(q.pk) or [fallback]
        k = min(range(len(wins)), key=lambda i: free_at.get((q.pk, wins[i].pk), opening))
        window = wins[k]
        called = max(issued, free_at.get((q.pk, window.pk), opening))
        if called.hour in (12, 13):
            called = called.replace(hour=14, minute=0)
        return window, called

    for q in queues:
        mu = math.log(float(q.service_minutes)) - 0.08
        for seq, issued in enumerate(sorted(arrivals[q.pk]), start=1):
            r = rng.random()
            status = "done" if r > 0.06 else ("no_show" if r > 0.02 else "cancelled")
            priority = _pick(rng, PRIORITY_MIX)
            channel = _pick(rng, CHANNEL_MIX)
            number = f"{q.prefix}{seq:03d}"
            tid = ids["t"]
            ids["t"] += 1
            made += 1
            appt = slot_for(q, issued) if channel == "appointment" else None
            event(tid, "issued", "", "waiting", None, number, issued, channel)
            if status == "cancelled":
                finished = issued + dt.timedelta(minutes=5)
                event(tid, "cancelled", "waiting", "cancelled", None, number, finished)
                ticket(
                    tid,
                    q,
                    seq,
                    number,
                    status,
                    priority,
                    channel,
                    issued,
                    None,
                    None,
                    finished,
                    None,
                    None,
                    None,
                    appt=appt,
                )
                continue
            window, called = serve(q, issued)
            clerk = clerks[window.number % len(clerks)].pk if clerks else None
            event(tid, "called", "waiting", "called", window, number, called)
            if status == "no_show":
                finished = called + dt.timedelta(minutes=2)
                event(tid, "no_show", "called", "no_show", window, number, finished)
                free_at[(q.pk, window.pk)] = finished
                ticket(
                    tid,
                    q,
                    seq,
                    number,
                    status,
                    priority,
                    channel,
                    issued,
                    called,
                    None,
                    finished,
                    window,
                    clerk,
                    None,
                    appt=appt,
                )
                continue
            started = called + dt.timedelta(seconds=30)
            service = max(1.0, rng.lognormvariate(mu, 0.4))
            if rng.random() < TRANSFER_SHARE and len(others) > 1:
                # asked the wrong window: handed on after a short talk, keeps the number
                handed = called + dt.timedelta(minutes=min(3.0, service / 2))
                event(tid, "started", "called", "serving", window, number, started)
                event(tid, "transferred", "serving", "transferred", window, number, handed)
                free_at[(q.pk, window.pk)] = handed
                ticket(
                    tid,
                    q,
                    seq,
                    number,
                    "transferred",
                    priority,
                    channel,
                    issued,
                    called,
                    started,
                    handed,
                    window,
                    clerk,
                    None,
                    appt=appt,
                )
                target = rng.choice([o for o in others if o.pk != q.pk])
                succ = ids["t"]
                ids["t"] += 1
                made += 1
                event(succ, "issued", "", "waiting", window, number, handed, "transfer")
                window2, called2 = serve(target, handed)
                clerk2 = clerks[window2.number % len(clerks)].pk if clerks else None
                finished2 = called2 + dt.timedelta(
                    minutes=max(
                        1.0, rng.lognormvariate(math.log(float(target.service_minutes)), 0.4)
                    )
                )
                event(succ, "called", "waiting", "called", window2, number, called2)
                event(succ, "finished", "serving", "done", window2, number, finished2)
                free_at[(target.pk, window2.pk)] = finished2
                ticket(
                    succ,
                    target,
                    None,
                    number,
                    "done",
                    priority,
                    "transfer",
                    issued,
                    called2,
                    called2 + dt.timedelta(seconds=30),
                    finished2,
                    window2,
                    clerk2,
                    token(9),
                    transferred_from=tid,
                )
                continue
            finished = called + dt.timedelta(minutes=service)
            event(tid, "finished", "serving", "done", window, number, finished)
            free_at[(q.pk, window.pk)] = finished
            ticket(
                tid,
                q,
                seq,
                number,
                status,
                priority,
                channel,
                issued,
                called,
                started,
                finished,
                window,
                clerk,
                token(9),
                appt=appt,
            )
    return made
