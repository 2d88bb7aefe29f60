"""Working-day arithmetic (工作日), docs/domain.md "Working days". Pure Python, no database access.

Periods count in working days (行政许可法 §82): counting starts the day after the
starting event, statutory holidays are excluded and the make-up working weekends
(调休上班) announced by the State Council office are included.

The org app builds a :class:`Calendar` from its ``WorkCalendar`` table and passes
it in. A date whose year is not loaded is never guessed: :func:`is_workday` and
everything built on it raise :class:`CalendarYearMissing` ("deadline pending
calendar").
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils.translation import gettext as _

from yichuang.lib.errors import Unprocessable

_ONE_DAY = timedelta(days=1)


class CalendarYearMissing(Unprocessable):
    """The working-day calendar of ``year`` has not been loaded (422)."""

    def __init__(self, year: int) -> None:
        super().__init__(
            "lib.calendar_year_not_loaded",
            _("尚未载入 %(year)d 年工作日历，期限待定") % {"year": year},
            year=year,
        )
        self.year = year


@dataclass(frozen=True)
class Calendar:
    """The non-default days of the loaded years.

    ``years`` maps each loaded year to whether it is provisional (weekends plus the
    fixed-date holidays only, until the State Council notice appears). A day is a
    working day when it is a make-up workday, or a weekday that is not a holiday;
    a date listed in both sets (a local holiday on a make-up day) is a holiday.
    """

    years: Mapping[int, bool]
    holidays: frozenset[date] = frozenset()
    workdays: frozenset[date] = frozenset()
    # Sorted ordinals of the exceptions to the weekday rule, for O(log n) counting.
    _off_weekdays: tuple[int, ...] = field(init=False, repr=False, compare=False)
    _on_weekends: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        off = sorted(d.toordinal() for d in self.holidays if d.weekday() < 5)
        on = sorted(
            d.toordinal() for d in self.workdays if d.weekday() >= 5 and d not in self.holidays
        )
        object.__setattr__(self, "_off_weekdays", tuple(off))
        object.__setattr__(self, "_on_weekends", tuple(on))

    def require_year(self, year: int) -> None:
        if year not in self.years:
            raise CalendarYearMissing(year)

    def require_years(self, years: Iterable[int]) -> None:
        for year in years:
            self.require_year(year)


def is_workday(cal: Calendar, d: date) -> bool:
    """Whether ``d`` is a working day; raises :class:`CalendarYearMissing`."""
    cal.require_year(d.year)
    if d in cal.holidays:
        return False
    if d in cal.workdays:
        return True
    return d.weekday() < 5


def add_workdays(cal: Calendar, start: date, n: int) -> date:
    """The ``n``-th working day after ``start`` (counting starts the next day).

    ``n == 0`` returns ``start`` itself. Linear in the number of days walked; raises
    :class:`CalendarYearMissing` as soon as the walk enters a year not loaded.
    """
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return start
    holidays, workdays = cal.holidays, cal.workdays
    d = start
    year = -1
    remaining = n
    while True:
        d += _ONE_DAY
        if d.year != year:
            year = d.year
            cal.require_year(year)
        if d in holidays:
            continue
        if d in workdays or d.weekday() < 5:
            remaining -= 1
            if remaining == 0:
                return d


def _weekdays_through(ordinal: int) -> int:
    """Mondays–Fridays in [0001-01-01, the day with this ordinal]; 0001-01-01 is a Monday."""
    weeks, rest = divmod(ordinal, 7)
    return weeks * 5 + min(rest, 5)


def _count_in(ordinals: tuple[int, ...], low: int, high: int) -> int:
    """How many ordinals lie in (low, high]."""
    return bisect.bisect_right(ordinals, high) - bisect.bisect_right(ordinals, low)


def count_workdays(cal: Calendar, start: date, end: date) -> int:
    """Working days in (start, end]; 0 when ``end <= start``.

    The inverse of :func:`add_workdays`: ``count_workdays(cal, s, add_workdays(cal, s,
    n)) == n``. Raises :class:`CalendarYearMissing` if a year in between is not loaded.
    """
    if end <= start:
        return 0
    cal.require_years(range((start + _ONE_DAY).year, end.year + 1))
    low, high = start.toordinal(), end.toordinal()
    return (
        _weekdays_through(high)
        - _weekdays_through(low)
        - _count_in(cal._off_weekdays, low, high)
        + _count_in(cal._on_weekends, low, high)
    )


def workdays_between_is_provisional(cal: Calendar, start: date, end: date) -> bool:
    """Whether a period (start, end] touches a provisional year (its result is 暂定)."""
    if end <= start:
        return False
    years = range((start + _ONE_DAY).year, end.year + 1)
    cal.require_years(years)
    return any(cal.years[y] for y in years)


def provisional_year_days(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """(holidays, workdays) of a year loaded before the State Council notice.

    Weekends are the default days off; on top of them only the fixed-date holidays
    of 《全国年节及纪念日放假办法》 (as amended in 2024) are placed: 元旦 1 Jan, 劳动节
    1–2 May and 国庆节 1–3 Oct. The lunar holidays (春节 including 除夕, 端午节,
    中秋节) and 清明节 (a solar term), the substitute days off and the make-up
    working weekends (调休) cannot be placed without the annual notice, so they are
    left out and the make-up workdays are empty. Such a year has more working days
    than the official one will have, so provisional deadlines come early, never
    late; they are shown as 暂定 and recomputed when the official year is loaded.
    """
    holidays = frozenset(
        {
            date(year, 1, 1),
            date(year, 5, 1),
            date(year, 5, 2),
            date(year, 10, 1),
            date(year, 10, 2),
            date(year, 10, 3),
        }
    )
    return holidays, frozenset()


def calendar_from_chinese_calendar(years: range) -> Calendar:
    """An official calendar of ``years`` from the ``chinesecalendar`` package.

    The package's ``holidays`` also lists the weekend days inside a holiday period;
    they are days off anyway, so keeping them is harmless. Raises ``ValueError`` for
    a year the package has no data for (it stops at the last announced year).
    """
    import chinese_calendar

    wanted = set(years)
    known = {d.year for d in chinese_calendar.holidays}
    missing = sorted(wanted - known)
    if missing:
        raise ValueError(f"chinese_calendar has no data for {missing}")
    holidays = frozenset(d for d in chinese_calendar.holidays if d.year in wanted)
    workdays = frozenset(d for d in chinese_calendar.workdays if d.year in wanted)
    return Calendar(years=dict.fromkeys(years, False), holidays=holidays, workdays=workdays)


# --- limits in other units (DOMAIN §5) ------------------------------------------------

WORKDAY, CALENDAR_DAY, MONTH = "workday", "day", "month"


def next_workday_from(cal: Calendar, d: date) -> date:
    """``d`` itself when it is a working day, else the first working day after it
    (期间届满的最后一日是法定休假日的，以休假日结束的次日为期间届满的日期)."""
    while not is_workday(cal, d):
        d += _ONE_DAY
    return d


def add_calendar_days(cal: Calendar, start: date, n: int) -> date:
    """The end of a period of ``n`` calendar days (自然日) from ``start``: the
    ``n``-th day after it, moved to the next working day when it is a rest day
    or a holiday. ``n == 0`` returns ``start``."""
    if n < 0:
        raise ValueError("n must be >= 0")
    return start if n == 0 else next_workday_from(cal, start + timedelta(days=n))


def add_months(cal: Calendar, start: date, n: int) -> date:
    """The end of a period of ``n`` calendar months: the same day ``n`` months on
    (the month's last day when it has no such day), moved to the next working
    day when it is a rest day or a holiday."""
    if n < 0:
        raise ValueError("n must be >= 0")
    if n == 0:
        return start
    month = start.month - 1 + n
    year, month = start.year + month // 12, month % 12 + 1
    last = (date(year + month // 12, month % 12 + 1, 1) - _ONE_DAY).day
    return next_workday_from(cal, date(year, month, min(start.day, last)))


def add_limit(cal: Calendar, start: date, amount: int, unit: str) -> date:
    """The last day of a limit of ``amount`` ``unit`` (``workday``, ``day`` or
    ``month``) counted from the day after ``start``."""
    if unit == CALENDAR_DAY:
        return add_calendar_days(cal, start, amount)
    if unit == MONTH:
        return add_months(cal, start, amount)
    return add_workdays(cal, start, amount)


class _EveryYear(Mapping[int, bool]):
    """Every year, none provisional: the plain week below knows them all."""

    def __getitem__(self, year: int) -> bool:
        return False

    def __contains__(self, year: object) -> bool:
        return isinstance(year, int)

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0


# Monday to Friday working, no holidays: the yardstick that compares limits of
# different units (a committed limit in working days against a statutory one in
# calendar days) without letting the holidays of one year tilt the comparison.
PLAIN_WEEK = Calendar(years=_EveryYear())
_PLAIN_START = date(2001, 1, 1)  # a Monday


def limit_in_plain_workdays(amount: int | None, unit: str) -> int | None:
    """Working days a limit spans on the plain week from a Monday: the limit
    turned into a due date, then counted back (never a ratio)."""
    if amount is None:
        return None
    end = add_limit(PLAIN_WEEK, _PLAIN_START, int(amount), unit)
    return count_workdays(PLAIN_WEEK, _PLAIN_START, end)
