"""Demo step: the queues of every centre of 云溪县, which windows serve them, and
(with ``--months N``) N months of hall traffic (``demo/history``)."""

from __future__ import annotations

from yichuang.org.models import Centre, Window
from yichuang.queueing.models import Queue, WindowSkill

from .base import DemoRun
from .history import build_history

__all__ = ["build", "build_history", "build_slots", "build_structure"]

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
    ("tax", "税费缴纳", "K", "sw", 6),
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
    """Bookable half-hour slots for the next ``days`` days each centre is open
    (today included; the hours of ``org.opening``: make-up working days open,
    holidays closed, dated exceptions applied) in every queue but 办不成事反映;
    slots that exist are kept."""
    import datetime as dt

    from django.utils import timezone

    from yichuang.org.calendar import get_calendar
    from yichuang.org.opening import regular_opening, slot_starts
    from yichuang.queueing.models import AppointmentSlot

    cal = get_calendar()
    today = timezone.localdate()
    queues = list(Queue.objects.exclude(code="unsolved").select_related("centre"))
    hours: dict[int, list[tuple[dt.date, list[tuple[dt.time, dt.time]]]]] = {}
    for centre in {q.centre for q in queues}:
        wanted: list[tuple[dt.date, list[tuple[dt.time, dt.time]]]] = []
        day = today
        while len(wanted) < days and day < today + dt.timedelta(days=days * 3 + 14):
            opening = regular_opening(centre, day, cal=cal)
            if opening.open:
                wanted.append((day, slot_starts(opening, 30)))
            day += dt.timedelta(days=1)
        hours[centre.pk] = wanted
    slots = [
        AppointmentSlot(
            queue=q,
            day=d,
            start=start,
            end=end,
            capacity=4 if q.centre.kind == "county" else 2,
        )
        for q in queues
        for d, spans in hours[q.centre_id]
        for start, end in spans
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
