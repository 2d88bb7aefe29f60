from __future__ import annotations

import time
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from yichuang.lib.errors import DomainError
from yichuang.lib.workdays import (
    Calendar,
    CalendarYearMissing,
    add_workdays,
    calendar_from_chinese_calendar,
    count_workdays,
    is_workday,
    provisional_year_days,
    workdays_between_is_provisional,
)

D = date

# DOMAIN §5: the State Council arrangement for 2026.
HOLIDAYS_2026 = (
    [D(2026, 1, d) for d in (1, 2, 3)]
    + [D(2026, 2, d) for d in range(15, 24)]
    + [D(2026, 4, d) for d in (4, 5, 6)]
    + [D(2026, 5, d) for d in range(1, 6)]
    + [D(2026, 6, d) for d in (19, 20, 21)]
    + [D(2026, 9, d) for d in (25, 26, 27)]
    + [D(2026, 10, d) for d in range(1, 8)]
)
MAKEUP_2026 = [
    D(2026, 1, 4),
    D(2026, 2, 14),
    D(2026, 2, 28),
    D(2026, 5, 9),
    D(2026, 9, 20),
    D(2026, 10, 10),
]

CAL = calendar_from_chinese_calendar(range(2025, 2027))


def _days(year: int) -> list[date]:
    first = D(year, 1, 1)
    return [first + timedelta(days=i) for i in range((D(year + 1, 1, 1) - first).days)]


def test_it_matches_the_domain_2026_calendar() -> None:
    cal = calendar_from_chinese_calendar(range(2026, 2027))
    assert sorted(cal.holidays) == HOLIDAYS_2026
    assert sorted(cal.workdays) == MAKEUP_2026
    assert dict(cal.years) == {2026: False}
    for d in _days(2026):
        expected = d in MAKEUP_2026 or (d.weekday() < 5 and d not in HOLIDAYS_2026)
        assert is_workday(cal, d) is expected, d


def test_it_counts_the_working_days_of_2026() -> None:
    # 261 weekdays; 19 of the holidays fall on weekdays; 6 make-up weekend days.
    assert count_workdays(CAL, D(2025, 12, 31), D(2026, 12, 31)) == 261 - 19 + 6


def test_it_refuses_years_the_package_does_not_know() -> None:
    with pytest.raises(ValueError):
        calendar_from_chinese_calendar(range(2026, 2028))


def test_it_lands_on_the_spring_festival_make_up_saturday() -> None:
    # Accepted Friday 13 Feb; counting starts on Saturday 14 Feb, a make-up workday.
    assert add_workdays(CAL, D(2026, 2, 13), 1) == D(2026, 2, 14)


def test_it_skips_the_spring_festival() -> None:
    # Accepted Thursday 12 Feb: Fri 13 (1), Sat 14 make-up (2), 15–23 Feb holiday,
    # Tue 24 (3), Wed 25 (4), Thu 26 (5).
    assert add_workdays(CAL, D(2026, 2, 12), 5) == D(2026, 2, 26)
    assert count_workdays(CAL, D(2026, 2, 12), D(2026, 2, 26)) == 5
    # Nothing inside the holiday counts: 14 Feb → 24 Feb is one working day.
    assert count_workdays(CAL, D(2026, 2, 14), D(2026, 2, 23)) == 0
    assert add_workdays(CAL, D(2026, 2, 14), 1) == D(2026, 2, 24)


def test_it_counts_a_make_up_saturday_at_the_end_of_the_spring_festival() -> None:
    # Fri 27 Feb → Sat 28 Feb is a make-up workday, Sun 1 Mar is not, Mon 2 Mar is.
    assert add_workdays(CAL, D(2026, 2, 27), 1) == D(2026, 2, 28)
    assert add_workdays(CAL, D(2026, 2, 27), 2) == D(2026, 3, 2)


def test_it_skips_national_day() -> None:
    # Accepted Wednesday 30 Sep. 1–7 Oct (Thu–Wed) are holidays, so the first
    # working day after is Thursday 8 Oct; then Fri 9 Oct (2), Sat 10 Oct is a
    # make-up workday (3), Sun 11 Oct is a rest day, Mon 12 Oct (4).
    start = D(2026, 9, 30)
    assert add_workdays(CAL, start, 1) == D(2026, 10, 8)
    assert add_workdays(CAL, start, 2) == D(2026, 10, 9)
    assert add_workdays(CAL, start, 3) == D(2026, 10, 10)
    assert add_workdays(CAL, start, 4) == D(2026, 10, 12)


def test_it_counts_the_mid_autumn_make_up_sunday() -> None:
    # Sat 19 Sep → Sun 20 Sep is a make-up workday; 25–27 Sep are the Mid-autumn holiday.
    assert add_workdays(CAL, D(2026, 9, 19), 1) == D(2026, 9, 20)
    # Thu 24 Sep → Fri 25 .. Sun 27 off → Mon 28 Sep.
    assert add_workdays(CAL, D(2026, 9, 24), 1) == D(2026, 9, 28)


def test_it_crosses_new_year() -> None:
    # Wed 31 Dec 2025 → 1–3 Jan holidays → Sun 4 Jan 2026 is a make-up workday.
    assert add_workdays(CAL, D(2025, 12, 31), 1) == D(2026, 1, 4)
    assert add_workdays(CAL, D(2025, 12, 31), 2) == D(2026, 1, 5)


def test_it_counts_from_the_day_after_even_on_a_rest_day() -> None:
    # Accepted on Saturday 7 Mar 2026: Sunday does not count; Monday 9 Mar is day 1.
    assert add_workdays(CAL, D(2026, 3, 7), 1) == D(2026, 3, 9)


def test_it_returns_the_start_for_zero_days_and_refuses_negative_ones() -> None:
    assert add_workdays(CAL, D(2026, 2, 15), 0) == D(2026, 2, 15)
    with pytest.raises(ValueError):
        add_workdays(CAL, D(2026, 2, 15), -1)


def test_it_counts_nothing_for_an_empty_or_reversed_period() -> None:
    assert count_workdays(CAL, D(2026, 3, 9), D(2026, 3, 9)) == 0
    assert count_workdays(CAL, D(2026, 3, 9), D(2026, 3, 2)) == 0


def test_it_refuses_a_year_that_is_not_loaded() -> None:
    cal = calendar_from_chinese_calendar(range(2026, 2027))
    # Thu 31 Dec 2026 is day 1; day 2 would be in 2027.
    assert add_workdays(cal, D(2026, 12, 30), 1) == D(2026, 12, 31)
    with pytest.raises(CalendarYearMissing) as info:
        add_workdays(cal, D(2026, 12, 30), 5)
    error = info.value
    assert isinstance(error, DomainError)
    assert error.code == "lib.calendar_year_not_loaded"
    assert error.status == 422
    assert error.details == {"year": 2027}
    assert error.message == "尚未载入 2027 年工作日历，期限待定"
    with pytest.raises(CalendarYearMissing):
        is_workday(cal, D(2027, 1, 4))
    with pytest.raises(CalendarYearMissing):
        count_workdays(cal, D(2026, 12, 1), D(2027, 1, 4))
    with pytest.raises(CalendarYearMissing):
        count_workdays(cal, D(2024, 12, 1), D(2026, 1, 4))


def test_it_builds_a_provisional_year_from_fixed_date_holidays() -> None:
    holidays, workdays = provisional_year_days(2027)
    assert holidays == {
        D(2027, 1, 1),
        D(2027, 5, 1),
        D(2027, 5, 2),
        D(2027, 10, 1),
        D(2027, 10, 2),
        D(2027, 10, 3),
    }
    assert workdays == frozenset()


def test_it_flags_periods_over_a_provisional_year() -> None:
    holidays, workdays = provisional_year_days(2027)
    cal = Calendar(
        years={**CAL.years, 2027: True},
        holidays=CAL.holidays | holidays,
        workdays=CAL.workdays | workdays,
    )
    assert not is_workday(cal, D(2027, 1, 1))  # Friday, 元旦
    assert is_workday(cal, D(2027, 5, 3))  # Monday: the rest of 劳动节 is not guessed
    # Tue 29 Dec 2026 → Wed 30 (1), Thu 31 (2), Fri 1 Jan 2027 off, Mon 4 Jan (3).
    end = add_workdays(cal, D(2026, 12, 29), 3)
    assert end == D(2027, 1, 4)
    assert workdays_between_is_provisional(cal, D(2026, 12, 29), end)
    assert not workdays_between_is_provisional(cal, D(2026, 1, 1), D(2026, 12, 31))
    assert not workdays_between_is_provisional(cal, D(2026, 12, 31), D(2026, 12, 31))
    # The period starts the day after: ending on the last day of 2026 stays official.
    assert not workdays_between_is_provisional(cal, D(2025, 12, 31), D(2026, 12, 31))


def test_it_lets_a_local_holiday_override_a_make_up_day() -> None:
    local = D(2026, 2, 14)
    cal = Calendar(years=CAL.years, holidays=CAL.holidays | {local}, workdays=CAL.workdays)
    assert not is_workday(cal, local)
    assert add_workdays(cal, D(2026, 2, 13), 1) == D(2026, 2, 24)
    assert count_workdays(cal, D(2026, 2, 13), D(2026, 2, 24)) == 1


def test_it_walks_sixty_working_days_quickly() -> None:
    # From Tue 1 Sep: September gives 21 (2–4, 7–11, 14–18, Sun 20 make-up, 21–24,
    # 28–30), October 18 (8–9, Sat 10 make-up, 12–16, 19–23, 26–30) -> 39, November
    # 2–27 gives 20 more -> 59, and Monday 30 Nov is the 60th.
    assert add_workdays(CAL, D(2026, 9, 1), 60) == D(2026, 11, 30)
    assert count_workdays(CAL, D(2026, 9, 1), D(2026, 11, 30)) == 60
    started = time.perf_counter()
    for _ in range(1000):
        add_workdays(CAL, D(2026, 9, 1), 60)
    # Typically ~30 ms; the bound only catches something pathological (quadratic).
    assert time.perf_counter() - started < 2.0


starts = st.dates(min_value=D(2025, 1, 1), max_value=D(2025, 12, 31))


@given(starts, st.integers(min_value=0, max_value=240))
def test_it_inverts_add_with_count(start: date, n: int) -> None:
    end = add_workdays(CAL, start, n)
    assert count_workdays(CAL, start, end) == n
    if n >= 1:
        assert is_workday(CAL, end)
        # ...and it is the first day reaching n: the day before still counts n - 1.
        assert count_workdays(CAL, start, end - timedelta(days=1)) == n - 1


@given(starts, st.integers(min_value=0, max_value=365))
def test_it_counts_like_a_day_by_day_walk(start: date, length: int) -> None:
    end = start + timedelta(days=length)
    walked = sum(is_workday(CAL, start + timedelta(days=i)) for i in range(1, length + 1))
    assert count_workdays(CAL, start, end) == walked
