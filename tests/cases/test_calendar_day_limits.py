"""Calendar-day (自然日) and month limits count calendar days and months, the
last day moved to the next working day when it is a rest day or a holiday
(DOMAIN §5; issue 18, item 2). Never a 5/7 ratio."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yichuang.catalog import actions as catalog
from yichuang.catalog.models import limit_compression, limit_span
from yichuang.lib import workdays
from yichuang.org.calendar import get_calendar

from .conftest import ALL, ID_A

pytestmark = pytest.mark.django_db

D = dt.date.fromisoformat
TZ = dt.timezone(dt.timedelta(hours=8))


@pytest.mark.parametrize(
    ("start", "days", "end"),
    [
        ("2026-02-10", 30, "2026-03-12"),  # the 5/7 ratio gave 03-18
        ("2026-09-18", 30, "2026-10-19"),  # 10-18 is a Sunday; the ratio gave 10-26
        ("2026-09-10", 60, "2026-11-09"),  # the ratio gave 11-16
        ("2026-09-01", 30, "2026-10-08"),  # 10-01 … 10-07 National Day
        ("2026-01-15", 30, "2026-02-14"),  # a make-up Saturday is a working day
        ("2026-01-16", 30, "2026-02-24"),  # 02-15 … 02-23 Spring Festival
    ],
)
def test_calendar_days_end_on_the_nth_day_or_the_next_working_day(county, start, days, end):
    assert workdays.add_calendar_days(get_calendar(), D(start), days) == D(end)


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        ("2026-01-31", 1, "2026-02-28"),  # no 31 Feb; 02-28 is a make-up Saturday
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-03-05", 1, "2026-04-07"),  # 04-05 Qingming, 04-06 off
        ("2026-08-20", 1, "2026-09-20"),  # 09-20 is a make-up Sunday: a working day
        ("2026-11-10", 2, "2027-01-11"),  # across the year: 01-10 is a Sunday
    ],
)
def test_months_count_calendar_months(county, start, months, end):
    if D(end).year == 2027:
        from yichuang.org.calendar import calendar_load_provisional

        calendar_load_provisional(year=2027)
    assert workdays.add_months(get_calendar(), D(start), months) == D(end)


@pytest.mark.parametrize(
    ("start", "n", "end"),
    [
        ("2026-02-13", 1, "2026-02-14"),  # Sat 14 Feb works
        ("2026-02-12", 3, "2026-02-24"),  # 13, 14, then 15–23 off, 24
        ("2026-09-30", 5, "2026-10-13"),  # 8, 9, Sat 10 (make-up), 12, 13
        ("2026-05-08", 1, "2026-05-09"),  # Sat 9 May works
    ],
)
def test_working_days_count_the_make_up_days(county, start, n, end):
    assert workdays.add_workdays(get_calendar(), D(start), n) == D(end)


def test_limits_of_different_units_compare_as_spans_not_ratios():
    assert limit_span(20, "workday") == 20
    assert limit_span(30, "day") == 22  # Mon + 30 days is a Wednesday: 4 weeks and 2 days
    assert limit_span(60, "day") == 44
    assert limit_span(None, "day") is None
    # same unit: the amounts
    assert limit_compression(20, "workday", 10, "workday") == 0.5
    assert limit_compression(30, "day", 15, "day") == 0.5
    # different units: both as spans of the plain week
    assert limit_compression(30, "day", 11, "workday") == 0.5
    assert limit_compression(None, "day", 11, "workday") is None


def test_a_committed_limit_longer_than_the_statutory_one_is_refused_across_units():
    # 30 calendar days span 22 working days: 25 working days is longer
    problems = catalog.version_problems(_data(legal=30, legal_unit="day", committed=25))
    assert "catalog.committed_exceeds_statutory" in {p["code"] for p in problems}
    problems = catalog.version_problems(_data(legal=30, legal_unit="day", committed=20))
    assert "catalog.committed_exceeds_statutory" not in {p["code"] for p in problems}


def _data(*, legal, legal_unit, committed):
    return {
        "name": "x",
        "case_type": "promised",
        "legal_limit": legal,
        "legal_limit_unit": legal_unit,
        "committed_limit": committed,
        "committed_limit_unit": "workday",
        "visits_required": 0,
    }


@pytest.fixture
def calendar_item(make_item):
    return make_item("CAL-30", legal=30, legal_unit="day", committed=10)


def test_a_case_shows_the_legal_due_date_in_calendar_days(api, county, calendar_item):
    with time_machine.travel(dt.datetime(2026, 2, 10, 10, tzinfo=TZ), tick=False):
        resp = api(county.clerk).post(
            "/api/v1/cases",
            {
                "item": "CAL-30",
                "centre": "county-hall",
                "applicant": {"name": "张小花", "id_number": ID_A, "phone": "13800138000"},
                "materials": ALL,
            },
            content_type="application/json",
        )
        assert resp.status_code == 201, resp.content
        detail = api(county.clerk).get(f"/api/v1/cases/{resp.json()['id']}").json()
    assert detail["accepted_on"] == "2026-02-10"
    assert detail["legal_due_date"] == "2026-03-12"
    assert detail["statutory_due_date"] == "2026-03-12"
    # the committed limit stays in working days: 10 from 02-10 across the festival
    assert detail["due_date"] == "2026-03-02"
    item = api().get("/api/v1/items/CAL-30").json()
    assert (item["legal_limit_unit"], item["committed_limit_unit"]) == (
        "calendar_day",
        "working_day",
    )
