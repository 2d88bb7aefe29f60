"""The hours a centre keeps on a given day: the one rule every "is the hall
open" check reads (docs/domain.md, "Working days").

1. A centre run ``always_open`` (demonstrations) is open all day, every day.
2. A dated exception (``OpeningException``) of that day: a closure closes the
   hall; 错时服务 replaces the day's hours; 延时服务 and 周末轮值 add hours to
   them (on a rest day there are none to add to).
3. Otherwise the working-day calendar decides: a working Monday–Friday keeps
   that weekday's hours; a make-up working day (调休上班日) on a weekend keeps
   the hours of the weekday set on the centre (``makeup_hours_from``, Monday by
   default); a holiday on a weekday is closed; an ordinary weekend keeps the
   weekend hours the centre has (none by default).

A year the calendar has not loaded falls back to the weekly hours, with the
reason ``calendar_missing`` so pages can say the hours are not confirmed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from yichuang.lib import workdays

from .calendar import get_calendar
from .models import WEEKDAYS, Centre, OpeningException

ALL_DAY = [["00:00", "24:00"]]
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")


@dataclass(frozen=True)
class Opening:
    """The hours of one centre on one day; ``reason`` says which rule decided."""

    date: dt.date
    hours: list[list[str]] = field(default_factory=list)
    reason: str = "weekday"

    @property
    def open(self) -> bool:
        return bool(self.hours)

    def is_open_at(self, hhmm: str) -> bool:
        return any(start <= hhmm < end for start, end in self.hours)

    def as_dict(self) -> dict:
        return {
            "date": self.date.isoformat(),
            "open": self.open,
            "hours": self.hours,
            "reason": self.reason,
        }


def spans_problem(spans, *, empty_ok: bool) -> str | None:
    """Why ``spans`` is not a list of ``["HH:MM", "HH:MM"]`` pairs, or None."""
    if not isinstance(spans, list):
        return _('时段应为列表，如 [["17:30", "19:00"]]。')
    if not spans:
        return None if empty_ok else _("请至少填写一个时段。")
    if empty_ok:
        return _("闭厅不填时段。")
    for span in spans:
        ok = isinstance(span, list) and len(span) == 2
        ok = ok and all(isinstance(t, str) and _TIME.match(t) for t in span)
        if not ok or span[0] >= span[1]:
            return _('时段格式应为 ["开始", "结束"]，例如 ["09:00", "12:00"]，开始早于结束。')
    return None


def _merged(spans: list[list[str]]) -> list[list[str]]:
    """Sorted spans with overlapping or touching ones joined."""
    out: list[list[str]] = []
    for start, end in sorted([list(s) for s in spans]):
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return out


def _weekly(centre: Centre, weekday: int) -> list[list[str]]:
    return [list(s) for s in centre.hours().get(WEEKDAYS[weekday], [])]


def calendar_hours(centre: Centre, day: dt.date, cal: workdays.Calendar) -> Opening:
    """The day's hours by the weekly hours and the working-day calendar alone
    (no exceptions, ``always_open`` ignored)."""
    try:
        working = workdays.is_workday(cal, day)
    except workdays.CalendarYearMissing:
        return Opening(day, _weekly(centre, day.weekday()), "calendar_missing")
    weekend = day.weekday() >= 5
    if working and weekend:
        return Opening(day, _weekly(centre, centre.makeup_hours_from), "makeup_workday")
    if working:
        return Opening(day, _weekly(centre, day.weekday()), "workday")
    if not weekend:
        return Opening(day, [], "holiday")
    hours = _weekly(centre, day.weekday())
    return Opening(day, hours, "weekend" if hours else "rest_day")


def _apply(base: Opening, exc: OpeningException) -> Opening:
    spans = [list(s) for s in exc.spans or []]
    kind = exc.kind
    if kind == OpeningException.Kind.CLOSURE:
        return Opening(base.date, [], kind)
    if kind == OpeningException.Kind.STAGGERED:
        return Opening(base.date, _merged(spans), kind)
    return Opening(base.date, _merged(base.hours + spans), kind)


def regular_opening(
    centre: Centre, day: dt.date, *, cal: workdays.Calendar | None = None
) -> Opening:
    """The day's hours by the calendar and the dated exceptions, ``always_open``
    ignored (what appointment slots are cut from)."""
    base = calendar_hours(centre, day, cal or get_calendar())
    exc = OpeningException.objects.filter(centre=centre, date=day).first()
    return base if exc is None else _apply(base, exc)


def opening_for(centre: Centre, day: dt.date, *, cal: workdays.Calendar | None = None) -> Opening:
    """The hours ``centre`` keeps on ``day`` (see the module's docstring)."""
    if centre.always_open:
        return Opening(day, [list(s) for s in ALL_DAY], "always_open")
    return regular_opening(centre, day, cal=cal)


def slot_starts(opening: Opening, minutes: int) -> list[tuple[dt.time, dt.time]]:
    """(start, end) of the ``minutes``-long slots that fit in the day's hours,
    starting on the hour or a multiple of ``minutes`` after it."""
    slots = []
    for start, end in opening.hours:
        first = _minutes(start)
        t = -(-first // minutes) * minutes
        while t + minutes <= _minutes(end):
            slots.append((_time(t), _time(t + minutes)))
            t += minutes
    return slots


def _minutes(hhmm: str) -> int:
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def _time(minutes: int) -> dt.time:
    return dt.time(23, 59) if minutes >= 24 * 60 else dt.time(minutes // 60, minutes % 60)
