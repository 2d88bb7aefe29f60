"""Composed reads of the improvement campaign (提升行动): who may see what
(shared with the bulletin, ``selectors_bulletin``), the campaign's overview
and phase evaluations.

The targets a phase is evaluated against come from ``insights.kpis.kpis``,
the very function the targets dashboard calls, over the same scope and dates,
so the figures agree with the dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.accounts.models import Role
from yichuang.insights import kpis as k
from yichuang.insights.rollups import month_end, month_start
from yichuang.lib.errors import Forbidden, NotFound
from yichuang.org.models import Centre, Department, Staff
from yichuang.org.permissions import holds
from yichuang.org.scopes import staff_of

from .models import (
    Campaign,
    CampaignPhase,
    CampaignTask,
    GoodPractice,
    Problem,
    ProgressReport,
)
from .selectors import on_time_rate

# The three targets of the campaign, as insights names them (DOMAIN §10).
TARGET_KEYS = ("satisfaction_rate", "committed_compression", "one_visit_coverage")
TARGET_LABELS = {
    "satisfaction_rate": gettext_lazy("群众满意率"),
    "committed_compression": gettext_lazy("承诺时限压缩率"),
    "one_visit_coverage": gettext_lazy("“最多跑一次”事项覆盖率"),
}
ISSUER = "云溪县政务服务管理办公室"

# --- who may see and do what --------------------------------------------------------------

OFFICE_ROLES = (Role.CENTRE_DIRECTOR, Role.INSPECTOR, Role.COUNTY_ADMIN)
UNIT_ROLES = (Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD)


def county_office(user) -> bool:
    """The county director, the supervision office and the county
    administrator: county-wide staff who run the bulletin and the campaign."""
    return holds(user, *OFFICE_ROLES) and k.county_wide(user)


def county_director(user) -> bool:
    """Signs off and publishes bulletins."""
    return holds(user, Role.CENTRE_DIRECTOR) and k.county_wide(user)


def unit_of(user) -> tuple[Centre | None, Department | None]:
    """The unit a director or a department lead answers for: a department
    lead's department, a director's centre (the county hall's director
    answers for the hall besides running the campaign)."""
    staff = staff_of(user)
    if staff is None or not holds(user, *UNIT_ROLES):
        return None, None
    if staff.scope == Staff.Scope.DEPARTMENT and staff.department_id:
        return None, staff.department
    if holds(user, Role.CENTRE_DIRECTOR) and staff.centre_id:
        return staff.centre, None
    return None, None


def unit_lead(user) -> bool:
    centre, department = unit_of(user)
    return centre is not None or department is not None


def unit_q(user, prefix: str = "") -> Q:
    """Rows of the user's unit (``centre``/``department`` columns)."""
    centre, department = unit_of(user)
    if department is not None:
        return Q(**{f"{prefix}department": department})
    if centre is not None:
        return Q(**{f"{prefix}centre": centre})
    return Q(pk__in=[])


def require_campaign_reader(user) -> None:
    """The campaign's pages: the county office and the units' leads."""
    if staff_of(user) is None or not (county_office(user) or unit_lead(user)):
        raise Forbidden("supervision.not_allowed", _("提升行动页面仅限督查室、主任和单位负责人。"))


def require_staff(user) -> None:
    if staff_of(user) is None:
        raise Forbidden("supervision.staff_only", _("仅限有工作岗位的工作人员查看。"))


# --- the bulletin -------------------------------------------------------------------------


def parse_month(value: str | None) -> dt.date | None:
    try:
        return dt.datetime.strptime((value or "").strip(), "%Y-%m").date()
    except ValueError:
        return None


def previous_month(day: dt.date) -> dt.date:
    """The first day of the month before ``day``'s."""
    return month_start(month_start(day) - dt.timedelta(days=1))


def day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of ``day``, in the local time zone."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def current_campaign(today: dt.date | None = None) -> Campaign | None:
    """The campaign running today, else the latest started one."""
    today = today or timezone.localdate()
    return (
        Campaign.objects.filter(starts_on__lte=today).order_by("-starts_on", "-id").first()
        or Campaign.objects.order_by("-starts_on", "-id").first()
    )


def tasks_for(user, campaign: Campaign) -> QuerySet[CampaignTask]:
    qs = CampaignTask.objects.filter(phase__campaign=campaign).select_related(
        "phase", "centre", "department", "lead"
    )
    if county_office(user):
        return qs
    return qs.filter(unit_q(user))


def get_task_for(user, task_id: int) -> CampaignTask:
    task = (
        CampaignTask.objects.select_related("phase", "phase__campaign", "centre", "department")
        .filter(pk=task_id)
        .first()
    )
    if task is None or not (
        county_office(user) or tasks_for(user, task.phase.campaign).filter(pk=task_id).exists()
    ):
        raise NotFound("supervision.task_not_found", _("没有找到该任务。"))
    return task


def reports_for(user, campaign: Campaign) -> QuerySet[ProgressReport]:
    qs = ProgressReport.objects.filter(campaign=campaign).select_related(
        "centre", "department", "author"
    )
    if county_office(user):
        return qs
    return qs.filter(unit_q(user))


def get_report_for(user, report_id: int) -> ProgressReport:
    report = ProgressReport.objects.filter(pk=report_id).select_related("campaign").first()
    if report is None or not reports_for(user, report.campaign).filter(pk=report_id).exists():
        raise NotFound("supervision.report_not_found", _("没有找到该进展报告。"))
    return report


def practices(campaign: Campaign) -> QuerySet[GoodPractice]:
    """The good-practice library, most adopted first."""
    return (
        GoodPractice.objects.filter(campaign=campaign, published_at__isnull=False)
        .select_related("centre", "department", "author")
        .annotate(n_adoptions=Count("adoptions"))
        .order_by("-n_adoptions", "-published_at", "-id")
    )


def get_practice(campaign_id: int | None, practice_id: int) -> GoodPractice:
    practice = (
        GoodPractice.objects.filter(pk=practice_id, published_at__isnull=False)
        .select_related("campaign", "centre", "department", "author")
        .first()
    )
    if practice is None or (campaign_id is not None and practice.campaign_id != campaign_id):
        raise NotFound("supervision.practice_not_found", _("没有找到该经验做法。"))
    return practice


def responsible_units(
    campaign: Campaign, month: dt.date | None = None
) -> list[tuple[Centre | None, Department | None]]:
    """The units that owe a report for ``month``: those with a task in a
    phase that had started by the month's end (every unit with a task when
    no month is given)."""
    seen: dict[tuple[int, int], tuple[Centre | None, Department | None]] = {}
    tasks = CampaignTask.objects.filter(phase__campaign=campaign)
    if month is not None:
        tasks = tasks.filter(phase__starts_on__lte=month_end(month))
    for t in tasks.select_related("centre", "department"):
        seen.setdefault((t.centre_id or 0, t.department_id or 0), (t.centre, t.department))
    return sorted(seen.values(), key=lambda u: (u[0] is None, str(u[0] or u[1])))


def _unit_label(centre: Centre | None, department: Department | None) -> str:
    unit = centre or department
    return unit.name if unit is not None else ""


def phase_of(campaign: Campaign, day: dt.date) -> CampaignPhase | None:
    for phase in campaign.phases.all():
        if phase.starts_on <= day <= phase.ends_on:
            return phase
    return None


def campaign_overview(
    campaign: Campaign, user=None, today: dt.date | None = None
) -> dict[str, Any]:
    """The leadership's page: each phase with its tasks done (a progress
    bar), the late units (tasks overdue; last month's report missing), the
    targets by month since the start. A unit's lead sees the unit's own
    tasks and lateness (``user`` given and not of the county office)."""
    today = today or timezone.localdate()
    phases = list(campaign.phases.order_by("number").prefetch_related("evaluations"))
    own_unit = user is not None and not county_office(user)
    task_qs = CampaignTask.objects.filter(phase__campaign=campaign)
    if own_unit:
        task_qs = task_qs.filter(unit_q(user))
    tasks = list(task_qs.select_related("phase", "centre", "department", "lead"))
    phase_rows = []
    for phase in phases:
        mine = [t for t in tasks if t.phase_id == phase.pk]
        done = sum(1 for t in mine if t.status == CampaignTask.Status.DONE)
        late = [t for t in mine if t.is_late(today) and t.status != CampaignTask.Status.DONE]
        state = (
            _("未开始")
            if today < phase.starts_on
            else _("已结束")
            if today > phase.ends_on
            else _("进行中")
        )
        phase_rows.append(
            {
                "phase": phase,
                "state": state,
                "running": phase.starts_on <= today <= phase.ends_on,
                "ended": today > phase.ends_on,
                "total": len(mine),
                "done": done,
                "late": len(late),
                "percent": round(100 * done / len(mine)) if mine else 0,
                "evaluations": list(phase.evaluations.all()),
            }
        )
    last_month = previous_month(today)
    reported = {
        (r.centre_id or 0, r.department_id or 0)
        for r in ProgressReport.objects.filter(campaign=campaign, month=last_month)
    }
    late_units: dict[tuple[int, int], dict[str, Any]] = {}
    own = unit_of(user) if own_unit else None
    for centre, department in responsible_units(campaign, last_month):
        if own is not None and (centre, department) != own:
            continue
        key = (getattr(centre, "pk", 0) or 0, getattr(department, "pk", 0) or 0)
        overdue = [
            t
            for t in tasks
            if (t.centre_id or 0, t.department_id or 0) == key
            and t.status != CampaignTask.Status.DONE
            and t.due_date < today
        ]
        missing = last_month >= month_start(campaign.starts_on) and key not in reported
        if overdue or missing:
            late_units[key] = {
                "name": _unit_label(centre, department),
                "overdue": overdue,
                "report_missing": missing,
            }
    current = phase_of(campaign, today)
    ledger = None
    if current is not None:
        ledger = ledger_figures(current.starts_on, today, unit_q(user) if own_unit else None)
    trend_to = min(today, phases[-1].ends_on) if phases else today
    trend = targets_by_month(campaign.starts_on, trend_to) if campaign.starts_on <= today else []
    return {
        "campaign": campaign,
        "phases": phase_rows,
        "current": current,
        "ledger": ledger,
        "late_units": sorted(late_units.values(), key=lambda u: (-len(u["overdue"]), u["name"])),
        "report_month": last_month,
        "trend": trend,
        "tasks_total": len(tasks),
        "tasks_done": sum(1 for t in tasks if t.status == CampaignTask.Status.DONE),
    }


def targets_over(lo: dt.date, hi: dt.date, scope: str = "county") -> dict[str, Any]:
    """The three targets over [lo, hi], computed by ``insights.kpis.kpis``
    (the targets dashboard's function) for the scope."""
    figures = k.kpis(k.system_scope(scope), lo, hi)
    out: dict[str, Any] = {key: figures.get(key) for key in TARGET_KEYS}
    out["ratings"] = figures.get("ratings")
    out["targets"] = {key: figures["targets"].get(key) for key in TARGET_KEYS}
    out["from"], out["to"] = lo.isoformat(), hi.isoformat()
    return out


def targets_by_month(lo: dt.date, hi: dt.date) -> list[dict[str, Any]]:
    """The targets month by month from ``lo`` to ``hi`` (each month whole,
    the running one up to ``hi``), as the dashboard would show them."""
    out = []
    for m in k.months_of(lo, hi):
        row = targets_over(m, min(month_end(m), hi))
        row["month"] = m.strftime("%Y-%m")
        out.append(row)
    return out


def ledger_figures(lo: dt.date, hi: dt.date, unit: Q | None = None) -> dict[str, Any]:
    """The ledger over [lo, hi] (of a unit, ``unit`` filtering the rows):
    rows opened, closed (on time, late), overdue at the end, recurring and
    escalated among those opened, and the on-time rate (covert findings not
    yet published are left out)."""
    after = hi + dt.timedelta(days=1)
    rows = Problem.objects.filter(hidden_until_published=False).order_by()
    if unit is not None:
        rows = rows.filter(unit)
    row = rows.aggregate(
        opened=Count("id", filter=Q(found_on__gte=lo, found_on__lte=hi)),
        recurring=Count("id", filter=Q(found_on__gte=lo, found_on__lte=hi, recurrence__gt=0)),
        escalated=Count("id", filter=Q(found_on__gte=lo, found_on__lte=hi, escalated=True)),
        closed=Count(
            "id",
            filter=Q(
                status=Problem.Status.VERIFIED,
                verified_at__gte=day_start(lo),
                verified_at__lt=day_start(after),
            ),
        ),
        on_time=Count(
            "id",
            filter=Q(
                status=Problem.Status.VERIFIED,
                verified_at__gte=day_start(lo),
                verified_at__lt=day_start(after),
                on_time=True,
            ),
        ),
        overdue=Count(
            "id",
            filter=Q(due_date__lt=after, found_on__lte=hi)
            & (Q(verified_at__isnull=True) | Q(verified_at__gte=day_start(after))),
        ),
    )
    row["late"] = row["closed"] - row["on_time"]
    row["on_time_rate"] = on_time_rate(
        on_time=row["on_time"], closed=row["closed"], overdue=row["overdue"]
    )
    return row


def evaluation_figures(phase: CampaignPhase, today: dt.date | None = None) -> dict[str, Any]:
    """A phase's evaluation: the targets over its first month and over its
    last month (up to today while it runs), the ledger's rows in the phase
    (opened, closed, on time, overdue at its end, recurring) and its tasks
    (done, late)."""
    today = today or timezone.localdate()
    end = min(phase.ends_on, today)
    first_end = min(month_end(phase.starts_on), end)
    last_start = max(phase.starts_on, month_start(end))
    tasks = list(phase.tasks.select_related("centre", "department"))
    done = [t for t in tasks if t.status == CampaignTask.Status.DONE]
    late = [t for t in tasks if t.is_late(today)]
    return {
        "at_start": targets_over(phase.starts_on, first_end),
        "at_end": targets_over(last_start, end),
        "ledger": ledger_figures(phase.starts_on, end),
        "tasks": {
            "total": len(tasks),
            "done": len(done),
            "late": len(late),
            "late_titles": [f"{t.unit_label()}：{t.title}" for t in late][:30],
        },
        "as_of": end.isoformat(),
    }


def target_rows(evaluation: dict[str, Any]) -> list[dict[str, Any]]:
    """The three targets side by side (start, end, target, met)."""
    out = []
    for key in TARGET_KEYS:
        goal = evaluation["at_end"]["targets"].get(key) or k.TARGETS.get(key)
        start, end = evaluation["at_start"].get(key), evaluation["at_end"].get(key)
        out.append(
            {
                "key": key,
                "label": str(TARGET_LABELS[key]),
                "start": start,
                "end": end,
                "goal": goal,
                "met": end is not None and goal is not None and end >= goal,
            }
        )
    return out


def get_phase_for(user, phase_id: int) -> CampaignPhase:
    require_campaign_reader(user)
    phase = CampaignPhase.objects.select_related("campaign").filter(pk=phase_id).first()
    if phase is None:
        raise NotFound("supervision.phase_not_found", _("没有找到该阶段。"))
    return phase


def unit_choices() -> tuple[QuerySet[Centre], QuerySet[Department]]:
    return Centre.objects.order_by("kind", "code"), Department.objects.order_by("code")


def staff_choices() -> QuerySet[Staff]:
    return (
        Staff.objects.filter(user__isnull=False, user__is_active=True)
        .select_related("centre", "department")
        .order_by("centre__code", "department__code", "name")
    )
