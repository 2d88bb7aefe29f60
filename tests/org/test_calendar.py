import datetime as dt

import pytest

from yichuang.lib.errors import Conflict
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import (
    add_workdays,
    calendar_load_provisional,
    count_workdays,
    get_calendar,
    is_workday,
)
from yichuang.org.models import CalendarYear, WorkCalendar


def test_it_is_prefilled_with_2026_from_the_package(county):
    y = CalendarYear.objects.get(year=2026)
    assert y.status == "official"
    holidays = set(
        WorkCalendar.objects.filter(date__year=2026, kind="holiday").values_list("date", flat=True)
    )
    assert dt.date(2026, 10, 1) in holidays and dt.date(2026, 2, 16) in holidays
    makeups = set(
        WorkCalendar.objects.filter(date__year=2026, kind="workday").values_list("date", flat=True)
    )
    assert makeups == {
        dt.date(2026, 1, 4),
        dt.date(2026, 2, 14),
        dt.date(2026, 2, 28),
        dt.date(2026, 5, 9),
        dt.date(2026, 9, 20),
        dt.date(2026, 10, 10),
    }


def test_it_counts_working_days_over_national_day_from_the_table(county):
    assert add_workdays(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)
    assert add_workdays(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)  # make-up Saturday
    assert count_workdays(dt.date(2026, 9, 30), dt.date(2026, 10, 12)) == 4


def test_it_sees_an_admins_edit_at_once(county):
    day = dt.date(2026, 12, 1)  # a Tuesday
    assert is_workday(day)
    WorkCalendar.objects.create(date=day, kind="local_holiday", name="民族节日")
    assert not is_workday(day)
    assert day in get_calendar().holidays


def test_it_refuses_to_guess_past_the_last_loaded_year(county):
    CalendarYear.objects.filter(year__gte=2027).delete()
    with pytest.raises(CalendarYearMissing) as err:
        add_workdays(dt.date(2026, 12, 28), 10)
    assert err.value.code == "lib.calendar_year_not_loaded"
    assert err.value.details["year"] == 2027


def test_it_loads_a_provisional_year_with_fixed_date_holidays(county):
    CalendarYear.objects.filter(year=2028).delete()
    calendar_load_provisional(year=2028)
    assert CalendarYear.objects.get(year=2028).status == "provisional"
    assert not is_workday(dt.date(2028, 5, 1))  # 劳动节, a Monday
    assert is_workday(dt.date(2028, 1, 26))  # lunar dates are unknown until the notice


def test_it_refuses_to_make_an_official_year_provisional(county):
    with pytest.raises(Conflict):
        calendar_load_provisional(year=2026)
    assert CalendarYear.objects.get(year=2026).status == "official"
