"""The ledger's flow (docs/domain.md, "Supervision"): open → planned (measure
and owner) → submitted (evidence) → verified (closed), or sent back
(reopened). Self-checks and leadership instructions are opened by hand; the
other sources open rows themselves (inspections, ``ingestion``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.config import setting_get
from yichuang.lib.errors import Forbidden, Unprocessable
from yichuang.org.models import Centre, Department, Staff, Window

from ..models import Category, Problem, ProblemEvent, RecheckTask, Severity, Source
from ..permissions import require_opener, require_rectifier, require_verifier
from .common import NewProblem, owner_for, problem_create, problem_event, require_status

HAND_SOURCES = (Source.SELF_CHECK, Source.LEADERSHIP)
RECHECK_SEVERITIES = (Severity.MAJOR, Severity.SEVERE)


def _locked(problem: Problem) -> Problem:
    return Problem.objects.select_for_update().get(pk=problem.pk)


def _text(value: str | None, code: str, message: str, limit: int = 4000) -> str:
    text = (value or "").strip()
    if not text:
        raise Unprocessable(f"supervision.{code}", message)
    return text[:limit]


@transaction.atomic
def problem_open(
    *,
    source: str,
    centre: Centre,
    category: str,
    severity: str,
    description: str,
    actor,
    department: Department | None = None,
    window: Window | None = None,
    owner: Staff | None = None,
    found_on: dt.date | None = None,
    now: dt.datetime | None = None,
) -> Problem:
    """A self-check (自查) or a leadership instruction (领导交办) entered by
    hand. The caller has checked that ``centre`` (and ``window``, when given)
    lies in the actor's scope."""
    now = now or timezone.now()
    if source not in HAND_SOURCES:
        raise Unprocessable(
            "supervision.bad_source", _("手工登记的问题来源须为自查或领导交办。"), source=source
        )
    require_opener(actor, source)
    if category not in Category.values:
        raise Unprocessable("supervision.bad_category", _("问题类别不正确。"), category=category)
    if severity not in Severity.values:
        raise Unprocessable("supervision.bad_severity", _("严重程度须为一般、较重或严重。"))
    text = _text(description, "description_required", _("请填写问题描述。"))
    if window is not None:
        if window.centre_id != centre.pk:
            raise Unprocessable("supervision.window_elsewhere", _("所填窗口不属于该服务中心。"))
        if department is None:
            department = window.department
        elif window.department_id not in (None, department.pk):
            raise Unprocessable("supervision.window_elsewhere", _("所填窗口不属于该部门。"))
    if (
        owner is not None
        and owner.centre_id != centre.pk
        and (department is None or owner.department_id != department.pk)
    ):
        raise Unprocessable("supervision.owner_elsewhere", _("整改责任人不属于该单位。"))
    found_on = found_on or timezone.localdate(now)
    if owner is None:
        owner = owner_for(window=window, department=department, centre=centre, day=found_on)
    problem = problem_create(
        NewProblem(
            source=source,
            centre=centre,
            department=department,
            window=window,
            owner=owner,
            category=category,
            severity=severity,
            description=text,
            found_on=found_on,
        ),
        actor=actor,
        now=now,
    )
    audit_record("supervision.problem_open", actor=actor, obj=problem, source=source)
    return problem


@transaction.atomic
def problem_plan(
    *,
    problem: Problem,
    actor,
    measure: str,
    owner: Staff | None = None,
    note: str = "",
    now: dt.datetime | None = None,
) -> Problem:
    """The measure planned (and, if named, the owner): open or reopened → planned."""
    now = now or timezone.now()
    require_rectifier(actor, problem)
    p = _locked(problem)
    require_status(p, Problem.Status.OPEN, Problem.Status.REOPENED)
    p.measure = _text(measure, "measure_required", _("请填写整改措施。"))
    fields = ["measure", "status", "planned_at", "planned_by", "updated_at"]
    if owner is not None:
        same_department = p.department_id is not None and owner.department_id == p.department_id
        if owner.centre_id != p.centre_id and not same_department:
            raise Unprocessable("supervision.owner_elsewhere", _("整改责任人不属于该单位。"))
        p.owner = owner
        fields.append("owner")
    old, p.status = p.status, Problem.Status.PLANNED
    p.planned_at, p.planned_by = now, actor
    p.save(update_fields=fields)
    problem_event(
        p, ProblemEvent.Type.PLANNED, old=old, new=p.status, actor=actor, note=note or p.measure
    )
    return p


@transaction.atomic
def problem_submit(
    *, problem: Problem, actor, evidence: str, note: str = "", now: dt.datetime | None = None
) -> Problem:
    """The evidence of rectification: planned → submitted. Without evidence,
    422 ``supervision.evidence_required``."""
    now = now or timezone.now()
    require_rectifier(actor, problem)
    p = _locked(problem)
    require_status(p, Problem.Status.PLANNED)
    p.evidence = _text(evidence, "evidence_required", _("请提交整改佐证材料（整改情况说明）。"))
    old, p.status = p.status, Problem.Status.SUBMITTED
    p.submitted_at, p.submitted_by = now, actor
    p.save(update_fields=["evidence", "status", "submitted_at", "submitted_by", "updated_at"])
    problem_event(
        p, ProblemEvent.Type.SUBMITTED, old=old, new=p.status, actor=actor, note=note or p.evidence
    )
    return p


def _refuse_self_verify(problem: Problem, actor) -> None:
    """Whoever submitted the evidence never verifies it (403
    ``supervision.self_verify``), whatever roles he holds: checked first."""
    if problem.submitted_by_id is not None and problem.submitted_by_id == actor.pk:
        raise Forbidden("supervision.self_verify", _("整改佐证的提交人不能验收自己提交的整改。"))


@transaction.atomic
def problem_verify(
    *, problem: Problem, actor, note: str = "", now: dt.datetime | None = None
) -> Problem:
    """The supervision office or a director verifies the rectification:
    submitted → verified (closed), on time or not; a 严重 or 较重 row gets its
    回头看 re-check."""
    now = now or timezone.now()
    _refuse_self_verify(problem, actor)
    require_verifier(actor)
    p = _locked(problem)
    _refuse_self_verify(p, actor)
    require_status(p, Problem.Status.SUBMITTED)
    today = timezone.localdate(now)
    old, p.status = p.status, Problem.Status.VERIFIED
    p.verified_at, p.verified_by = now, actor
    p.on_time = p.due_date is None or today <= p.due_date
    p.save(update_fields=["status", "verified_at", "verified_by", "on_time", "updated_at"])
    problem_event(p, ProblemEvent.Type.VERIFIED, old=old, new=p.status, actor=actor, note=note)
    if p.severity in RECHECK_SEVERITIES:
        days = int(setting_get("supervision.recheck_days"))
        RecheckTask.objects.get_or_create(problem=p, due_on=today + dt.timedelta(days=days))
    audit_record("supervision.problem_verify", actor=actor, obj=p, on_time=p.on_time)
    return p


@transaction.atomic
def problem_reject(
    *, problem: Problem, actor, note: str, now: dt.datetime | None = None
) -> Problem:
    """Send a submitted rectification back (submitted → reopened) with the
    reason. The deadline stands."""
    now = now or timezone.now()
    _refuse_self_verify(problem, actor)
    require_verifier(actor)
    p = _locked(problem)
    _refuse_self_verify(p, actor)
    require_status(p, Problem.Status.SUBMITTED)
    reason = _text(note, "reason_required", _("请填写退回理由。"), limit=1000)
    old, p.status = p.status, Problem.Status.REOPENED
    p.reopen_count += 1
    p.save(update_fields=["status", "reopen_count", "updated_at"])
    problem_event(p, ProblemEvent.Type.REJECTED, old=old, new=p.status, actor=actor, note=reason)
    audit_record("supervision.problem_reject", actor=actor, obj=p)
    return p


@dataclass
class StepInput:
    """What a page or API call sends with a step."""

    note: str = ""
    measure: str = ""
    evidence: str = ""
    owner: Staff | None = None


ProblemStep = Callable[[Problem, Any, StepInput], Problem]

# The one dispatch table of the flow, shared by the pages and the API.
PROBLEM_STEPS: dict[str, ProblemStep] = {
    "plan": lambda p, actor, given: problem_plan(
        problem=p, actor=actor, measure=given.measure, owner=given.owner, note=given.note
    ),
    "submit": lambda p, actor, given: problem_submit(
        problem=p, actor=actor, evidence=given.evidence, note=given.note
    ),
    "verify": lambda p, actor, given: problem_verify(problem=p, actor=actor, note=given.note),
    "reject": lambda p, actor, given: problem_reject(problem=p, actor=actor, note=given.note),
}


def problem_act(
    *,
    problem: Problem,
    action: str,
    actor,
    note: str = "",
    measure: str = "",
    evidence: str = "",
    owner: Staff | None = None,
) -> Problem:
    """Run the step named ``action`` (a key of ``PROBLEM_STEPS``); 422
    ``supervision.bad_action`` for any other name."""
    step = PROBLEM_STEPS.get(action)
    if step is None:
        raise Unprocessable(
            "supervision.bad_action",
            _("不支持的操作：%(a)s") % {"a": action},
            allowed=sorted(PROBLEM_STEPS),
        )
    given = StepInput(note=note or "", measure=measure or "", evidence=evidence or "", owner=owner)
    return step(problem, actor, given)
