"""The campaign's pages' actions (docs/domain.md, "The improvement campaign"):
the campaign office (the county director, the supervision office, the county
administrator) sets tasks and changes them; a unit's lead marks the unit's
tasks done with the deliverable, writes the unit's monthly progress report
(editable until the month ends) and its good practices, and marks that the
unit adopted another unit's practice; the office freezes a phase's
evaluation. Each change is audited."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.insights.rollups import month_end, month_start
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Forbidden, Unprocessable
from yichuang.org.models import Centre, Department, Staff

from ..models import (
    Adoption,
    Campaign,
    CampaignPhase,
    CampaignTask,
    GoodPractice,
    PhaseEvaluation,
    ProgressReport,
)
from ..selectors_campaign import county_office, evaluation_figures, unit_of


def _require_office(actor) -> None:
    if not county_office(actor):
        raise Forbidden(
            "supervision.not_campaign_office",
            _("只有县政务服务中心主任、督查室或县级管理员可以安排行动任务。"),
        )


def _unit(centre: Centre | None, department: Department | None) -> None:
    if (centre is None) == (department is None):
        raise Unprocessable("supervision.bad_unit", _("责任单位须为一个服务中心或一个部门。"))


def _text(value: str, code: str, message: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Unprocessable(code, message)
    if len(value) > limit:
        raise Unprocessable(
            "supervision.too_long", _("内容过长（最多%(n)s字）。") % {"n": limit}, limit=limit
        )
    return value


def _check_due(phase: CampaignPhase, due_date: dt.date | None) -> dt.date:
    if due_date is None:
        raise Unprocessable("supervision.due_required", _("请填写完成时限，例如 2026-03-31。"))
    last = phase.campaign.phases.order_by("-number").first()
    ends_on = last.ends_on if last is not None else phase.ends_on
    if not phase.campaign.starts_on <= due_date <= ends_on:
        raise Unprocessable("supervision.due_outside", _("完成时限须在提升行动期间内。"))
    return due_date


def _check_lead(lead: Staff | None, centre: Centre | None, department: Department | None) -> None:
    if lead is None:
        return
    if (department is not None and lead.department_id != department.pk) or (
        centre is not None and lead.centre_id != centre.pk
    ):
        raise Unprocessable("supervision.lead_outside", _("牵头人须为责任单位的工作人员。"))


@transaction.atomic
def campaign_task_create(
    *,
    phase: CampaignPhase,
    title: str,
    due_date: dt.date | None,
    actor,
    centre: Centre | None = None,
    department: Department | None = None,
    lead: Staff | None = None,
    deliverable: str = "",
    request=None,
) -> CampaignTask:
    _require_office(actor)
    _unit(centre, department)
    _check_lead(lead, centre, department)
    task = CampaignTask.objects.create(
        phase=phase,
        title=_text(title, "supervision.title_required", _("请填写任务名称。"), 200),
        centre=centre,
        department=department,
        lead=lead,
        due_date=_check_due(phase, due_date),
        deliverable=(deliverable or "").strip()[:200],
    )
    audit_record("supervision.task_create", actor=actor, obj=task, request=request)
    return task


@transaction.atomic
def campaign_task_update(
    *,
    task: CampaignTask,
    actor,
    title: str,
    due_date: dt.date | None,
    centre: Centre | None = None,
    department: Department | None = None,
    lead: Staff | None = None,
    deliverable: str = "",
    status: str | None = None,
    request=None,
) -> CampaignTask:
    """The office changes a task (title, unit, lead, deadline, deliverable,
    status; reopening a done task clears its done date)."""
    _require_office(actor)
    _unit(centre, department)
    _check_lead(lead, centre, department)
    task = (
        CampaignTask.objects.select_for_update().select_related("phase__campaign").get(pk=task.pk)
    )
    task.title = _text(title, "supervision.title_required", _("请填写任务名称。"), 200)
    task.due_date = _check_due(task.phase, due_date)
    task.centre, task.department, task.lead = centre, department, lead
    task.deliverable = (deliverable or "").strip()[:200]
    if status is not None and status != task.status:
        if status not in CampaignTask.Status.values:
            raise Unprocessable("supervision.bad_status", _("任务状态不正确。"))
        task.status = status
        task.done_at = timezone.now() if status == CampaignTask.Status.DONE else None
    task.save()
    audit_record("supervision.task_update", actor=actor, obj=task, request=request)
    return task


def _answers_for_task(actor, task: CampaignTask) -> bool:
    if county_office(actor):
        return True
    centre, department = unit_of(actor)
    return bool(
        (centre is not None and task.centre_id == centre.pk)
        or (department is not None and task.department_id == department.pk)
    )


@transaction.atomic
def campaign_task_done(
    *,
    task: CampaignTask,
    actor,
    deliverable: str,
    note: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> CampaignTask:
    """The unit's lead marks the task done, naming the deliverable."""
    if not _answers_for_task(actor, task):
        raise Forbidden(
            "supervision.not_responsible", _("只有责任单位负责人可以办结本单位的任务。")
        )
    task = CampaignTask.objects.select_for_update().get(pk=task.pk)
    if task.status == CampaignTask.Status.DONE:
        raise Conflict("supervision.task_done", _("该任务已办结。"))
    task.deliverable = _text(
        deliverable,
        "supervision.deliverable_required",
        _("请填写完成成果（如制度文件、台账、照片说明）。"),
        200,
    )
    task.note = (note or "").strip()[:500]
    task.status = CampaignTask.Status.DONE
    task.done_at = now or timezone.now()
    task.save(update_fields=["deliverable", "note", "status", "done_at", "updated_at"])
    audit_record("supervision.task_done", actor=actor, obj=task, request=request)
    return task


@transaction.atomic
def campaign_task_start(*, task: CampaignTask, actor, request=None) -> CampaignTask:
    """未开始 → 推进中, by the unit's lead or the office."""
    if not _answers_for_task(actor, task):
        raise Forbidden(
            "supervision.not_responsible", _("只有责任单位负责人可以更新本单位的任务。")
        )
    task = CampaignTask.objects.select_for_update().get(pk=task.pk)
    if task.status != CampaignTask.Status.TODO:
        raise Conflict("supervision.task_started", _("该任务已在推进或已办结。"))
    task.status = CampaignTask.Status.DOING
    task.save(update_fields=["status", "updated_at"])
    audit_record("supervision.task_start", actor=actor, obj=task, request=request)
    return task


@transaction.atomic
def progress_report_save(
    *,
    campaign: Campaign,
    month: dt.date,
    actor,
    done: str,
    problems: str = "",
    next_steps: str = "",
    today: dt.date | None = None,
    request=None,
) -> ProgressReport:
    """The unit's report for a month: one per unit and month, written and
    changed by the unit's lead until the month ends."""
    centre, department = unit_of(actor)
    if centre is None and department is None:
        raise Forbidden("supervision.not_unit_lead", _("进展报告由各责任单位负责人填报。"))
    today = today or timezone.localdate()
    month = month_start(month)
    if month > today:
        raise Unprocessable("supervision.future_month", _("不能填报尚未开始月份的进展报告。"))
    if today > month_end(month):
        raise Conflict("supervision.report_closed", _("该月已结束，进展报告不能再修改。"))
    if month < month_start(campaign.starts_on):
        raise Unprocessable("supervision.before_campaign", _("该月份在提升行动开始之前。"))
    fields = {
        "done": _text(done, "supervision.done_required", _("请填写本月完成情况。"), 4000),
        "problems": (problems or "").strip()[:4000],
        "next_steps": (next_steps or "").strip()[:4000],
        "author": actor,
    }
    report, created = ProgressReport.objects.select_for_update().update_or_create(
        campaign=campaign, month=month, centre=centre, department=department, defaults=fields
    )
    audit_record(
        "supervision.report_create" if created else "supervision.report_update",
        actor=actor,
        obj=report,
        request=request,
    )
    return report


@transaction.atomic
def good_practice_write(
    *,
    campaign: Campaign,
    actor,
    title: str,
    body: str,
    now: dt.datetime | None = None,
    request=None,
) -> GoodPractice:
    """A unit's lead writes up what worked; it is in the library at once."""
    centre, department = unit_of(actor)
    if centre is None and department is None:
        raise Forbidden("supervision.not_unit_lead", _("经验做法由各责任单位负责人撰写。"))
    practice = GoodPractice.objects.create(
        campaign=campaign,
        title=_text(title, "supervision.title_required", _("请填写标题。"), 120),
        body=_text(body, "supervision.body_required", _("请填写经验做法的内容。"), 8000),
        author=actor,
        centre=centre,
        department=department,
        published_at=now or timezone.now(),
    )
    audit_record("supervision.practice_write", actor=actor, obj=practice, request=request)
    return practice


@transaction.atomic
def good_practice_adopt(
    *,
    practice: GoodPractice,
    actor,
    note: str = "",
    now: dt.datetime | None = None,
    request=None,
) -> Adoption:
    """Another unit marks that it adopted the practice (once per unit)."""
    centre, department = unit_of(actor)
    if centre is None and department is None:
        raise Forbidden("supervision.not_unit_lead", _("只有单位负责人可以登记借鉴。"))
    if (centre is not None and centre.pk == practice.centre_id) or (
        department is not None and department.pk == practice.department_id
    ):
        raise Conflict("supervision.own_practice", _("不能借鉴本单位自己的经验做法。"))
    try:
        with transaction.atomic():
            adoption = Adoption.objects.create(
                practice=practice,
                centre=centre,
                department=department,
                by=actor,
                at=now or timezone.now(),
                note=(note or "").strip()[:300],
            )
    except IntegrityError:
        raise Conflict("supervision.already_adopted", _("本单位已登记借鉴该经验做法。")) from None
    audit_record("supervision.practice_adopt", actor=actor, obj=adoption, request=request)
    return adoption


@transaction.atomic
def phase_evaluation_make(
    *, phase: CampaignPhase, actor, today: dt.date | None = None, request=None
) -> PhaseEvaluation:
    """Freeze the phase's figures as its evaluation (once the phase has
    ended; a later one replaces nothing, the page shows the latest)."""
    _require_office(actor)
    today = today or timezone.localdate()
    if today <= phase.ends_on:
        raise Conflict("supervision.phase_running", _("阶段结束后才能进行阶段评估。"))
    figures = evaluation_figures(phase, today)
    evaluation = PhaseEvaluation.objects.create(
        phase=phase,
        created_by=actor,
        at_start=figures["at_start"],
        at_end=figures["at_end"],
        ledger=figures["ledger"],
        tasks=figures["tasks"],
    )
    audit_record("supervision.phase_evaluation", actor=actor, obj=evaluation, request=request)
    return evaluation
