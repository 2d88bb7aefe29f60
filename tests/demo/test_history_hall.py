"""The demo history is a hall: one citizen at a time per window, called by the
product's calling rule, served by the window's own clerk (B while A is away),
inside the hours the centre keeps, with the year's seasons, and cases taken
where and when a hall takes them."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from collections import Counter, defaultdict

import pytest
from django.db.models import Count, Q
from django.utils import timezone
from tests.queueing.conftest import at10, hall, issue  # noqa: F401  (fixtures)

from yichuang.cases.models import Case
from yichuang.demo.base import DemoRun
from yichuang.demo.history import generate
from yichuang.demo.history.calling import Line, SimTicket
from yichuang.demo.history.seasons import queue_factor
from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre, OpeningException, Post, StaffAbsence
from yichuang.org.opening import regular_opening
from yichuang.queueing.actions import pick_next, picking
from yichuang.queueing.models import Queue, Ticket, WindowSkill

# 2026: the Labour Day break (05-01 … 05-05), then the make-up Saturday 05-09.
START, END = dt.date(2026, 4, 27), dt.date(2026, 5, 15)
MAKEUP_SATURDAY = dt.date(2026, 5, 9)
TODAY = dt.date(2026, 6, 30)


def _local(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%H:%M:%S")


@pytest.fixture
def away(world):
    """The A clerk of county-hall window 5 on training for the three days after the break."""
    post = Post.objects.get(centre__code="county-hall", window__number=5)
    return StaffAbsence.objects.create(
        staff=post.a_staff, start=dt.date(2026, 5, 6), end=dt.date(2026, 5, 8), kind="training"
    )


@pytest.fixture
def closed(world):
    """城关镇 closed for a day (闭厅), 桃源乡 on weekend duty the Sunday after."""
    OpeningException.objects.create(
        centre=Centre.objects.get(code="chengguan"), date=dt.date(2026, 5, 13), kind="closure"
    )
    return OpeningException.objects.create(
        centre=Centre.objects.get(code="taoyuan"),
        date=dt.date(2026, 5, 10),
        kind="weekend_duty",
        spans=[["09:00", "12:00"]],
    )


@pytest.fixture
def spring(world, away, closed):
    generate(start=START, end=END, days=(END - START).days + 1, per_day=150, seed=8, today=TODAY)
    return Ticket.objects.filter(day__gte=START, day__lte=END)


def test_a_window_serves_one_citizen_at_a_time(spring):
    spans = defaultdict(list)
    for window, called, finished in spring.filter(called_at__isnull=False).values_list(
        "window_id", "called_at", "finished_at"
    ):
        spans[window].append((called, finished))
    assert len(spans) > 20
    for window, served in spans.items():
        served.sort()
        for (_c1, f1), (c2, _f2) in itertools.pairwise(served):
            assert c2 >= f1, (window, f1, c2)


def test_the_clerk_is_the_window_s_own_a_or_b_while_a_is_away(spring, away):
    posts = {
        p.window_id: (p.a_staff_id, p.b_staff_id) for p in Post.objects.filter(window__isnull=False)
    }
    away_days = {away.start + dt.timedelta(days=i) for i in range(3)}
    b_served = 0
    for window, clerk, day in spring.filter(called_at__isnull=False).values_list(
        "window_id", "clerk_id", "day"
    ):
        a, b = posts[window]
        if a == away.staff_id and day in away_days:
            assert clerk == b
            b_served += 1
        else:
            assert clerk == a
    assert b_served > 0
    # every ticket a window called has its window and its clerk
    assert not spring.filter(called_at__isnull=False, clerk__isnull=True).exists()
    assert not spring.filter(called_at__isnull=False, window__isnull=True).exists()


def test_nobody_arrives_or_is_called_outside_the_hours_or_over_lunch(spring):
    cal = get_calendar()
    hours = {}
    for centre in Centre.objects.all():
        for i in range((END - START).days + 1):
            day = START + dt.timedelta(days=i)
            hours[(centre.pk, day)] = regular_opening(centre, day, cal=cal).hours
    rows = spring.values_list("centre_id", "day", "issued_at", "called_at", "channel")
    assert rows
    for centre, day, issued, called, channel in rows:
        spans = hours[(centre, day)]
        assert spans, (centre, day)
        for at in (issued if channel != "transfer" else None, called):
            if at is not None:
                hhmm = _local(at)[:5]
                assert any(a <= hhmm < b for a, b in spans), (centre, day, hhmm)
                assert not "12:00" <= hhmm < "14:00"


def test_the_hall_opens_on_a_make_up_saturday_at_weekday_volume(spring):
    assert wd.is_workday(get_calendar(), MAKEUP_SATURDAY)
    per_day = Counter(
        spring.filter(centre__code="county-hall")
        .exclude(channel="transfer")
        .values_list("day", flat=True)
    )
    weekdays = [per_day[dt.date(2026, 5, d)] for d in (12, 13, 14)]  # Tue–Thu after
    assert per_day[MAKEUP_SATURDAY] > 0.7 * sum(weekdays) / len(weekdays)
    assert not any(d.weekday() >= 5 and d != MAKEUP_SATURDAY for d in per_day)


def test_a_closure_closes_and_a_weekend_duty_opens_a_centre(spring, closed):
    assert not spring.filter(centre__code="chengguan", day=dt.date(2026, 5, 13)).exists()
    assert spring.filter(centre__code="yunxi", day=dt.date(2026, 5, 13)).exists()
    duty = spring.filter(centre=closed.centre, day=closed.date)
    assert duty.exists()
    assert all("09:00" <= _local(t)[:5] < "12:00" for t in duty.values_list("issued_at", flat=True))
    # no case is accepted on the duty Sunday: not a working day
    assert not Case.objects.filter(accepted_on=closed.date).exists()


def test_the_line_is_heavier_in_its_season(world):
    may, aug, nov = dt.date(2026, 5, 12), dt.date(2026, 8, 11), dt.date(2026, 11, 10)
    assert queue_factor(aug, "household", county=True) > queue_factor(may, "household", county=True)
    assert queue_factor(nov, "medical", county=True) > queue_factor(may, "medical", county=True)
    counts = {}
    for seed, first in enumerate((may, aug, nov)):
        generate(start=first, days=4, per_day=200, seed=seed, cases=False, ratings=False)
        counts[first] = Counter(
            Ticket.objects.filter(
                centre__code="county-hall", day__gte=first, day__lt=first + dt.timedelta(days=4)
            )
            .exclude(channel="transfer")
            .values_list("queue__code", flat=True)
        )
    assert counts[aug]["household"] > counts[may]["household"]
    assert counts[nov]["medical"] > counts[may]["medical"]
    assert counts[nov]["tax"] > counts[may]["tax"]


def test_cases_are_taken_where_and_when_a_hall_takes_them(spring):
    cal = get_calendar()
    cases = Case.objects.filter(accepted_on__gte=START)
    assert all(wd.is_workday(cal, d) for d in cases.dates("accepted_on", "day"))
    for received in cases.values_list("received_at", flat=True):
        assert not "12:00" <= _local(received)[:5] < "14:00"
    townships = cases.filter(centre__kind="township")
    names = set(townships.values_list("item__current_version__name", flat=True))
    assert {"最低生活保障申请", "临时救助申请"} & names
    by_item = dict(
        cases.values("item__current_version__name")
        .annotate(n=Count("id"))
        .values_list("item__current_version__name", "n")
    )
    assert by_item.get("社会保障卡申领", 0) > 3 * by_item.get("工伤认定申请", 0)
    # the clerk who served the visit accepted the case; a late case's card names them
    assert not cases.filter(accepted_by__isnull=True).exists()


@pytest.mark.parametrize("seed", range(4))
def test_the_line_in_memory_ranks_as_the_real_pick(hall, issue, at10, seed):  # noqa: F811
    rng = random.Random(seed)
    window = hall.windows.get(number=1)
    queues = Queue.objects.filter(
        pk__in=WindowSkill.objects.filter(window=window).values("queue_id")
    ).exclude(code="unsolved")
    for q in queues:
        q.interleave_ratio = rng.choice([0, 1, 2, 3])
        q.ageing_minutes = rng.choice([0, 10, 25])
        q.save()
    codes = [q.code for q in queues]
    line = Line()
    priorities = ["normal"] * 5 + ["elderly", "disabled", "pregnant", "military", "green"]
    for i in range(30):
        t = issue(rng.choice(codes), priority=rng.choice(priorities), at=at10(-60 + i))
        if rng.random() < 0.15:  # an appointment, inside or outside its time window
            start = at10(rng.choice([-20, 5, 25]))
            t.appt_from, t.appt_until = start, start + dt.timedelta(minutes=30)
            Ticket.objects.filter(pk=t.pk).update(appt_from=t.appt_from, appt_until=t.appt_until)
        line.add(
            SimTicket(
                pk=t.pk,
                queue_id=t.queue_id,
                priority=t.priority,
                sort_at=t.sort_at,
                issued_at=t.issued_at,
                number=t.number,
                seq=t.seq,
                channel=t.channel,
                fate="done",
                minutes=5,
                appt_from=t.appt_from,
                appt_until=t.appt_until,
            )
        )
    tiers = picking.window_queues(window.pk)
    queue_ids = [q.pk for tier in tiers for q in tier]
    recent: list[str] = []
    called = 0
    for step in range(40):
        now = at10(step)
        real = pick_next(window, now, tiers, list(recent))
        mine = line.pick(tiers, queue_ids, recent, window.pk, now)
        assert (mine and mine.pk) == (real and real.pk)
        if real is None:
            break
        Ticket.objects.filter(pk=real.pk).update(status="called")
        line.take(mine, "called")  # type: ignore[arg-type]
        recent.insert(0, real.priority)
        called += 1
    assert called == 30


def test_the_demo_s_absences_leave_every_post_covered(county):
    from yichuang.demo import absences

    run = DemoRun(seed=3, months=3)
    absences.build(run)
    rows = list(StaffAbsence.objects.values_list("staff_id", "start", "end", "kind"))
    assert {"leave", "training"} <= {kind for *_x, kind in rows}
    spans = defaultdict(list)
    for staff, start, end, _kind in rows:
        assert all(end < s or e < start for s, e in spans[staff])  # no overlap
        spans[staff].append((start, end))
    for a, b in Post.objects.filter(window__isnull=False).values_list("a_staff_id", "b_staff_id"):
        for s1, e1 in spans[a]:
            assert all(e1 < s2 or e2 < s1 for s2, e2 in spans[b]), (a, b)


def test_the_demo_s_cases_come_through_the_clerks_who_served(county):
    from yichuang.cases.models import Card, CaseVisit
    from yichuang.demo import cases, catalog, queueing
    from yichuang.org.models import Department

    run = DemoRun(seed=4, months=1, scale="small")
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=county.hall,
    )
    catalog.build(run)
    queueing.build(run)
    cases.build(run)
    made = Case.objects.all()
    assert made.filter(centre__kind="township").exists()
    relief = ["最低生活保障申请", "临时救助申请"]
    assert made.filter(centre__kind="township", item__current_version__name__in=relief).exists()
    assert not made.filter(accepted_by__isnull=True).exists()
    cal = get_calendar()
    assert all(wd.is_workday(cal, d) for d in made.dates("accepted_on", "day"))
    visits = CaseVisit.objects.select_related("ticket", "case")
    assert visits.count() >= made.count()
    for v in visits:
        assert v.ticket.window_id is not None and v.ticket.clerk_id is not None
        assert v.ticket.centre_id == v.case.centre_id
    first = {v.case_id: v.ticket.clerk_id for v in visits.order_by("-at")}
    assert all(first[c.pk] == c.accepted_by_id for c in made.filter(visit_count=1))
    assert Card.objects.exists()
    assert not Card.objects.filter(staff__isnull=True).exists()
    assert not Card.objects.filter(department__isnull=True).exists()
    # every ticket a window called names the window and its clerk
    called = Ticket.objects.filter(called_at__isnull=False)
    assert not called.filter(Q(window__isnull=True) | Q(clerk__isnull=True)).exists()
