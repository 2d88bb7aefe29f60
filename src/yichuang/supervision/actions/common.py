"""What every way into the ledger shares: the event row, the state guard,
the deadline by severity, the responsible person, and the opening of a row
with its recurrence links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.config import setting_get
from yichuang.lib.errors import Conflict
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import add_workdays
from yichuang.org.models import Centre, Department, Post, Staff, Window
from yichuang.org.selectors import holder_on

from ..models import Inspection, Problem, ProblemEvent, Severity

DEADLINE_SETTINGS = {
    Severity.GENERAL: "supervision.general_workdays",
    Severity.MAJOR: "supervision.major_workdays",
    Severity.SEVERE: "supervision.severe_workdays",
}


def problem_event(
    problem: Problem,
    type: str,
    *,
    old: str = "",
    new: str = "",
    actor=None,
    note: str = "",
    at: dt.datetime | None = None,
) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem,
        type=type,
        old_status=old,
        new_status=new,
        actor=actor,
        note=note,
        at=at or timezone.now(),
    )


def require_status(problem: Problem, *allowed: str) -> None:
    """Refuse (409 ``supervision.bad_state``) unless the row is in ``allowed``."""
    if problem.status not in allowed:
        raise Conflict(
            "supervision.bad_state",
            _("当前状态（%(s)s）不能执行该操作。") % {"s": problem.get_status_display()},
            status_now=problem.status,
        )


def deadline_for(severity: str, start: dt.date) -> dt.date | None:
    """The rectification deadline of a row of ``severity`` found (or
    published) on ``start``: the working days the setting gives, on the
    working-day calendar. None while the calendar of the year is not loaded
    (the deadline is pending, never guessed)."""
    days = int(setting_get(DEADLINE_SETTINGS[Severity(severity)]))
    try:
        return add_workdays(start, days)
    except CalendarYearMissing:
        return None


def owner_for(
    *, window: Window | None, department: Department | None, centre: Centre, day: dt.date
) -> Staff | None:
    """Who rectifies a problem at this unit on ``day``: the holder of the
    window's post (A, or B while A is away), else the clerk signed in at the
    window; for a problem of no window, nobody in particular (the unit's
    director or department lead sees it and may name the owner)."""
    if window is None:
        return None
    post = (
        Post.objects.select_related("a_staff", "b_staff")
        .filter(window=window, centre=centre)
        .order_by("id")
        .first()
    )
    if post is not None:
        holder = holder_on(post, day)
        if holder is not None:
            return holder
    return window.clerk


@dataclass
class NewProblem:
    """A ledger row about to be opened."""

    source: str
    centre: Centre
    category: str
    severity: str
    description: str
    found_on: dt.date
    department: Department | None = None
    window: Window | None = None
    owner: Staff | None = None
    clerk: Staff | None = None
    source_id: int | None = None
    source_label: str = ""
    inspection: Inspection | None = None
    hidden: bool = False


def problem_create(
    new: NewProblem, *, actor=None, now: dt.datetime | None = None, note: str = ""
) -> Problem:
    """Open one ledger row (inside the caller's transaction): its deadline
    (none while hidden: a covert visit's rows get theirs at publication), its
    recurrence links, the ``opened`` event and, at the third occurrence, the
    escalation to the director."""
    now = now or timezone.now()
    problem = Problem.objects.create(
        source=new.source,
        source_id=new.source_id,
        source_label=new.source_label[:120],
        inspection=new.inspection,
        centre=new.centre,
        department=new.department,
        window=new.window,
        owner=new.owner,
        clerk=new.clerk,
        category=new.category,
        severity=new.severity,
        description=new.description,
        found_on=new.found_on,
        due_date=None if new.hidden else deadline_for(new.severity, new.found_on),
        hidden_until_published=new.hidden,
        opened_by=actor,
    )
    problem_event(
        problem, ProblemEvent.Type.OPENED, new=problem.status, actor=actor, note=note, at=now
    )
    link_recurrence(problem, actor=actor, now=now)
    return problem


def link_recurrence(problem: Problem, *, actor=None, now: dt.datetime | None = None) -> None:
    """A new row of the same category at the same unit (centre and
    department) within the recurrence period after an earlier row was closed
    recurs it: it links the latest such row and the rows that one recurred,
    ``recurrence`` counts them, and at 2 (the third time) the row is
    escalated to the director."""
    now = now or timezone.now()
    days = int(setting_get("supervision.recurrence_days"))
    since = problem.found_on - dt.timedelta(days=days)
    tz = timezone.get_current_timezone()
    earlier = (
        Problem.objects.filter(
            centre_id=problem.centre_id,
            department_id=problem.department_id,
            category=problem.category,
            status=Problem.Status.VERIFIED,
            verified_at__gte=dt.datetime.combine(since, dt.time.min, tzinfo=tz),
            verified_at__lt=dt.datetime.combine(
                problem.found_on + dt.timedelta(days=1), dt.time.min, tzinfo=tz
            ),
        )
        .exclude(pk=problem.pk)
        .order_by("-verified_at", "-id")
        .first()
    )
    if earlier is None:
        return
    previous = [earlier.pk, *earlier.previous.values_list("pk", flat=True)]
    problem.previous.set(previous)
    problem.recurrence = len(previous)
    fields = ["recurrence", "updated_at"]
    if problem.recurrence >= 2:
        problem.escalated = True
        problem.escalated_at = now
        fields += ["escalated", "escalated_at"]
    problem.save(update_fields=fields)
    if problem.escalated:
        problem_event(
            problem,
            ProblemEvent.Type.ESCALATED,
            old=problem.status,
            new=problem.status,
            actor=actor,
            note=_("同一问题第 %(n)d 次出现，提级由中心主任督办。") % {"n": problem.recurrence + 1},
            at=now,
        )
        audit_record(
            "supervision.problem_escalated",
            actor=actor,
            obj=problem,
            recurrence=problem.recurrence,
            previous=previous,
        )
