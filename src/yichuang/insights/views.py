"""The targets dashboard (/dashboard/), its live hall panel and the monthly
report download. Thin: the figures come from kpis.py, the files from report.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Forbidden, NotFound, Unprocessable
from yichuang.lib.numbers import rate_points
from yichuang.org.models import Centre, Department, Staff, Window
from yichuang.org.permissions import hall_staff_required
from yichuang.org.scopes import centres_for, departments_for, staff_of

from . import kpis as k
from .rollups import freshness, month_end, month_start

BY_LABELS = {
    "centre": "服务中心",
    "department": "部门",
    "window": "窗口",
    "clerk": "工作人员",
    "item": "事项",
    "queue": "队列",
}


def default_scope(user) -> str:
    staff = staff_of(user)
    if k.county_wide(user):
        return "county"
    if staff is not None and staff.scope == Staff.Scope.CENTRE and staff.centre:
        return f"centre:{staff.centre.code}"
    if staff is not None and staff.scope == Staff.Scope.DEPARTMENT and staff.department:
        return f"department:{staff.department.code}"
    raise Forbidden("insights.staff_only", _("看板仅限有数据范围的工作人员查看。"))


def _scope_from(request: HttpRequest) -> k.Scope:
    user = request.user
    scope = k.resolve_scope(user, request.GET.get("scope") or default_scope(user))
    dept_code = request.GET.get("dept")
    if dept_code and scope.department is None and scope.centres is not None:
        dept = departments_for(user).filter(code=dept_code).first()
        if dept is None:
            raise Unprocessable("insights.scope_not_found", _("没有找到该部门。"))
        scope = scope.narrow(department=dept)
    return scope


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    preset = request.GET.get("period", "")
    if preset == "month":
        return month_start(today), today
    if preset == "last_month":
        last = month_start(today) - dt.timedelta(days=1)
        return month_start(last), last
    if preset == "12m":
        return month_start(month_start(today) - dt.timedelta(days=335)), today
    return k.parse_period(request.GET.get("from"), request.GET.get("to"))


def _default_by(scope: k.Scope) -> str:
    if scope.centres is None and scope.department is None:
        return "centre"
    if scope.department is None:
        return "department"
    if scope.centres is None:
        return "centre"
    return "window"


def _drill_links(scope: k.Scope, by: str, rows: list[dict[str, Any]]) -> None:
    """Where each row leads: centre → department → window → clerk."""
    codes: dict[int, str] = {}
    if by == "centre":
        codes = dict(
            Centre.objects.filter(id__in=[r["id"] for r in rows]).values_list("id", "code")
        )
    elif by == "department":
        codes = dict(
            Department.objects.filter(id__in=[r["id"] for r in rows]).values_list("id", "code")
        )
    for r in rows:
        code = codes.get(r["id"])
        r["link"] = ""
        if by == "centre" and code:
            r["link"] = f"?scope=centre:{code}&by=department"
        elif by == "department" and code and scope.centre_code:
            r["link"] = f"?scope=centre:{scope.centre_code}&dept={code}&by=window"
        elif by == "department" and code:
            r["link"] = f"?scope=department:{code}&by=centre"
        elif by == "window" and r["id"]:
            r["link"] = reverse("insights:window", args=[r["id"]]) + "?"


def _scope_choices(user) -> list[tuple[str, str]]:
    choices = []
    if k.county_wide(user):
        choices.append(("county", _("全县")))
    staff = staff_of(user)
    if staff is None or staff.scope != Staff.Scope.DEPARTMENT:
        choices += [(f"centre:{c.code}", c.name) for c in centres_for(user).order_by("id")]
    if staff is None or staff.scope != Staff.Scope.CENTRE:
        choices += [(f"department:{d.code}", d.name) for d in departments_for(user).order_by("id")]
    return choices


def _pct(value: float | None) -> float | None:
    # Charts get the truncated value too, so a bar never touches a goal it missed.
    return rate_points(value)


def _with_short_names(by: str, rows: list[dict[str, Any]]) -> None:
    """Chart labels: a window as the hall calls it ("5号 社保参保"), not its centre."""
    short = k.short_names(by, [r["id"] for r in rows])
    for r in rows:
        r["short"] = short.get(r["id"]) or r["name"]


def _charts(trend: list[dict[str, Any]], rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "trend": {
            "months": [m["month"] for m in trend],
            "satisfaction": [_pct(m["satisfaction_rate"]) for m in trend],
            "one_visit": [_pct(m["one_visit_share_cases"]) for m in trend],
            "on_time": [_pct(m["on_time_rate"]) for m in trend],
            "labels": [_("满意率"), _("一次办结占比（办件）"), _("按时办结率")],
            "goal": 95,
        },
        "breakdown": {
            "names": [r["short"] for r in rows],
            "satisfaction": [_pct(r["satisfaction_rate"]) for r in rows],
            "tickets": [r["tickets"] for r in rows],
            "labels": [_("满意率 %"), _("取号数")],
        },
    }


@hall_staff_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = _scope_from(request)
    lo, hi = _period(request)
    by = request.GET.get("by") or _default_by(scope)
    if by not in k.DIMENSIONS:
        by = _default_by(scope)
    trend_from = month_start(month_start(hi) - dt.timedelta(days=335))
    figures = k.kpis(scope, lo, hi)
    rows = k.breakdown(scope, lo, hi, by)
    _drill_links(scope, by, rows)
    _with_short_names(by, rows[:50])
    centres = centres_for(request.user)
    if scope.centres is not None:
        centres = centres.filter(id__in=scope.centres)
    last_month = month_start(timezone.localdate()) - dt.timedelta(days=1)
    trend = k.monthly_trend(scope, trend_from, hi)
    context = {
        "scope": scope,
        "lo": lo,
        "hi": hi,
        "by": by,
        "by_label": BY_LABELS[by],
        # Cases are kept by centre, department, clerk and item, not by window or queue.
        "cases_by": by not in ("window", "queue"),
        "by_choices": [(key, label) for key, label in BY_LABELS.items()],
        "k": figures,
        "trend": trend,
        "charts": _charts(trend, rows[:15]),
        "rows": rows[:50],
        "rows_total": len(rows),
        "held": k.holding_back(scope, lo, hi, known={by: rows}),
        "live": k.live_halls(centres.order_by("id")),
        "scope_choices": _scope_choices(request.user),
        "report_month": last_month.strftime("%Y-%m"),
        "report_scope": scope.key.split("/")[0],
        "live_scope": scope.key.split("/")[0],
        "min_ratings": k.MIN_RATINGS,
        "freshness": freshness(),
        "period_days": (hi - lo).days + 1,
        "month_end": month_end(hi),
    }
    return render(request, "insights/dashboard.html", context)


@hall_staff_required
def live_panel(request: HttpRequest) -> HttpResponse:
    scope = _scope_from(request)
    centres = centres_for(request.user)
    if scope.centres is not None:
        centres = centres.filter(id__in=scope.centres)
    return render(
        request,
        "insights/dashboard.html#live",
        {
            "live": k.live_halls(centres.order_by("id")),
            "scope": scope,
            "live_scope": scope.key.split("/")[0],
        },
    )


@hall_staff_required
def report_download(request: HttpRequest) -> HttpResponse:
    from .report import parse_month, render_report

    scope = k.resolve_scope(request.user, request.GET.get("scope") or default_scope(request.user))
    month = parse_month(request.GET.get("month") or "")
    fmt = request.GET.get("format", "pdf")
    if fmt not in ("pdf", "xlsx"):
        raise Unprocessable("insights.bad_format", _("报告格式须为 pdf 或 xlsx。"))
    data = render_report(scope, month, fmt)
    content_type = (
        "application/pdf"
        if fmt == "pdf"
        else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    resp = HttpResponse(data, content_type=content_type)
    name = f"yichuang-report-{month:%Y-%m}-{scope.key.replace(':', '-')}.{fmt}"
    resp["Content-Disposition"] = f'attachment; filename="{name}"'
    return resp


def _window_in_scope(user, window_id: int) -> Window:
    """The window, if it lies in the user's scope (else 404, as for any object
    outside it)."""
    scope = k.resolve_scope(user, default_scope(user))
    window = Window.objects.select_related("centre", "department", "clerk").filter(id=window_id)
    if scope.centres is not None:
        window = window.filter(centre_id__in=scope.centres)
    if scope.department is not None:
        window = window.filter(department_id=scope.department)
    found = window.first()
    if found is None:
        raise NotFound("insights.window_not_found", _("没有找到该窗口。"))
    return found


@hall_staff_required
def window_view(request: HttpRequest, window_id: int) -> HttpResponse:
    """One window's figures over the period: by clerk and by queue."""
    window = _window_in_scope(request.user, window_id)
    lo, hi = _period(request)
    scope = k.Scope(
        key=f"centre:{window.centre.code}",
        name=window.centre.name,
        centres=(window.centre_id,),
        centre_code=window.centre.code,
    )
    by_clerk = k.breakdown(scope, lo, hi, "clerk", window=window.id)
    by_queue = k.breakdown(scope, lo, hi, "queue", window=window.id)
    _with_short_names("queue", by_queue)
    context = {
        "window": window,
        "label": k.window_label(window),
        "lo": lo,
        "hi": hi,
        "by_clerk": by_clerk,
        "by_queue": by_queue,
        "total": next(iter(k.breakdown(scope, lo, hi, "window", window=window.id)), {}),
        "back": f"?scope=centre:{window.centre.code}&by=window&from={lo:%Y-%m-%d}&to={hi:%Y-%m-%d}",
    }
    return render(request, "insights/window.html", context)


@hall_staff_required
def report_text(request: HttpRequest) -> HttpResponse:
    """The report's words for a month and scope: the draft or the saved text,
    edited and saved by the director before the report is signed."""
    from .actions.report_text import may_edit_report_text, report_text_save
    from .report import parse_month, report_data

    user = request.user
    raw_scope = request.POST.get("scope") or request.GET.get("scope") or default_scope(user)
    scope = k.resolve_scope(user, raw_scope)
    month = parse_month(request.POST.get("month") or request.GET.get("month") or "")
    if request.method == "POST":
        report_text_save(
            scope_key=scope.key,
            month=month,
            actor=user,
            overall=request.POST.get("overall", ""),
            problems=request.POST.get("problems", ""),
            measures=request.POST.get("measures", ""),
        )
        return redirect(f"{reverse('insights:report_text')}?scope={scope.key}&month={month:%Y-%m}")
    data = report_data(scope, month)
    return render(
        request,
        "insights/report_text.html",
        {
            "scope": scope,
            "month": month,
            "words": data["words"],
            "compare": data["compare"],
            "may_edit": may_edit_report_text(user),
        },
    )
