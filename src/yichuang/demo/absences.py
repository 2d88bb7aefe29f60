"""Demo step: the window clerks' dated absences (``org.StaffAbsence``) over the
months of history and the weeks ahead — annual and sick leave, the county's
training days, a business trip now and then — so that the history's windows
pass to their B clerks (demo/history) and the director sees who is away.

A clerk is away at most once at a time, and never while the B clerk of the
same post is away: the demo's windows are always covered."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Post, StaffAbsence

from .base import DemoRun

AHEAD = 30  # days of absences already entered past today
LEAVE_PER_MONTH = 0.2  # a clerk's chance of a leave starting in a month
TRAINING_EVERY = 45  # days between the county's training days
TRAINEES = 3  # clerks sent to each training
TRIP_PER_MONTH = 0.02

LEAVES = [
    ("leave", "年休假", (3, 5)),
    ("leave", "病假", (1, 3)),
    ("leave", "事假", (1, 2)),
]


def _workdays_from(cal, day: dt.date, n: int) -> dt.date:
    """The last of ``n`` working days starting on ``day`` (``day`` when n ≤ 1)."""
    end = day
    while n > 1:
        end += dt.timedelta(days=1)
        try:
            if wd.is_workday(cal, end):
                n -= 1
        except wd.CalendarYearMissing:
            n -= 1
    return end


def build(run: DemoRun) -> None:
    rng = run.rng
    cal = get_calendar()
    today = timezone.localdate()
    first = today - dt.timedelta(days=int(max(run.months, 1) * 30.4))
    last = today + dt.timedelta(days=AHEAD)
    posts = list(
        Post.objects.filter(window__isnull=False)
        .exclude(a_staff=None)
        .order_by("centre_id", "window__number")
        .values_list("a_staff_id", "b_staff_id")
    )
    partner: dict[int, set[int]] = {}
    for a, b in posts:
        partner.setdefault(a, set()).add(b)
        if b is not None:
            partner.setdefault(b, set()).add(a)
    busy: dict[int, list[tuple[dt.date, dt.date]]] = {}

    def free(staff: int, start: dt.date, end: dt.date) -> bool:
        """Neither the clerk nor a post partner is away in [start, end]."""
        for who in (staff, *partner.get(staff, ())):
            if any(s <= end and start <= e for s, e in busy.get(who, ())):
                return False
        return True

    rows: list[StaffAbsence] = []

    def add(staff: int, start: dt.date, end: dt.date, kind: str, note: str) -> None:
        if free(staff, start, end):
            busy.setdefault(staff, []).append((start, end))
            rows.append(StaffAbsence(staff_id=staff, start=start, end=end, kind=kind, note=note))

    clerks = [a for a, _b in posts]
    # the county's training days, a few clerks each
    day = first + dt.timedelta(days=rng.randrange(TRAINING_EVERY))
    while day <= last:
        if day.weekday() < 5:
            for staff in rng.sample(clerks, min(TRAINEES, len(clerks))):
                add(staff, day, day, "training", "业务培训（政务服务窗口规范化服务）")
        day += dt.timedelta(days=TRAINING_EVERY)
    # leave and business trips, month by month
    month = first
    while month <= last:
        for staff in clerks:
            roll = rng.random()
            start = month + dt.timedelta(days=rng.randrange(30))
            if start > last or start.weekday() >= 5:
                continue
            if roll < LEAVE_PER_MONTH:
                kind, note, (lo, hi) = rng.choice(LEAVES)
                add(staff, start, _workdays_from(cal, start, rng.randint(lo, hi)), kind, note)
            elif roll < LEAVE_PER_MONTH + TRIP_PER_MONTH:
                end = _workdays_from(cal, start, rng.randint(2, 3))
                add(staff, start, end, "trip", "出差（市级业务主管部门）")
        month += dt.timedelta(days=30)
    StaffAbsence.objects.bulk_create(rows)
    now_away = sum(1 for r in rows if r.start <= today <= r.end)
    run.say(f"人员请假与培训：{len(rows)} 条不在岗登记（今天不在岗 {now_away} 人）")
