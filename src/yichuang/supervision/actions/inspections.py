"""Recording a visit (明查 or 暗访) and publishing a covert one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Forbidden, Unprocessable
from yichuang.org.models import Centre, Staff, Window
from yichuang.org.scopes import centres_for

from .. import photos
from ..models import (
    SEVERITY_RANK,
    Checklist,
    ChecklistLine,
    Finding,
    Inspection,
    Problem,
    ProblemEvent,
    Severity,
    Source,
    VisitKind,
)
from ..permissions import is_inspector, require_inspector
from .common import NewProblem, deadline_for, owner_for, problem_create, problem_event


@dataclass
class FindingInput:
    """One line as the inspector found it. ``window`` and ``clerk`` are ids;
    ``photo`` the uploaded bytes."""

    line: str
    result: str
    window: int | None = None
    clerk: int | None = None
    severity: str | None = None
    note: str = ""
    photo: bytes | None = None


def _bad(code: str, message: str, index: int, **details) -> Unprocessable:
    return Unprocessable(f"supervision.{code}", message, finding=index, **details)


def _check_findings(
    centre: Centre, checklist: Checklist, given: list[FindingInput]
) -> list[tuple[FindingInput, ChecklistLine, Window | None, Staff | None]]:
    """Every finding checked before anything is written (422 naming the
    finding's position), with its line, window and clerk."""
    if not given:
        raise Unprocessable("supervision.no_findings", _("请至少填写一条检查结果。"))
    lines = {line.code: line for line in checklist.lines.all()}
    window_ids = {f.window for f in given if f.window is not None}
    windows = {w.pk: w for w in Window.objects.filter(pk__in=window_ids).select_related("centre")}
    clerk_ids = {f.clerk for f in given if f.clerk is not None}
    clerks = {s.pk: s for s in Staff.objects.filter(pk__in=clerk_ids)}
    seen: set[str] = set()
    checked = []
    for i, f in enumerate(given):
        line = lines.get(f.line)
        if line is None:
            raise _bad(
                "unknown_line",
                _("检查条目 %(c)s 不在这张检查表上。") % {"c": f.line},
                i,
                line=f.line,
            )
        if f.line in seen:
            raise _bad("duplicate_line", _("检查条目 %(c)s 重复。") % {"c": f.line}, i, line=f.line)
        seen.add(f.line)
        if f.result not in Finding.Result.values:
            raise _bad("bad_result", _("检查结果须为合格或不合格。"), i)
        window = None
        if f.window is not None:
            window = windows.get(f.window)
            if window is None or window.centre_id != centre.pk:
                raise _bad(
                    "window_elsewhere",
                    _("所填窗口不属于被检查的服务中心。"),
                    i,
                    window=f.window,
                )
        clerk = None
        if f.clerk is not None:
            clerk = clerks.get(f.clerk)
            if clerk is None or clerk.centre_id != centre.pk:
                raise _bad(
                    "clerk_elsewhere",
                    _("所填工作人员不属于被检查的服务中心。"),
                    i,
                    clerk=f.clerk,
                )
        if f.severity is not None:
            if f.severity not in Severity.values:
                raise _bad("bad_severity", _("严重程度须为一般、较重或严重。"), i)
            if SEVERITY_RANK[Severity(f.severity)] < SEVERITY_RANK[Severity(line.severity)]:
                raise _bad(
                    "severity_lowered",
                    _("严重程度只能在检查表的默认等级（%(s)s）上提高。")
                    % {"s": line.get_severity_display()},
                    i,
                )
        checked.append((f, line, window, clerk))
    return checked


@transaction.atomic
def inspection_record(
    *,
    centre: Centre,
    kind: str,
    checklist: Checklist,
    inspector,
    visited_at: dt.datetime,
    findings: list[FindingInput],
    notes: str = "",
    now: dt.datetime | None = None,
) -> Inspection:
    """Record a visit: its findings, its score (100 − the points of the failed
    lines) and one ledger row per failed line at once. An open visit is
    published as recorded; a covert visit's rows stay hidden from the units
    concerned, with no deadline, until ``inspection_publish``."""
    now = now or timezone.now()
    require_inspector(inspector)
    if not centres_for(inspector).filter(pk=centre.pk).exists():
        raise Forbidden("supervision.centre_out_of_scope", _("该服务中心不在您的检查范围内。"))
    if kind not in VisitKind.values:
        raise Unprocessable("supervision.bad_kind", _("检查方式须为明查或暗访。"))
    if visited_at > now + dt.timedelta(minutes=5):
        raise Unprocessable("supervision.visit_in_future", _("检查时间不能晚于现在。"))
    checked = _check_findings(centre, checklist, findings)
    # Photos are checked (and re-encoded) before any row is written.
    encoded = {
        i: photos.reencode(f.photo) for i, (f, *_rest) in enumerate(checked) if f.photo is not None
    }
    failed_points = sum(line.points for f, line, *_rest in checked if f.result == "fail")
    covert = kind == VisitKind.COVERT
    inspection = Inspection.objects.create(
        centre=centre,
        kind=kind,
        checklist=checklist,
        inspector=inspector,
        visited_at=visited_at,
        score=max(0, 100 - failed_points),
        published_at=None if covert else now,
        published_by=None if covert else inspector,
        notes=notes,
    )
    found_on = timezone.localdate(visited_at)
    label = _("%(k)s %(d)s") % {"k": inspection.get_kind_display(), "d": found_on.isoformat()}
    for i, (f, line, window, clerk) in enumerate(checked):
        photo_path, photo_type = "", ""
        if i in encoded:
            content, photo_type = encoded[i]
            photo_path = photos.store(content)
        finding = Finding.objects.create(
            inspection=inspection,
            line=line,
            result=f.result,
            window=window,
            clerk=clerk,
            severity=f.severity or line.severity,
            note=f.note[:500],
            photo_path=photo_path,
            photo_type=photo_type,
        )
        if f.result != Finding.Result.FAIL:
            continue
        department = (window.department if window else None) or (
            clerk.department if clerk else None
        )
        owner = owner_for(window=window, department=department, centre=centre, day=found_on)
        description = line.text if not f.note else f"{line.text}：{f.note}"
        problem_create(
            NewProblem(
                source=Source.INSPECTION,
                source_id=finding.pk,
                source_label=label,
                inspection=inspection,
                centre=centre,
                department=department,
                window=window,
                owner=owner or clerk,
                clerk=clerk,
                category=line.category,
                severity=finding.severity,
                description=description,
                found_on=found_on,
                hidden=covert,
            ),
            actor=inspector,
            now=now,
        )
    audit_record(
        "supervision.inspection_record",
        actor=inspector,
        obj=inspection,
        centre=centre.code,
        kind=kind,
        score=inspection.score,
    )
    return inspection


@transaction.atomic
def inspection_publish(
    *, inspection: Inspection, actor, now: dt.datetime | None = None
) -> Inspection:
    """Publish a covert visit's findings to the units concerned: its rows
    become visible and their deadlines run from today."""
    now = now or timezone.now()
    if not (is_inspector(actor) or inspection.inspector_id == actor.pk):
        raise Forbidden("supervision.not_inspector", _("只有督查员可以公布暗访结果。"))
    inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
    if inspection.published_at is not None:
        raise Conflict("supervision.already_published", _("该次检查结果已经公布。"))
    inspection.published_at = now
    inspection.published_by = actor
    inspection.save(update_fields=["published_at", "published_by", "updated_at"])
    today = timezone.localdate(now)
    for problem in Problem.objects.select_for_update().filter(
        inspection=inspection, hidden_until_published=True
    ):
        problem.hidden_until_published = False
        problem.due_date = deadline_for(problem.severity, today)
        problem.save(update_fields=["hidden_until_published", "due_date", "updated_at"])
        problem_event(
            problem,
            ProblemEvent.Type.PUBLISHED,
            old=problem.status,
            new=problem.status,
            actor=actor,
            at=now,
        )
    audit_record("supervision.inspection_publish", actor=actor, obj=inspection)
    return inspection
