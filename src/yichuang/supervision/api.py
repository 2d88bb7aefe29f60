"""HTTP API of supervision: checklists, inspections, the problem ledger and
the campaign. Thin: parse, fetch through the scoped selectors, call an
action, shape the answer. Every operation declares what it returns for each
status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from yichuang.lib.errors import ErrorOut, NotFound, Unprocessable
from yichuang.lib.pagination import PageIn
from yichuang.org.auth import API_AUTH, staff_user
from yichuang.org.models import Department, Staff, Window
from yichuang.org.scopes import centres_for, get_window_for, staff_of, windows_for

from . import actions, selectors
from .models import Campaign, Problem
from .permissions import require_inspector, require_opener
from .schemas import (
    CampaignOut,
    ChecklistOut,
    InspectionIn,
    InspectionOut,
    ProblemActionIn,
    ProblemIn,
    ProblemListOut,
    ProblemOut,
)

router = Router(tags=["supervision"])


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def problem_out(p: Problem, today: dt.date, previous: list[int]) -> dict[str, Any]:
    return {
        "id": p.pk,
        "source": p.source,
        "source_label": p.source_label,
        "category": p.category,
        "category_label": p.get_category_display(),
        "severity": p.severity,
        "centre": p.centre.code,
        "department": p.department.code if p.department_id else None,
        "window": p.window_id,
        "window_number": p.window.number if p.window_id else None,
        "owner": p.owner.name if p.owner_id else None,
        "clerk": p.clerk.name if p.clerk_id else None,
        "description": p.description,
        "measure": p.measure,
        "evidence": p.evidence,
        "found_on": p.found_on.isoformat(),
        "due_date": _date(p.due_date),
        "status": p.status,
        "status_label": p.get_status_display(),
        "overdue": p.is_overdue(today),
        "recurrence": p.recurrence,
        "previous": previous,
        "escalated": p.escalated,
        "hidden": p.hidden_until_published,
        "submitted_at": _iso(p.submitted_at),
        "verified_at": _iso(p.verified_at),
        "on_time": p.on_time,
    }


ROW_RELATED = ("centre", "department", "window", "owner", "clerk")


def _one_problem(p: Problem) -> dict[str, Any]:
    p = Problem.objects.select_related(*ROW_RELATED).get(pk=p.pk)
    previous = selectors.with_previous_ids([p])
    return problem_out(p, timezone.localdate(), previous[p.pk])


def _staff_named(user, name: str | None) -> Staff | None:
    """The staff member a request names by 工号 or username (404 unless in
    the caller's view of the organisation)."""
    if not name:
        return None
    staff = (
        Staff.objects.filter(Q(employee_no=name) | Q(user__username=name))
        .filter(Q(centre__in=centres_for(user)) | Q(centre__isnull=True))
        .first()
    )
    if staff is None:
        raise NotFound("supervision.staff_not_found", _("没有找到该工作人员：%(s)s") % {"s": name})
    return staff


# --- checklists and inspections -----------------------------------------------------------


@router.get("/checklists", auth=API_AUTH, response={200: list[ChecklistOut], 401: ErrorOut})
def checklist_list(request):
    """The current version of every checklist, with its lines."""
    staff_user(request)
    return [
        {
            "code": c.code,
            "name": c.name,
            "kind": c.kind,
            "version": c.version,
            "lines": [
                {
                    "code": line.code,
                    "text": line.text,
                    "category": line.category,
                    "category_label": line.get_category_display(),
                    "points": line.points,
                    "severity": line.severity,
                }
                for line in c.lines.all()
            ],
        }
        for c in selectors.current_checklists()
    ]


def inspection_out(inspection) -> dict[str, Any]:
    return {
        "id": inspection.pk,
        "centre": inspection.centre.code,
        "kind": inspection.kind,
        "checklist": inspection.checklist.code,
        "checklist_version": inspection.checklist.version,
        "visited_at": _iso(inspection.visited_at),
        "score": inspection.score,
        "published_at": _iso(inspection.published_at),
        "problems": sorted(inspection.problems.values_list("pk", flat=True)),
    }


@router.post(
    "/inspections",
    auth=API_AUTH,
    response={201: InspectionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def inspection_create(request, payload: InspectionIn):
    """Record a visit; each failed line opens a ledger row at once (a covert
    visit's rows stay hidden from the units concerned until published).
    Inspectors and directors only."""
    user = staff_user(request)
    require_inspector(user)
    centre = selectors.centre_for_visit(user, payload.centre)
    checklist = selectors.get_current_checklist(payload.checklist)
    visited_at = payload.visited_at
    if timezone.is_naive(visited_at):
        visited_at = timezone.make_aware(visited_at)
    inspection = actions.inspection_record(
        centre=centre,
        kind=payload.kind,
        checklist=checklist,
        inspector=user,
        visited_at=visited_at,
        notes=payload.notes,
        findings=[
            actions.FindingInput(
                line=f.line,
                result=f.result,
                window=f.window,
                severity=f.severity,
                note=f.note,
            )
            for f in payload.findings
        ],
    )
    return Status(201, inspection_out(inspection))


@router.post(
    "/inspections/{inspection_id}/publish",
    auth=API_AUTH,
    response={200: InspectionOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def inspection_publish(request, inspection_id: int):
    """Publish a covert visit's findings: its rows' deadlines run from now."""
    user = staff_user(request)
    inspection = selectors.get_inspection_for(user, inspection_id)
    inspection = actions.inspection_publish(inspection=inspection, actor=user)
    return inspection_out(inspection)


# --- the ledger ---------------------------------------------------------------------------


@router.get(
    "/problems",
    auth=API_AUTH,
    response={200: ProblemListOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def problem_list(request, page: Query[PageIn]):
    """The ledger rows the caller sees, overdue and recurring first. Filters:
    ``status``, ``source``, ``severity`` (comma-separated), ``centre``,
    ``department`` (codes), ``overdue``, ``recurring`` (true/false)."""
    user = staff_user(request)
    today = timezone.localdate()
    filters = {k: request.GET.get(k, "") for k in selectors.LEDGER_FILTERS}
    qs = selectors.ledger_rows(user, filters, today)
    rows = selectors.ledger_page(qs, page.offset, page.limit)
    previous = selectors.with_previous_ids(rows)
    return {
        "items": [problem_out(p, today, previous[p.pk]) for p in rows],
        "count": qs.count(),
    }


@router.post(
    "/problems",
    auth=API_AUTH,
    response={201: ProblemOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def problem_create(request, payload: ProblemIn):
    """A self-check (自查) or a leadership instruction (领导交办)."""
    user = staff_user(request)
    require_opener(user, payload.source)
    centre = selectors.centre_for_visit(user, payload.centre)
    window: Window | None = None
    if payload.window is not None:
        window = get_window_for(user, payload.window)
    department = None
    if payload.department:
        department = Department.objects.filter(code=payload.department).first()
        if department is None:
            raise Unprocessable(
                "supervision.bad_department",
                _("没有这个部门：%(d)s") % {"d": payload.department},
            )
    staff = staff_of(user)
    if staff is not None and staff.scope == Staff.Scope.DEPARTMENT:
        # A department's staff enter their own department's rows only.
        if department is None:
            department = staff.department
        if department != staff.department or (
            window is not None and not windows_for(user).filter(pk=window.pk).exists()
        ):
            raise NotFound("supervision.unit_not_found", _("该部门不在您的管理范围内。"))
    problem = actions.problem_open(
        source=payload.source,
        centre=centre,
        department=department,
        window=window,
        category=payload.category,
        severity=payload.severity,
        description=payload.description,
        owner=_staff_named(user, payload.owner),
        actor=user,
    )
    return Status(201, _one_problem(problem))


@router.post(
    "/problems/{problem_id}/actions",
    auth=API_AUTH,
    response={
        200: ProblemOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def problem_action(request, problem_id: int, payload: ProblemActionIn):
    """One step of the flow (``actions.PROBLEM_STEPS``): plan, submit, verify,
    reject. Verifying one's own submission is refused (403
    ``supervision.self_verify``) before any role check."""
    user = staff_user(request)
    problem = selectors.get_problem_for(user, problem_id)
    problem = actions.problem_act(
        problem=problem,
        action=payload.action,
        actor=user,
        note=payload.note,
        measure=payload.measure,
        evidence=payload.evidence,
        owner=_staff_named(user, payload.owner),
    )
    return _one_problem(problem)


# --- the campaign -------------------------------------------------------------------------


def campaign_out(c: Campaign, today: dt.date) -> dict[str, Any]:
    phases = list(c.phases.all())
    return {
        "id": c.pk,
        "name": c.name,
        "starts_on": c.starts_on.isoformat(),
        "phases": [
            {
                "number": ph.number,
                "name": ph.name,
                "starts_on": ph.starts_on.isoformat(),
                "ends_on": ph.ends_on.isoformat(),
                "tasks": [
                    {
                        "id": t.pk,
                        "title": t.title,
                        "unit": t.unit_label(),
                        "lead": t.lead.name if t.lead_id else None,
                        "due_date": t.due_date.isoformat(),
                        "deliverable": t.deliverable,
                        "status": t.status,
                        "late": t.is_late(today),
                    }
                    for t in ph.tasks.all()
                ],
            }
            for ph in phases
        ],
        "evaluations": [
            {
                "id": e.pk,
                "phase": ph.number,
                "created_at": _iso(e.created_at),
                "at_start": e.at_start,
                "at_end": e.at_end,
                "ledger": e.ledger,
                "tasks": e.tasks,
            }
            for ph in phases
            for e in ph.evaluations.all()
        ],
    }


@router.get("/campaigns", auth=API_AUTH, response={200: list[CampaignOut], 401: ErrorOut})
def campaign_list(request):
    user = staff_user(request)
    today = timezone.localdate()
    return [
        campaign_out(c, today)
        for c in selectors.campaigns_for(user).prefetch_related(*selectors.CAMPAIGN_PREFETCH)
    ]


@router.get(
    "/campaigns/{campaign_id}",
    auth=API_AUTH,
    response={200: CampaignOut, 401: ErrorOut, 404: ErrorOut},
)
def campaign_detail(request, campaign_id: int):
    user = staff_user(request)
    return campaign_out(selectors.get_campaign_for(user, campaign_id), timezone.localdate())
