"""The clock of a case (docs/domain.md, "Cases and the clock" and "Working
days"): due dates from the day after acceptance in the unit of the item's
limit (working days; calendar days or months ending on a working day), shifted
by clock stops and approved extensions (working days), and the warning level
derived from them.

Pure functions over a :class:`yichuang.lib.workdays.Calendar`; callers pass the
calendar (``org.calendar.get_calendar()``) so a list page builds it once.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yichuang.catalog.models import ItemVersion
from yichuang.lib import workdays
from yichuang.lib.config import setting_get
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import get_calendar

from .states import CLOSED, LEVEL_ORDER, RUNNING, STOPPED, Status

if TYPE_CHECKING:
    from .models import Case, CaseStep

ONE_DAY = dt.timedelta(days=1)


def committed_amount(version: ItemVersion) -> int:
    """The committed limit in the item's unit (``committed_limit_unit``)."""
    if version.is_immediate:
        return 0
    return int(version.committed_limit or 0)


def legal_amount(version: ItemVersion) -> int | None:
    """The statutory limit in the item's unit (``legal_limit_unit``)."""
    return None if version.legal_limit is None else int(version.legal_limit)


def limit_units(case: Case) -> tuple[str, str]:
    """(committed unit, statutory unit) of the case's limits: its item version's;
    working days for a case without one (a bundle's parent)."""
    version = case.version if case.version_id else None
    if version is None:
        return workdays.WORKDAY, workdays.WORKDAY
    return version.committed_limit_unit, version.legal_limit_unit


def _due(cal: workdays.Calendar, start: dt.date, amount: int, unit: str, shift: int) -> dt.date:
    """The end of ``amount`` ``unit`` from ``start``, then ``shift`` working days on."""
    if unit == workdays.WORKDAY:
        return workdays.add_workdays(cal, start, amount + shift)
    return workdays.add_workdays(cal, workdays.add_limit(cal, start, amount, unit), shift)


def _step_due(
    cal: workdays.Calendar,
    start: dt.date,
    due: dt.date,
    share: int,
    amount: int,
    unit: str,
    shift: int,
) -> dt.date:
    """A step's due date at ``share`` % of the committed limit: of its working
    days, or of the calendar days to the committed due date."""
    if unit == workdays.WORKDAY:
        return workdays.add_workdays(cal, start, math.ceil(amount * share / 100) + shift)
    base = _due(cal, start, amount, unit, 0)
    days = math.ceil((base - start).days * share / 100)
    end = workdays.add_calendar_days(cal, start, days)
    return min(workdays.add_workdays(cal, end, shift), due)


def compute_deadlines(case: Case, steps: list[CaseStep], cal: workdays.Calendar) -> list[CaseStep]:
    """Set the case's due dates (and its steps'), or mark them pending when a year
    they reach is not in the calendar — never a guessed date. Returns the steps
    whose due date changed (unsaved)."""
    if case.accepted_on is None:
        return []
    start = case.accepted_on
    shift = case.stopped_days + case.extension_days
    committed_unit, legal_unit = limit_units(case)
    changed: list[CaseStep] = []
    try:
        due = _due(cal, start, case.committed_days, committed_unit, shift)
        statutory = (
            _due(cal, start, case.legal_days, legal_unit, shift)
            if case.legal_days is not None
            else None
        )
        new_step_dues = []
        cumulative = 0
        for step in steps:
            cumulative += step.share
            share = min(cumulative, 100)
            new_step_dues.append(
                _step_due(cal, start, due, share, case.committed_days, committed_unit, shift)
            )
        provisional = workdays.workdays_between_is_provisional(cal, start, statutory or due)
    except CalendarYearMissing:
        case.due_date = None
        case.statutory_due_date = None
        case.deadline_pending = True
        case.deadline_provisional = False
        return []
    case.due_date = due
    case.statutory_due_date = statutory
    case.deadline_pending = False
    case.deadline_provisional = provisional
    for step, step_due in zip(steps, new_step_dues, strict=True):
        if step.due_date != step_due:
            step.due_date = step_due
            changed.append(step)
    return changed


def stopped_workdays(cal: workdays.Calendar, started_on: dt.date, ended_on: dt.date) -> int:
    """Working days the clock stood still: it stops the day after the stop began
    and restarts the day after the stop ended, so (started_on, ended_on]."""
    return workdays.count_workdays(cal, started_on, ended_on)


def red_cutoff(cal: workdays.Calendar, today: dt.date, red_after: int) -> dt.date:
    """The latest due date that is more than ``red_after`` working days behind
    ``today`` (a case due on or before it has been yellow for ``red_after`` days)."""
    d = today
    for _ in range(400):
        if workdays.count_workdays(cal, d, today) > red_after:
            return d
        d -= ONE_DAY
    return d


def _level_for(due: dt.date | None, today: dt.date, cal: Any, notice_days: int, red_after: int):
    if due is None:
        return "normal"
    if today > due:
        return "red" if workdays.count_workdays(cal, due, today) > red_after else "yellow"
    if workdays.count_workdays(cal, today, due) <= notice_days:
        return "notice"
    return "normal"


def level_settings() -> tuple[int, int]:
    """(notice days left, red after yellow workdays): read once per page."""
    return (
        int(setting_get("case.notice_days_left")),
        int(setting_get("case.red_after_yellow_workdays")),
    )


def warning_level(
    case: Case,
    *,
    today: dt.date | None = None,
    cal: workdays.Calendar | None = None,
    settings: tuple[int, int] | None = None,
) -> str:
    """normal / notice / yellow / red, from the data as it is now (docs/domain.md,
    "Cases and the clock")."""
    today = today or timezone.localdate()
    if case.status in CLOSED:
        return "normal"
    if case.accepted_on is not None and (case.status in STOPPED or case.deadline_pending):
        return "normal"
    if getattr(case, "open_breach", False):
        return "red"
    cal = cal or get_calendar()
    notice_days, red_after = settings or level_settings()
    try:
        if case.accepted_on is None:
            # 行政许可法 §32: without a notice in 5 working days the application
            # counts as accepted; warn on day 4.
            if case.status != Status.RECEIVED:
                return "normal"
            received = timezone.localtime(case.received_at).date()
            return "notice" if workdays.count_workdays(cal, received, today) >= 4 else "normal"
        if case.status not in RUNNING:
            return "normal"
        levels = [_level_for(case.due_date, today, cal, notice_days, red_after)]
        if case.statutory_due_date is not None and today > case.statutory_due_date:
            levels.append("red")
        step = case.current_step if case.current_step_id else None
        if step is not None and step.kind != "accept":
            # A late step is the step handler's yellow; red is the case's own
            # (committed limit long past, statutory limit, breach), so a case
            # with days left is never red because one step ran over.
            step_level = _level_for(step.due_date, today, cal, notice_days, red_after)
            levels.append("yellow" if step_level == "red" else step_level)
    except CalendarYearMissing:
        return "normal"
    return max(levels, key=LEVEL_ORDER.__getitem__)


def working_days_left(case: Case, today: dt.date, cal: workdays.Calendar) -> int | None:
    """Working days left to the committed due date (negative when overdue)."""
    if case.due_date is None:
        return None
    try:
        if today <= case.due_date:
            return workdays.count_workdays(cal, today, case.due_date)
        return -workdays.count_workdays(cal, case.due_date, today)
    except CalendarYearMissing:
        return None
