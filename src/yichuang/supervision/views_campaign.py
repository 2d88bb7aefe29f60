"""The improvement campaign's pages (/supervision/campaign/): the leadership's
overview, the tasks (set by the campaign office, marked done by the units'
leads), the monthly progress reports, the good-practice library and each
phase's evaluation (page and PDF). Thin: reads from ``selectors_campaign``,
changes through ``actions.campaign``."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import DomainError, Forbidden, NotFound, Unprocessable
from yichuang.org.models import Centre, Department, Staff
from yichuang.org.permissions import hall_staff_required

from .actions.campaign import (
    campaign_task_create,
    campaign_task_done,
    campaign_task_start,
    campaign_task_update,
    good_practice_adopt,
    good_practice_write,
    phase_evaluation_make,
    progress_report_save,
)
from .actions.campaigns import campaign_create
from .models import Campaign, CampaignTask, ProgressReport
from .pdf import evaluation_context, evaluation_pdf
from .selectors_campaign import (
    campaign_overview,
    county_office,
    current_campaign,
    get_phase_for,
    get_practice,
    get_task_for,
    practices,
    previous_month,
    reports_for,
    require_campaign_reader,
    require_staff,
    responsible_units,
    staff_choices,
    tasks_for,
    unit_choices,
    unit_of,
)


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat((value or "").strip()) if value else None
    except ValueError:
        return None


def _campaign_or_404() -> Campaign:
    campaign = current_campaign()
    if campaign is None:
        raise NotFound("supervision.campaign_not_found", _("尚未发起提升行动。"))
    return campaign


def _status(error: DomainError | None) -> int:
    return error.status if error else 200


# --- the leadership's page ----------------------------------------------------------------


@hall_staff_required
def campaign(request: HttpRequest, error: DomainError | None = None) -> HttpResponse:
    require_campaign_reader(request.user)
    item = current_campaign()
    context = {"tab": "campaign", "office": county_office(request.user), "error": error}
    if item is not None:
        context.update(campaign_overview(item, request.user))
    context["today"] = timezone.localdate()
    return render(request, "supervision/campaign.html", context, status=_status(error))


@require_POST
@hall_staff_required
def campaign_start(request: HttpRequest) -> HttpResponse:
    require_campaign_reader(request.user)
    if not county_office(request.user):
        raise Forbidden(
            "supervision.not_campaign_office", _("只有县级督查室或主任可以发起提升行动。")
        )
    try:
        starts_on = _date(request.POST.get("starts_on"))
        if starts_on is None:
            raise Unprocessable("supervision.bad_date", _("请填写开始日期，例如 2026-03-01。"))
        campaign_create(name=request.POST.get("name", ""), starts_on=starts_on, actor=request.user)
    except DomainError as e:
        return campaign(request, error=e)
    return redirect("supervision:campaign")


# --- tasks ----------------------------------------------------------------------------------


def _unit_from(post) -> tuple[Centre | None, Department | None]:
    """``unit`` is ``centre:<id>`` or ``department:<id>``."""
    kind, _sep, raw = (post.get("unit") or "").partition(":")
    try:
        pk = int(raw)
    except ValueError:
        return None, None
    if kind == "centre":
        return Centre.objects.filter(pk=pk).first(), None
    if kind == "department":
        return None, Department.objects.filter(pk=pk).first()
    return None, None


def _lead_from(post) -> Staff | None:
    try:
        pk = int(post.get("lead") or 0)
    except ValueError:
        return None
    return Staff.objects.filter(pk=pk).first() if pk else None


def _task_form_context() -> dict:
    centres, departments = unit_choices()
    return {"centres": centres, "departments": departments, "staff": staff_choices()}


@hall_staff_required
def tasks(request: HttpRequest, error: DomainError | None = None) -> HttpResponse:
    require_campaign_reader(request.user)
    item = _campaign_or_404()
    today = timezone.localdate()
    rows = list(tasks_for(request.user, item).order_by("phase__number", "due_date", "id"))
    show = request.GET.get("show", "")
    if show == "late":
        rows = [t for t in rows if t.status != CampaignTask.Status.DONE and t.due_date < today]
    context = {
        "tab": "tasks",
        "campaign": item,
        "tasks": rows,
        "show": show,
        "today": today,
        "office": county_office(request.user),
        "phases": list(item.phases.order_by("number")),
        "error": error,
        "form": request.POST if error else {},
        **(_task_form_context() if county_office(request.user) else {}),
    }
    return render(request, "supervision/campaign_tasks.html", context, status=_status(error))


@require_POST
@hall_staff_required
def task_new(request: HttpRequest) -> HttpResponse:
    require_campaign_reader(request.user)
    item = _campaign_or_404()
    try:
        phase = item.phases.filter(pk=_int(request.POST.get("phase"))).first()
        if phase is None:
            raise Unprocessable("supervision.bad_phase", _("请选择阶段。"))
        centre, department = _unit_from(request.POST)
        task = campaign_task_create(
            phase=phase,
            title=request.POST.get("title", ""),
            due_date=_date(request.POST.get("due_date")),
            actor=request.user,
            centre=centre,
            department=department,
            lead=_lead_from(request.POST),
            deliverable=request.POST.get("deliverable", ""),
            request=request,
        )
    except DomainError as e:
        return tasks(request, error=e)
    return redirect(reverse("supervision:campaign_task", args=[task.pk]) + "?done=created")


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


def _task_page(request: HttpRequest, task: CampaignTask, **extra) -> HttpResponse:
    centre, department = unit_of(request.user)
    mine = (centre is not None and task.centre_id == centre.pk) or (
        department is not None and task.department_id == department.pk
    )
    error = extra.get("error")
    context = {
        "tab": "tasks",
        "task": task,
        "late": task.is_late(),
        "office": county_office(request.user),
        "mine": mine or county_office(request.user),
        "statuses": CampaignTask.Status.choices,
        "phases": list(task.phase.campaign.phases.order_by("number")),
        "done": request.GET.get("done", "")[:10],
        "form": {},
        **(_task_form_context() if county_office(request.user) else {}),
        **extra,
    }
    return render(request, "supervision/campaign_task.html", context, status=_status(error))


@hall_staff_required
def task(request: HttpRequest, pk: int) -> HttpResponse:
    require_campaign_reader(request.user)
    return _task_page(request, get_task_for(request.user, pk))


@require_POST
@hall_staff_required
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    require_campaign_reader(request.user)
    item = get_task_for(request.user, pk)
    try:
        centre, department = _unit_from(request.POST)
        campaign_task_update(
            task=item,
            actor=request.user,
            title=request.POST.get("title", ""),
            due_date=_date(request.POST.get("due_date")),
            centre=centre,
            department=department,
            lead=_lead_from(request.POST),
            deliverable=request.POST.get("deliverable", ""),
            status=request.POST.get("status") or None,
            request=request,
        )
    except DomainError as e:
        return _task_page(request, item, error=e, form=request.POST)
    return redirect(reverse("supervision:campaign_task", args=[pk]) + "?done=saved")


@require_POST
@hall_staff_required
def task_done(request: HttpRequest, pk: int) -> HttpResponse:
    require_campaign_reader(request.user)
    item = get_task_for(request.user, pk)
    try:
        campaign_task_done(
            task=item,
            actor=request.user,
            deliverable=request.POST.get("deliverable", ""),
            note=request.POST.get("note", ""),
            request=request,
        )
    except DomainError as e:
        return _task_page(request, item, error=e, form=request.POST)
    return redirect(reverse("supervision:campaign_task", args=[pk]) + "?done=done")


@require_POST
@hall_staff_required
def task_start(request: HttpRequest, pk: int) -> HttpResponse:
    require_campaign_reader(request.user)
    item = get_task_for(request.user, pk)
    try:
        campaign_task_start(task=item, actor=request.user, request=request)
    except DomainError as e:
        return _task_page(request, item, error=e)
    return redirect(reverse("supervision:campaign_task", args=[pk]) + "?done=started")


# --- monthly progress reports -------------------------------------------------------------


@hall_staff_required
def reports(request: HttpRequest, error: DomainError | None = None) -> HttpResponse:
    require_campaign_reader(request.user)
    item = _campaign_or_404()
    today = timezone.localdate()
    this_month = today.replace(day=1)
    centre, department = unit_of(request.user)
    rows = list(reports_for(request.user, item).order_by("-month", "centre_id", "department_id"))
    current = next(
        (
            r
            for r in rows
            if r.month == this_month
            and r.centre_id == getattr(centre, "pk", None)
            and r.department_id == getattr(department, "pk", None)
        ),
        None,
    )
    last = previous_month(today)
    missing = []
    if county_office(request.user):
        have = {
            (r.centre_id or 0, r.department_id or 0)
            for r in ProgressReport.objects.filter(campaign=item, month=last)
        }
        missing = [
            (c or d).name
            for c, d in responsible_units(item, last)
            if (getattr(c, "pk", 0) or 0, getattr(d, "pk", 0) or 0) not in have
        ]
    context = {
        "tab": "reports",
        "campaign": item,
        "reports": rows,
        "unit": centre or department,
        "current": current,
        "this_month": this_month,
        "last_month": last,
        "missing": missing if last >= item.starts_on.replace(day=1) else [],
        "office": county_office(request.user),
        "error": error,
        "form": request.POST if error else {},
        "done": request.GET.get("done", "")[:10],
    }
    return render(request, "supervision/campaign_reports.html", context, status=_status(error))


@require_POST
@hall_staff_required
def report_save(request: HttpRequest) -> HttpResponse:
    require_campaign_reader(request.user)
    item = _campaign_or_404()
    try:
        progress_report_save(
            campaign=item,
            month=timezone.localdate().replace(day=1),
            actor=request.user,
            done=request.POST.get("done", ""),
            problems=request.POST.get("problems", ""),
            next_steps=request.POST.get("next_steps", ""),
            request=request,
        )
    except DomainError as e:
        return reports(request, error=e)
    return redirect(reverse("supervision:campaign_reports") + "?done=saved")


# --- good practices -----------------------------------------------------------------------


def _practice_reader(user) -> None:
    """Every member of the halls' staff reads the library (clerks too)."""
    require_staff(user)


@hall_staff_required
def practice_list(request: HttpRequest, error: DomainError | None = None) -> HttpResponse:
    _practice_reader(request.user)
    item = _campaign_or_404()
    centre, department = unit_of(request.user)
    context = {
        "tab": "practices",
        "campaign": item,
        "practices": practices(item),
        "unit": centre or department,
        "reader": county_office(request.user) or centre is not None or department is not None,
        "error": error,
        "form": request.POST if error else {},
        "done": request.GET.get("done", "")[:10],
    }
    return render(request, "supervision/practices.html", context, status=_status(error))


@require_POST
@hall_staff_required
def practice_new(request: HttpRequest) -> HttpResponse:
    _practice_reader(request.user)
    item = _campaign_or_404()
    try:
        practice = good_practice_write(
            campaign=item,
            actor=request.user,
            title=request.POST.get("title", ""),
            body=request.POST.get("body", ""),
            request=request,
        )
    except DomainError as e:
        return practice_list(request, error=e)
    return redirect(reverse("supervision:practice", args=[practice.pk]) + "?done=written")


def _practice_page(request: HttpRequest, pk: int, **extra) -> HttpResponse:
    item = _campaign_or_404()
    practice = get_practice(item.pk, pk)
    centre, department = unit_of(request.user)
    own = (centre is not None and practice.centre_id == centre.pk) or (
        department is not None and practice.department_id == department.pk
    )
    adopted = any(
        (centre is not None and a.centre_id == centre.pk)
        or (department is not None and a.department_id == department.pk)
        for a in practice.adoptions.all()
    )
    error = extra.get("error")
    context = {
        "tab": "practices",
        "practice": practice,
        "adoptions": list(practice.adoptions.select_related("centre", "department", "by")),
        "may_adopt": (centre is not None or department is not None) and not own and not adopted,
        "adopted": adopted,
        "done": request.GET.get("done", "")[:10],
        **extra,
    }
    return render(request, "supervision/practice.html", context, status=_status(error))


@hall_staff_required
def practice(request: HttpRequest, pk: int) -> HttpResponse:
    _practice_reader(request.user)
    return _practice_page(request, pk)


@require_POST
@hall_staff_required
def practice_adopt(request: HttpRequest, pk: int) -> HttpResponse:
    _practice_reader(request.user)
    item = _campaign_or_404()
    target = get_practice(item.pk, pk)
    try:
        good_practice_adopt(
            practice=target, actor=request.user, note=request.POST.get("note", ""), request=request
        )
    except DomainError as e:
        return _practice_page(request, pk, error=e)
    return redirect(reverse("supervision:practice", args=[pk]) + "?done=adopted")


# --- phase evaluations --------------------------------------------------------------------


def _evaluation_page(request: HttpRequest, pk: int, **extra) -> HttpResponse:
    phase = get_phase_for(request.user, pk)
    latest = phase.evaluations.order_by("-created_at", "-id").first()
    live = request.GET.get("live") == "1" or latest is None
    context = evaluation_context(phase, None if live else latest)
    error = extra.get("error")
    context.update(
        {
            "tab": "campaign",
            "latest": latest,
            "live": live,
            "office": county_office(request.user),
            "ended": timezone.localdate() > phase.ends_on,
            "done": request.GET.get("done", "")[:10],
            **extra,
        }
    )
    return render(request, "supervision/evaluation.html", context, status=_status(error))


@hall_staff_required
def evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    return _evaluation_page(request, pk)


@require_POST
@hall_staff_required
def evaluation_make(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_phase_for(request.user, pk)
    try:
        phase_evaluation_make(phase=phase, actor=request.user, request=request)
    except DomainError as e:
        return _evaluation_page(request, pk, error=e)
    return redirect(reverse("supervision:evaluation", args=[pk]) + "?done=made")


@hall_staff_required
def evaluation_pdf_view(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_phase_for(request.user, pk)
    latest = phase.evaluations.order_by("-created_at", "-id").first()
    live = request.GET.get("live") == "1" or latest is None
    data = evaluation_pdf(phase, None if live else latest)
    audit_record("supervision.evaluation_download", actor=request.user, obj=phase, request=request)
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="campaign-phase-{phase.number}.pdf"'
    return response
