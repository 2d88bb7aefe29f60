"""The clock of a case (docs/domain.md, "Cases and the clock" and "Working
days"): due dates in working days from the day after acceptance, shifted by
clock stops and approved extensions, and the warning level derived from them.

Pure functions over a :class:`yichuang.lib.workdays.Calendar`; callers pass the
calendar (``org.calendar.get_calendar()``) so a list page builds it once.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from yichuang.catalog.models import ItemVersion, workday_equivalent
from yichuang.lib import workdays
from yichuang.lib.config import setting_get
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import get_calendar

from .states import CLOSED, LEVEL_ORDER, RUNNING, STOPPED, Status

if TYPE_CHECKING:
    from .models import Case, CaseStep

ONE_DAY = dt.timedelta(days=1)


def committed_workdays(version: ItemVersion) -> int:
    if version.is_immediate:
        return 0
    return int(workday_equivalent(version.committed_limit, version.committed_limit_unit) or 0)


def legal_workdays(version: ItemVersion) -> int | None:
    days = workday_equivalent(version.legal_limit, version.legal_limit_unit)
    return None if days is None else int(days)


def compute_deadlines(case: Case, steps: list[CaseStep], cal: workdays.Calendar) -> list[CaseStep]:
    """Set the case's due dates (and its steps'), or mark them pending when a year
    they reach is not in the calendar — never a guessed date. Returns the steps
    whose due date changed (unsaved)."""
    if case.accepted_on is None:
        return []
    start = case.accepted_on
    shift = case.stopped_days + case.extension_days
    changed: list[CaseStep] = []
    try:
        due = workdays.add_workdays(cal, start, case.committed_days + shift)
        statutory = (
            workdays.add_workdays(cal, start, case.legal_days + shift)
            if case.legal_days is not None
            else None
        )
        new_step_dues = []
        cumulative = 0
        for step in steps:
            cumulative += step.share
            n = math.ceil(case.committed_days * min(cumulative, 100) / 100)
            new_step_dues.append(workdays.add_workdays(cal, start, n + shift))
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
            levels.append(_level_for(step.due_date, today, cal, notice_days, red_after))
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
