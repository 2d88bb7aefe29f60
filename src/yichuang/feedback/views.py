"""Pages of feedback: the rating pad, the citizen's mobile pages (rating,
rating the handling of a bad rating, complaints), the director's board and the
handler's desk. Thin: every change goes through ``actions``."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.accounts.models import User
from yichuang.lib.audit import client_ip
from yichuang.lib.errors import DomainError, Forbidden, NotFound
from yichuang.org.models import Centre, Device, Staff, Window, device_token_hash
from yichuang.org.scopes import centres_for, staff_of
from yichuang.queueing.models import Ticket

from . import actions
from .board import DIMENSIONS, board_rows, board_totals
from .imports import import_work_orders
from .models import Appeal, Complaint, ComplaintCategory, Rating, Reason, Rectification

PAD_COOKIE = "yc_pad"
BOARD_RECTS = 25
PAD_FRESH_MINUTES = 10


def _levels() -> list[tuple[int, str]]:
    return [(lv.value, str(lv.label)) for lv in Rating.Level]


def reason_labels() -> dict[str, str]:
    """Reason code → label over every version (codes keep their meaning)."""
    return dict(Reason.objects.order_by("reason_list_id").values_list("code", "label"))


def _reasons() -> list[tuple[str, str]]:
    rl = actions.current_reason_list()
    return [(r.code, r.label) for r in rl.reasons.all()] if rl else []


# --- the rating pad -------------------------------------------------------------------


def _pad_device(request: HttpRequest, window_id: int) -> Device:
    raw = request.GET.get("token") or request.COOKIES.get(PAD_COOKIE, "")
    device = (
        Device.objects.select_related("window", "centre")
        .filter(token_hash=device_token_hash(raw), is_active=True, kind=Device.Kind.PAD)
        .first()
        if raw
        else None
    )
    if device is None or device.window_id != window_id:
        raise Forbidden(
            "feedback.pad_token_required", _("请使用本窗口评价器的设备令牌打开此页面。")
        )
    return device


def _window_clerk(window: Window) -> Staff | None:
    return Staff.objects.filter(pk=window.clerk_id).first() if window.clerk_id else None


@require_GET
def pad(request: HttpRequest, window_id: int) -> HttpResponse:
    device = _pad_device(request, window_id)
    if "token" in request.GET:
        resp = redirect("feedback:pad", window_id=window_id)
        resp.set_cookie(
            PAD_COOKIE,
            request.GET["token"],
            max_age=3600 * 24 * 365,
            httponly=True,
            samesite="Strict",
            secure=request.is_secure(),
        )
        return resp
    window = device.window
    assert window is not None
    return render(
        request,
        "feedback/pad.html",
        {
            "window": window,
            "centre": device.centre,
            "clerk": _window_clerk(window),
            "levels": _levels(),
            "reasons": _reasons(),
        },
    )


@require_GET
def pad_state(request: HttpRequest, window_id: int) -> JsonResponse:
    """What the pad should show: idle, or the service just finished here."""
    device = _pad_device(request, window_id)
    window = Window.objects.get(pk=window_id)
    clerk = _window_clerk(window)
    since = timezone.now() - dt.timedelta(minutes=PAD_FRESH_MINUTES)
    ticket = (
        Ticket.objects.filter(
            window_id=window_id,
            status=Ticket.Status.DONE,
            finished_at__gte=since,
            rating__isnull=True,
            rating_code__isnull=False,
        )
        .select_related("queue", "clerk")
        .order_by("-finished_at")
        .first()
    )
    data: dict[str, Any] = {
        "state": "idle",
        "window": {"number": window.number, "name": window.name},
        "clerk": {"name": clerk.name, "employee_no": clerk.employee_no} if clerk else None,
        "device": device.name,
    }
    if ticket is not None:
        data["state"] = "rate"
        if ticket.clerk is not None:
            data["clerk"] = {"name": ticket.clerk.name, "employee_no": ticket.clerk.employee_no}
        data["ticket"] = {
            "number": ticket.number,
            "service": ticket.queue.name,
            "clerk": ticket.clerk.name if ticket.clerk else "",
            "finished_at": timezone.localtime(ticket.finished_at).strftime("%H:%M"),
            "code": ticket.rating_code,
        }
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_POST
def pad_rate(request: HttpRequest, window_id: int) -> JsonResponse:
    device = _pad_device(request, window_id)
    try:
        level = int(request.POST.get("level", ""))
    except ValueError:
        level = 0
    try:
        rating = actions.rating_submit(
            rating_code=request.POST.get("code", ""),
            level=level,
            channel=Rating.Channel.PAD,
            reasons=request.POST.getlist("reasons"),
            device=device,
            source_ip=client_ip(request),
        )
    except DomainError as exc:
        return JsonResponse(
            exc.as_dict(), status=exc.status, json_dumps_params={"ensure_ascii": False}
        )
    return JsonResponse({"id": rating.pk, "level": rating.level}, status=201)


# --- citizens' mobile pages -----------------------------------------------------------


@require_http_methods(["GET", "POST"])
def m_rate(request: HttpRequest, code: str) -> HttpResponse:
    service = actions.service_summary(code)
    if service is None:
        return render(
            request,
            "feedback/m_rate.html",
            {"error": _("评价码无效，或该服务尚未办结。")},
            status=404,
        )
    context: dict[str, Any] = {
        "service": service,
        "levels": _levels(),
        "reasons": _reasons(),
        "code": code,
    }
    if request.method == "POST":
        try:
            level = int(request.POST.get("level", ""))
        except ValueError:
            level = 0
        try:
            rating = actions.rating_submit(
                rating_code=code,
                level=level,
                channel=Rating.Channel.QR,
                reasons=request.POST.getlist("reasons"),
                comment=request.POST.get("comment", ""),
                phone=request.POST.get("phone", ""),
                user=request.user,
                source_ip=client_ip(request),
            )
        except DomainError as exc:
            context.update(
                error=exc.message,
                chosen=request.POST.get("level"),
                chosen_reasons=request.POST.getlist("reasons"),
                comment=request.POST.get("comment", ""),
            )
            return render(request, "feedback/m_rate.html", context, status=exc.status)
        return render(request, "feedback/m_rate_done.html", {"rating": rating})
    if service["rated"]:
        context["error"] = _("该服务已经评价过，感谢您的参与。")
    return render(request, "feedback/m_rate.html", context)


@require_http_methods(["GET", "POST"])
def m_followup(request: HttpRequest, code: str) -> HttpResponse:
    rect = (
        Rectification.objects.select_related("rating", "centre")
        .filter(followup_code=code[:32])
        .first()
    )
    if rect is None:
        raise NotFound("feedback.unknown_code", _("评价码无效。"))
    context: dict[str, Any] = {"rect": rect, "levels": _levels()}
    if request.method == "POST":
        try:
            level = int(request.POST.get("level", ""))
        except ValueError:
            level = 0
        try:
            actions.rectification_citizen_rate(
                followup_code=code,
                level=level,
                comment=request.POST.get("comment", ""),
                user=request.user,
            )
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/m_followup.html", context, status=exc.status)
        rect.refresh_from_db()
        context["done"] = True
    return render(request, "feedback/m_followup.html", context)


@require_http_methods(["GET", "POST"])
def m_complaint_new(request: HttpRequest) -> HttpResponse:
    categories = ComplaintCategory.objects.filter(is_active=True)
    centres = Centre.objects.filter(is_active=True)
    context: dict[str, Any] = {
        "categories": categories,
        "centres": centres,
        "kinds": Complaint.Kind.choices,
        "form": request.POST,
    }
    if request.method == "POST":
        category = categories.filter(code=request.POST.get("category", "")).first()
        centre = centres.filter(code=request.POST.get("centre", "")).first()
        window = None
        number = request.POST.get("window", "").strip()
        if centre and number.isdigit():
            window = Window.objects.filter(centre=centre, number=int(number)).first()
        try:
            c = actions.complaint_submit(
                kind=request.POST.get("kind") or (category.kind if category else ""),
                channel=Complaint.Channel.MOBILE,
                category=category,
                centre=centre,
                window=window,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
            )
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/m_complaint_new.html", context, status=exc.status)
        return redirect("feedback:m_complaint", code=c.track_code)
    return render(request, "feedback/m_complaint_new.html", context)


@require_http_methods(["GET", "POST"])
def m_complaint(request: HttpRequest, code: str) -> HttpResponse:
    c = (
        Complaint.objects.select_related("centre", "department", "category")
        .filter(track_code=code[:32])
        .first()
    )
    if c is None:
        raise NotFound("feedback.unknown_code", _("查询码无效。"))
    context: dict[str, Any] = {"c": c, "satisfactions": Complaint.Satisfaction.choices}
    if request.method == "POST":
        try:
            c = actions.complaint_rate(
                track_code=code,
                satisfaction=request.POST.get("satisfaction", ""),
                comment=request.POST.get("comment", ""),
                user=request.user,
            )
            context["c"] = c
            context["rated"] = True
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/m_complaint.html", context, status=exc.status)
    context["events"] = c.events.order_by("at", "id")
    return render(request, "feedback/m_complaint.html", context)


# --- staff pages ----------------------------------------------------------------------


def _unwrapped(user):
    """The User behind request.user's lazy wrapper, so that per-user caches
    (roles, staff record) set by the scope helpers stick for the request."""
    return getattr(user, "_wrapped", user)


def overseer_required(view):
    @wraps(view)
    @login_required
    def wrapped(request: HttpRequest, *args, **kwargs):
        if not actions.is_overseer(request.user):
            raise Forbidden(
                "feedback.overseers_only", _("只有中心主任、部门负责人和督查人员可以查看。")
            )
        return view(request, *args, **kwargs)

    return wrapped


def _period(request: HttpRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    end = parse_date(request.GET.get("to") or "") or today
    start = parse_date(request.GET.get("from") or "") or (end - dt.timedelta(days=29))
    if start > end:
        start, end = end, start
    return start, end


NOTICES_SHOWN = 50


def _open_notices(qs) -> dict[str, Any]:
    """Open overdue notices, the longest late first, for the "逾期" panel."""
    return {
        "count": qs.count(),
        "items": list(
            qs.select_related("rectification", "complaint", "handler").order_by("due_date", "id")[
                :NOTICES_SHOWN
            ]
        ),
    }


@overseer_required
def board(request: HttpRequest) -> HttpResponse:
    """The director's board: rates with counts by dimension, bad ratings and
    their rectification (overdue first), pending appeals, open complaints."""
    user = _unwrapped(request.user)
    start, end = _period(request)
    dim = request.GET.get("dim", "window")
    if dim not in DIMENSIONS:
        dim = "window"
    staff = staff_of(user)
    dept_id = staff.department_id if staff and staff.scope == Staff.Scope.DEPARTMENT else None
    centre_ids = list(centres_for(user).values_list("pk", flat=True))
    rows = board_rows(dim=dim, centres=centre_ids, start=start, end=end, department_id=dept_id)
    today = timezone.localdate()
    in_period = actions.rectifications_for(user).filter(
        rating__day__gte=start, rating__day__lte=end
    )
    status_counts = dict(in_period.values_list("status").annotate(n=Count("id")).order_by())
    # Open ones (overdue first), then the most recently closed, up to a page.
    rects = list(
        in_period.exclude(status=Rectification.Status.CLOSED)
        .select_related("rating", "rating__window", "rating__clerk", "department", "handler")
        .order_by("rectify_due", "id")[:BOARD_RECTS]
    )
    if len(rects) < BOARD_RECTS:
        rects += list(
            in_period.filter(status=Rectification.Status.CLOSED)
            .select_related("rating", "rating__window", "rating__clerk", "department", "handler")
            .order_by("-closed_at")[: BOARD_RECTS - len(rects)]
        )
    rects.sort(
        key=lambda r: (
            not r.is_overdue(today),
            r.status in Rectification.DONE,
            r.rectify_due or today,
        )
    )
    labels = reason_labels()
    for r in rects:
        r.reason_text = "、".join(labels.get(code, code) for code in r.rating.reasons)  # type: ignore[attr-defined]
    overdue = actions.rectifications_for(user).overdue(today).count()
    # DOMAIN §1 target: real-name bad ratings called back and rectified, 100 %.
    real = in_period.exclude(contact_phone="").aggregate(
        n=Count("id"),
        called=Count("id", filter=Q(called_back_at__isnull=False)),
        done=Count("id", filter=Q(status__in=Rectification.DONE)),
    )
    pending = Appeal.objects.filter(status=Appeal.Status.PENDING, rating__centre_id__in=centre_ids)
    if dept_id:
        pending = pending.filter(rating__department_id=dept_id)
    appeals = pending.select_related("rating", "rating__clerk", "filed_by").order_by("created_at")[
        :50
    ]
    complaints = actions.complaints_for(user).open()
    return render(
        request,
        "feedback/board.html",
        {
            "notices": _open_notices(actions.notices_for(user)),
            "start": start,
            "end": end,
            "dim": dim,
            "dims": [
                ("centre", _("中心")),
                ("department", _("部门")),
                ("window", _("窗口")),
                ("clerk", _("工作人员")),
                ("item", _("事项")),
            ],
            "rows": rows,
            "totals": board_totals(rows),
            "rects": rects,
            "status_counts": [
                (label, status_counts.get(value, 0))
                for value, label in Rectification.Status.choices
            ],
            "overdue": overdue,
            "real": real,
            "today": today,
            "appeals": appeals,
            "complaints_open": complaints.count(),
            "complaints_overdue": complaints.overdue(today).count(),
            "can_review": actions.is_reviewer(user),
        },
    )


@login_required
def desk(request: HttpRequest) -> HttpResponse:
    """The handler's desk: my rectifications and complaints, overdue first."""
    user = _unwrapped(request.user)
    today = timezone.localdate()
    rects = list(
        Rectification.objects.filter(handler=user)
        .exclude(status=Rectification.Status.CLOSED)
        .select_related("rating", "rating__window", "rating__clerk")
    )
    rects.sort(key=lambda r: (not r.is_overdue(today), r.rectify_due or today))
    complaints = list(
        Complaint.objects.filter(handler=user)
        .exclude(status=Complaint.Status.CLOSED)
        .select_related("centre", "department", "window")
    )
    complaints.sort(key=lambda c: (not c.is_overdue(today), c.due_date or today))
    to_assign_r = to_assign_c = []
    if user.is_superuser or user.has_role(*actions.ASSIGNER_ROLES):
        to_assign_r = list(
            actions.rectifications_for(user)
            .filter(status=Rectification.Status.NEW)
            .select_related("rating", "rating__window")[:50]
        )
        to_assign_c = list(
            actions.complaints_for(user)
            .filter(status=Complaint.Status.RECEIVED)
            .select_related("centre", "window")[:50]
        )
    return render(
        request,
        "feedback/desk.html",
        {
            "notices": _open_notices(actions.notices_for(user).filter(handler=user)),
            "rects": rects,
            "complaints": complaints,
            "to_assign_r": to_assign_r,
            "to_assign_c": to_assign_c,
            "today": today,
        },
    )


def _handlers_for(user) -> list[User]:
    ids = Staff.objects.filter(
        centre__in=centres_for(user), user__isnull=False, user__is_active=True
    ).values_list("user_id", flat=True)
    return list(User.objects.filter(pk__in=ids).order_by("username")[:300])


@login_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, rect_id: int) -> HttpResponse:
    user = request.user
    rect = actions.get_rectification_for(user, rect_id)
    context: dict[str, Any] = {}
    if request.method == "POST":
        a, note = request.POST.get("action", ""), request.POST.get("note", "")
        try:
            if a == "assign":
                handler = User.objects.filter(username=request.POST.get("handler", "")).first()
                if handler is None:
                    raise DomainError("feedback.bad_handler", _("请选择承办人。"))
                actions.rectification_assign(
                    rectification=rect, handler=handler, actor=user, note=note
                )
            elif a == "call_back":
                actions.rectification_call_back(rectification=rect, note=note, actor=user)
            elif a == "verify":
                actions.rectification_verify(
                    rectification=rect,
                    verdict=request.POST.get("verdict", ""),
                    finding=note,
                    actor=user,
                )
            elif a == "rectify":
                actions.rectification_rectify(rectification=rect, measures=note, actor=user)
            elif a == "feedback":
                actions.rectification_give_feedback(rectification=rect, note=note, actor=user)
            elif a == "close":
                actions.rectification_close(rectification=rect, note=note, actor=user)
            elif a == "contact":
                context["contact"] = actions.contact_reveal(
                    rectification=rect, actor=user, source_ip=client_ip(request)
                )
            else:
                raise DomainError("feedback.bad_action", _("未知操作。"))
        except DomainError as exc:
            context["error"] = exc.message
        rect = actions.get_rectification_for(user, rect_id)
    rating = rect.rating
    context.update(
        rect=rect,
        rating=rating,
        reason_labels=rating.reason_labels(),
        events=rect.events.select_related("actor").order_by("at", "id"),
        is_handler=rect.handler_id == user.pk,
        can_assign=actions._can_assign(
            user, centre_id=rect.centre_id, department_id=rect.department_id
        ),
        handlers=_handlers_for(user),
        verdicts=Rectification.Verdict.choices,
        today=timezone.localdate(),
    )
    return render(request, "feedback/rectification.html", context)


@login_required
@require_POST
def appeal_decide(request: HttpRequest, appeal_id: int) -> HttpResponse:
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("feedback.appeal_not_found", _("没有找到该申诉。"))
    actions.appeal_decide(
        appeal=appeal,
        upheld=request.POST.get("upheld") == "1",
        note=request.POST.get("note", ""),
        actor=request.user,
    )
    return redirect("feedback:board")


@login_required
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    user = request.user
    c = actions.get_complaint_for(user, complaint_id)
    context: dict[str, Any] = {}
    if request.method == "POST":
        a, note = request.POST.get("action", ""), request.POST.get("note", "")
        try:
            if a == "assign":
                handler = User.objects.filter(username=request.POST.get("handler", "")).first()
                if handler is None:
                    raise DomainError("feedback.bad_handler", _("请选择承办人。"))
                actions.complaint_assign(complaint=c, handler=handler, actor=user, note=note)
            elif a == "reply":
                actions.complaint_reply(complaint=c, reply=note, actor=user)
            elif a == "explain":
                actions.complaint_explain(complaint=c, explanation=note, actor=user)
            elif a == "complex":
                actions.complaint_mark_complex(complaint=c, note=note, actor=user)
            elif a == "close":
                actions.complaint_close(complaint=c, note=note, actor=user)
            elif a == "contact":
                context["contact"] = actions.contact_reveal(
                    complaint=c, actor=user, source_ip=client_ip(request)
                )
            else:
                raise DomainError("feedback.bad_action", _("未知操作。"))
        except DomainError as exc:
            context["error"] = exc.message
        c = actions.get_complaint_for(user, complaint_id)
    context.update(
        c=c,
        events=c.events.select_related("actor").order_by("at", "id"),
        is_handler=c.handler_id == user.pk,
        can_assign=actions._can_assign(user, centre_id=c.centre_id, department_id=c.department_id),
        is_reviewer=actions.is_reviewer(user),
        handlers=_handlers_for(user),
        today=timezone.localdate(),
    )
    return render(request, "feedback/complaint.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def complaint_new(request: HttpRequest) -> HttpResponse:
    """Staff enter a complaint from the hall's desk or the phone."""
    if staff_of(request.user) is None:
        raise Forbidden("feedback.staff_only", _("只有工作人员可以录入。"))
    centres = centres_for(request.user)
    context: dict[str, Any] = {
        "centres": centres,
        "categories": ComplaintCategory.objects.filter(is_active=True),
        "kinds": Complaint.Kind.choices,
        "form": request.POST,
    }
    if request.method == "POST":
        centre = centres.filter(code=request.POST.get("centre", "")).first()
        number = request.POST.get("window", "").strip()
        window = (
            Window.objects.filter(centre=centre, number=int(number)).first()
            if centre and number.isdigit()
            else None
        )
        try:
            c = actions.complaint_submit(
                kind=request.POST.get("kind", ""),
                channel=request.POST.get("channel", ""),
                category=ComplaintCategory.objects.filter(
                    code=request.POST.get("category", "")
                ).first(),
                centre=centre,
                window=window,
                title=request.POST.get("title", ""),
                description=request.POST.get("description", ""),
                name=request.POST.get("name", ""),
                phone=request.POST.get("phone", ""),
                actor=request.user,
            )
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "feedback/complaint_new.html", context, status=exc.status)
        return redirect("feedback:complaint", complaint_id=c.pk)
    return render(request, "feedback/complaint_new.html", context)


@overseer_required
@require_http_methods(["GET", "POST"])
def complaint_import(request: HttpRequest) -> HttpResponse:
    """Import 12345 hotline work orders (CSV or Excel; docs/feedback.md)."""
    context: dict[str, Any] = {}
    if request.method == "POST" and request.FILES.get("file"):
        upload = request.FILES["file"]
        result = import_work_orders(
            upload.read(),
            filename=upload.name or "",
            actor=request.user,
            dry_run=bool(request.POST.get("dry_run")),
        )
        context["result"] = result
    return render(request, "feedback/import.html", context)
