"""Honesty: every KPI read from the roll-ups equals the same KPI computed
straight from the raw rows (tickets, cases, visits, cards, ratings,
rectifications, catalogue) for a generated history."""

from __future__ import annotations

import datetime as dt
import math
import statistics
import zoneinfo

import pytest
from django.core.management import call_command
from django.db.models import Count

from yichuang.catalog.models import Item
from yichuang.insights import kpis as k
from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre, Department
from yichuang.queueing.models import Ticket

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")
START = dt.date(2026, 2, 23)


def local(at):
    return at.astimezone(TZ).date()


def raw_ticket_department(ticket):
    """A ticket counts for its window's department; at a comprehensive window
    for the one department of its queue's items, else of its case's item,
    else of the clerk who served it."""
    from yichuang.cases.models import CaseVisit

    if ticket.window is not None and ticket.window.department_id:
        return ticket.window.department_id
    depts = set(ticket.queue.items.values_list("department_id", flat=True))
    if len(depts) == 1:
        return depts.pop()
    visit = CaseVisit.objects.filter(ticket=ticket, case__item__isnull=False).order_by("id").first()
    if visit is not None:
        return visit.case.item.department_id
    if ticket.clerk is not None and ticket.clerk.department_id:
        return ticket.clerk.department_id
    return None


def raw_card_day(card):
    """A card counts on the first day past the limit it is about, or the day
    it was recorded when that is earlier (or it is about no case limit)."""
    recorded = local(card.recorded_at)
    limit = {"committed": card.case.due_date, "statutory": card.case.statutory_due_date}.get(
        card.rule
    )
    return recorded if limit is None else min(recorded, limit + dt.timedelta(days=1))


def raw_kpis(centres, department, lo, hi):
    """The definitions of docs/domain.md ("The three targets", "Ratings") applied
    to raw rows, without the roll-ups."""
    from yichuang.cases.models import Card, Case, CaseVisit
    from yichuang.feedback.models import Rating, Rectification

    out = {}
    tickets = Ticket.objects.filter(day__gte=lo, day__lte=hi)
    ratings = Rating.objects.filter(day__gte=lo, day__lte=hi)
    if centres is not None:
        tickets = tickets.filter(centre_id__in=centres)
        ratings = ratings.filter(centre_id__in=centres)
    t = list(tickets.select_related("window", "clerk"))
    if department is not None:
        t = [x for x in t if raw_ticket_department(x) == department]
        ratings = ratings.filter(department_id=department)
    out["tickets"] = sum(1 for x in t if x.channel != "transfer")
    waits = [max(0, int((x.called_at - x.issued_at).total_seconds())) for x in t if x.called_at]
    out["avg_wait_minutes"] = sum(waits) / len(waits) / 60 if waits else None
    minutes = sorted(min(w // 60, 600) for w in waits)
    out["p90_wait_minutes"] = minutes[math.ceil(0.9 * len(minutes)) - 1] if minutes else None
    no_show = sum(1 for x in t if x.status == "no_show")
    out["no_show_rate"] = no_show / len(waits) if waits else None
    valid = [r.level for r in ratings if not r.excluded and not r.is_default]
    out["ratings"] = len(valid)
    out["satisfaction_rate"] = sum(1 for v in valid if v >= 3) / len(valid) if valid else None
    out["bad_rating_rate"] = sum(1 for v in valid if v <= 2) / len(valid) if valid else None

    cases = Case.objects.filter(
        item__isnull=False, status__in=("completed", "delivered"), completed_at__isnull=False
    ).select_related("item")
    if centres is not None:
        cases = cases.filter(centre_id__in=centres)
    if department is not None:
        cases = cases.filter(item__department_id=department)
    done = [c for c in cases if lo <= local(c.completed_at) <= hi]
    visits = dict(
        CaseVisit.objects.filter(case__in=[c.id for c in done])
        .values("case_id")
        .annotate(n=Count("id"))
        .values_list("case_id", "n")
    )
    out["cases"] = len(done)
    out["one_visit_share_cases"] = (
        sum(1 for c in done if visits.get(c.id, 0) <= 1) / len(done) if done else None
    )
    out["on_time_rate"] = (
        sum(1 for c in done if local(c.completed_at) <= c.due_date) / len(done) if done else None
    )
    cal = get_calendar()
    days = [
        max(0, wd.count_workdays(cal, c.accepted_on, local(c.completed_at)) - c.stopped_days)
        for c in done
    ]
    out["median_workdays"] = statistics.median(days) if days else None
    cards = Card.objects.select_related("case__item")
    if centres is not None:
        cards = cards.filter(case__centre_id__in=centres)
    if department is not None:
        cards = cards.filter(department_id=department)
    cards = [c for c in cards if lo <= raw_card_day(c) <= hi]
    out["yellow_cards"] = sum(1 for c in cards if c.level == "yellow")
    out["red_cards"] = sum(1 for c in cards if c.level == "red")

    rects = Rectification.objects.filter(rectify_due__gte=lo, rectify_due__lte=hi)
    if centres is not None:
        rects = rects.filter(centre_id__in=centres)
    if department is not None:
        rects = rects.filter(department_id=department)
    today = dt.date.today()
    on_time = late = overdue = 0
    for r in rects:
        if r.status in ("feedback_given", "closed"):
            at = r.feedback_at or r.closed_at
            if local(at) <= r.rectify_due:
                on_time += 1
            else:
                late += 1
        elif r.rectify_due < today:
            overdue += 1
    settled = on_time + late + overdue
    out["rectification_on_time_rate"] = on_time / settled if settled else None

    items = Item.objects.filter(current_version__isnull=False, is_active=True)
    if centres is not None:
        items = items.filter(centres__in=centres).distinct()
    if department is not None:
        items = items.filter(department_id=department)
    visits_required = [i.current_version.visits_required for i in items.select_related()]
    out["one_visit_coverage"] = (
        sum(1 for v in visits_required if v <= 1) / len(visits_required)
        if visits_required
        else None
    )
    return out


@pytest.fixture
def long_history(world):
    from yichuang.demo.history import generate

    # Four weeks before the Spring Festival too: with a county's mix of items
    # (most of them done on the spot) a baseline needs more than a week of cases.
    generate(start=START - dt.timedelta(days=28), days=42, seed=3, per_day=30)
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115


PERIODS = [
    (dt.date(2026, 2, 1), dt.date(2026, 4, 30)),  # whole months
    (dt.date(2026, 2, 25), dt.date(2026, 3, 4)),  # days across a month end
    (dt.date(2026, 2, 1), dt.date(2026, 3, 17)),  # a month and days
]


def assert_kpis_equal_raw(lo, hi) -> dict:
    """Every KPI of the county, the county hall and the rs department over
    [lo, hi] equals the one recomputed from raw rows; returns them by scope."""
    hall = Centre.objects.get(code="county-hall")
    rs = Department.objects.get(code="rs")
    scopes = [
        (k.system_scope("county"), None, None),
        (k.system_scope("centre:county-hall"), [hall.id], None),
        (k.system_scope("department:rs"), None, rs.id),
    ]
    out = {}
    for scope, centres, dept in scopes:
        got = k.kpis(scope, lo, hi)
        want = raw_kpis(centres, dept, lo, hi)
        for key, value in want.items():
            if isinstance(value, float):
                assert got[key] == pytest.approx(value, rel=1e-12), (scope.key, key)
            else:
                assert got[key] == value, (scope.key, key, got[key], value)
        out[scope.key] = got
    return out


@pytest.mark.parametrize("period", PERIODS)
def test_it_reads_the_same_kpis_as_the_raw_rows(long_history, period):
    for key, got in assert_kpis_equal_raw(*period).items():
        assert got["tickets"] > 0 or key == "department:rs"


def test_it_measures_duration_reduction_against_the_frozen_baseline(long_history):
    baseline = k.baseline_freeze(
        label="test", date_from=dt.date(2026, 2, 1), date_to=dt.date(2026, 3, 10)
    )
    assert baseline.formula_version == k.FORMULA_VERSION
    base = raw_kpis(None, None, dt.date(2026, 2, 1), dt.date(2026, 3, 10))["median_workdays"]
    lo, hi = dt.date(2026, 3, 11), dt.date(2026, 4, 30)
    now = raw_kpis(None, None, lo, hi)["median_workdays"]
    got = k.kpis(k.system_scope("county"), lo, hi)
    assert got["baseline"]["median_workdays"] == base
    assert base > 0
    assert got["actual_duration_reduction"] == pytest.approx(1 - now / base)
    # The stored medians are what counts, even if the history were rebuilt later.
    assert baseline.medians["county"]["median"] == base


def test_it_labels_small_samples_and_never_rounds(long_history):
    town = k.system_scope("centre:chengguan")
    # The first working day after the Spring Festival holiday.
    got = k.kpis(town, dt.date(2026, 2, 24), dt.date(2026, 2, 24))
    assert 0 < got["ratings"] < k.MIN_RATINGS
    assert got["ratings_small_sample"] is True
    big = k.kpis(k.system_scope("county"), *PERIODS[0])
    assert big["ratings_small_sample"] is False
    levels = big["ratings_by_level"]
    good = levels["3"] + levels["4"] + levels["5"]
    assert big["satisfaction_rate"] == good / big["ratings"]  # exact, not rounded


def test_it_answers_null_without_data(world):
    got = k.kpis(k.system_scope("county"), dt.date(2020, 1, 1), dt.date(2020, 1, 31))
    assert got["satisfaction_rate"] is None
    assert got["avg_wait_minutes"] is None
    assert got["p90_wait_minutes"] is None
    assert got["on_time_rate"] is None
    assert got["tickets"] == 0
    assert got["targets"] == {
        "satisfaction_rate": 0.95,
        "committed_compression": 0.30,
        "one_visit_coverage": 0.90,
    }


@pytest.mark.parametrize("period", PERIODS)
def test_it_reads_the_same_breakdowns_from_the_coarse_months(long_history, period, monkeypatch):
    """Centre and department breakdowns read the coarse month rows; they equal
    the same breakdowns read from the full month rows."""
    lo, hi = period
    scopes = [k.system_scope("county"), k.system_scope("centre:county-hall")]
    got = {(s.key, d): k.breakdown(s, lo, hi, d) for s in scopes for d in ("centre", "department")}
    from yichuang.insights.kpis import breakdowns

    fine = k.period_q
    monkeypatch.setattr(breakdowns, "period_q", lambda lo, hi, coarse=False: fine(lo, hi))
    for (key, dim), rows in got.items():
        want = k.breakdown(k.system_scope(key), lo, hi, dim)
        assert sorted(rows, key=lambda r: r["id"]) == sorted(want, key=lambda r: r["id"])
        assert rows, (key, dim)


def test_it_draws_the_trend_from_the_same_figures_as_the_kpis(long_history):
    scope = k.system_scope("county")
    lo, hi = dt.date(2026, 2, 1), dt.date(2026, 4, 30)
    trend = k.monthly_trend(scope, lo, hi)
    assert [m["month"] for m in trend] == ["2026-02", "2026-03", "2026-04"]
    for m in trend:
        first = dt.date.fromisoformat(m["month"] + "-01")
        last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        want = k.kpis(scope, first, last)
        for key in ("satisfaction_rate", "one_visit_share_cases", "on_time_rate"):
            assert m[key] == want[key], (m["month"], key)
        assert m["median_workdays"] == want["median_workdays"]
        assert (m["ratings"], m["cases"], m["tickets"]) == (
            want["ratings"],
            want["cases"],
            want["tickets"],
        )
        assert m["avg_wait_minutes"] == want["avg_wait_minutes"]
