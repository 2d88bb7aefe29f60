"""Pages of feedback: the rating pad, the citizen's mobile pages (rating,
rating the handling of a bad rating, complaints), the director's board and the
handler's desk. Thin: every change goes through ``actions``."""

from __future__ import annotations

import datetime as dt
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from yichuang.lib import codes
from yichuang.lib.audit import client_ip
from yichuang.lib.errors import DomainError, Forbidden, NotFound, TooManyRequests
from yichuang.org.auth import device_by_token
from yichuang.org.models import Centre, Device, Post, Staff, Window
from yichuang.org.permissions import hall_staff_required
from yichuang.org.scopes import centres_for, staff_of

from . import actions, permissions, selectors
from .actions.anonymous import complaint_anonymous_allow
from .imports import import_work_orders
from .models import Appeal, Complaint, ComplaintCategory, Rating, Rectification

PAD_COOKIE = "yc_pad"
PAD_FRESH_MINUTES = 10


def _levels() -> list[tuple[int, str]]:
    return [(lv.value, str(lv.label)) for lv in Rating.Level]


# --- the rating pad -------------------------------------------------------------------


def _pad_device(request: HttpRequest, window_id: int) -> Device:
    """The rating pad of this window, by the token in the query or its cookie."""
    device = device_by_token(request.GET.get("token") or request.COOKIES.get(PAD_COOKIE, ""))
    if device is None or device.kind != Device.Kind.PAD or device.window_id != window_id:
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
            "reasons": selectors.current_reason_choices(),
        },
    )


@require_GET
def pad_state(request: HttpRequest, window_id: int) -> JsonResponse:
    """What the pad should show: idle, or the service just finished here."""
    device = _pad_device(request, window_id)
    window = Window.objects.get(pk=window_id)
    clerk = _window_clerk(window)
    ticket = selectors.pad_ticket(window_id, fresh_minutes=PAD_FRESH_MINUTES)
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
    service = selectors.service_summary(code)
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
        "reasons": selectors.current_reason_choices(),
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
        # A GET prefills the form from the query (the FAQ's "没找到答案?" link).
        "form": request.POST if request.method == "POST" else request.GET,
    }
    if request.method == "POST":
        category = categories.filter(code=request.POST.get("category", "")).first()
        centre = centres.filter(code=request.POST.get("centre", "")).first()
        window = None
        number = request.POST.get("window", "").strip()
        if centre and number.isdigit():
            window = Window.objects.filter(centre=centre, number=int(number)).first()
        try:
            complaint_anonymous_allow(
                source_ip=client_ip(request), phone=request.POST.get("phone", "")
            )
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
        if not permissions.is_overseer(request.user):
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


@overseer_required
def board(request: HttpRequest) -> HttpResponse:
    """The director's board: rates with counts by dimension, bad ratings and
    their rectification (overdue first), pending appeals, open complaints."""
    start, end = _period(request)
    dim = request.GET.get("dim", "window")
    if dim not in selectors.DIMENSIONS:
        dim = "window"
    context = selectors.board_for(_unwrapped(request.user), dim=dim, start=start, end=end)
    context.update(start=start, end=end, dim=dim, dims=selectors.DIMENSION_LABELS)
    # The overdue panel shows ten rows under the KPIs unless all are asked for.
    context["overdue_all"] = request.GET.get("overdue") == "all"
    return render(request, "feedback/board.html", context)


@hall_staff_required
def desk(request: HttpRequest) -> HttpResponse:
    """The handler's desk: my rectifications and complaints, overdue first."""
    user = _unwrapped(request.user)
    context = selectors.desk_for(user, may_assign=permissions.is_assigner(user))
    context["overdue_all"] = request.GET.get("overdue") == "all"
    return render(request, "feedback/desk.html", context)


@hall_staff_required
@require_http_methods(["GET", "POST"])
def rectification_detail(request: HttpRequest, rect_id: int) -> HttpResponse:
    user = request.user
    rect = selectors.get_rectification_for(user, rect_id)
    context: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "contact":
                context["contact"] = actions.contact_reveal(
                    rectification=rect, actor=user, source_ip=client_ip(request)
                )
            else:
                actions.rectification_act(
                    rectification=rect,
                    action=action,
                    actor=user,
                    note=request.POST.get("note", ""),
                    handler=request.POST.get("handler", ""),
                    verdict=request.POST.get("verdict", ""),
                )
        except DomainError as exc:
            context["error"] = exc.message
        rect = selectors.get_rectification_for(user, rect_id)
    rating = rect.rating
    may_assign = permissions.can_assign(
        user, centre_id=rect.centre_id, department_id=rect.department_id
    )
    context.update(
        rect=rect,
        rating=rating,
        reason_labels=rating.reason_labels(),
        events=rect.events.select_related("actor").order_by("at", "id"),
        is_handler=rect.handler_id == user.pk,
        can_assign=may_assign,
        handler_groups=handler_groups(
            selectors.handlers_for(
                user,
                centre_id=rect.centre_id,
                department_id=rect.department_id,
                subject_id=rating.clerk_id,
            )
        )
        if may_assign
        else [],
        verdicts=Rectification.Verdict.choices,
        today=timezone.localdate(),
    )
    return render(request, "feedback/rectification.html", context)


def handler_groups(users) -> list[tuple[str, list[tuple[str, str]]]]:
    """The handler chooser's options, grouped by centre and department: each
    person by name and window (or title), never by login name."""
    staff = {
        s.user_id: s
        for s in Staff.objects.filter(user__in=users).select_related(
            "centre", "department", "region"
        )
    }
    windows: dict[int, str] = {}
    posts = Post.objects.filter(a_staff__in=staff.values(), window__isnull=False)
    for p in posts.select_related("window").order_by("window__number"):
        windows.setdefault(p.a_staff_id, _("%(n)d 号窗口") % {"n": p.window.number})
    groups: dict[str, list[tuple[str, str]]] = {}
    for user in users:
        s = staff.get(user.pk)
        if s is None:
            continue
        place = s.centre.name if s.centre else s.region.name
        unit = s.department.name if s.department else _("综合")
        detail = windows.get(s.pk) or s.title
        name = user.display_name or s.name
        label = f"{name}（{detail}）" if detail else name
        groups.setdefault(f"{place} · {unit}", []).append((user.username, label))
    return sorted((g, sorted(people, key=lambda p: p[1])) for g, people in groups.items())


@hall_staff_required
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


@hall_staff_required
@require_http_methods(["GET", "POST"])
def complaint_detail(request: HttpRequest, complaint_id: int) -> HttpResponse:
    user = request.user
    c = selectors.get_complaint_for(user, complaint_id)
    context: dict[str, Any] = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "contact":
                context["contact"] = actions.contact_reveal(
                    complaint=c, actor=user, source_ip=client_ip(request)
                )
            else:
                actions.complaint_act(
                    complaint=c,
                    action=action,
                    actor=user,
                    note=request.POST.get("note", ""),
                    handler=request.POST.get("handler", ""),
                    verdict=request.POST.get("verdict", ""),
                    verdict_note=request.POST.get("verdict_note", ""),
                )
        except DomainError as exc:
            context["error"] = exc.message
        c = selectors.get_complaint_for(user, complaint_id)
    may_assign = permissions.can_assign(user, centre_id=c.centre_id, department_id=c.department_id)
    context.update(
        c=c,
        events=c.events.select_related("actor").order_by("at", "id"),
        is_handler=c.handler_id == user.pk,
        can_assign=may_assign,
        is_reviewer=permissions.is_reviewer(user),
        verdicts=Complaint.Verdict.choices,
        handler_groups=handler_groups(
            selectors.handlers_for(
                user, centre_id=c.centre_id, department_id=c.department_id, subject_id=c.clerk_id
            )
        )
        if may_assign
        else [],
        today=timezone.localdate(),
    )
    return render(request, "feedback/complaint.html", context)


@hall_staff_required
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
    failed = "result" in context and not context["result"].ok
    return render(request, "feedback/import.html", context, status=422 if failed else 200)


# --- one lookup for the citizen: 办件, complaints, appointments ---------------------------


def _lookup_code(code: str) -> dict[str, Any] | None:
    """What a code opens: a case's receipt code (16 characters, the progress
    page), a complaint's 查询码 (16 characters) or an appointment's 预约码
    (8 digits). Only what the code's own page shows anyway; nothing personal.
    Spaces, hyphens and lower case are forgiven (lib/codes.py)."""
    from yichuang.queueing.models import Appointment

    if not code or len(code) > 40:
        return None
    for typed in codes.candidates(code):
        found = _lookup_case_or_complaint(typed[:32])
        if found is not None:
            return found
    appt = (
        Appointment.objects.select_related("slot__queue__centre").filter(code=code).first()
        if code.isdigit()
        else None
    )
    if appt is not None:
        slot = appt.slot
        return {
            "kind": _("预约"),
            "title": f"{slot.queue.centre.name} · {slot.queue.name}",
            "status": appt.get_status_display(),
            "when": slot.day,
            "time": f"{slot.start:%H:%M}–{slot.end:%H:%M}",
            "url": "/m/appointment",
        }
    return None


def _lookup_case_or_complaint(code: str) -> dict[str, Any] | None:
    from yichuang.cases.selectors import case_by_receipt_code

    case = case_by_receipt_code(code)
    if case is not None:
        return {
            "kind": _("办件"),
            "title": case.title,
            "status": case.get_status_display(),
            "when": case.accepted_on,
            "url": f"/m/progress/{case.receipt_code}",
        }
    c = Complaint.objects.filter(track_code=code).first()
    if c is not None:
        return {
            "kind": c.get_kind_display(),
            "title": c.reference,
            "status": c.get_status_display(),
            "when": timezone.localtime(c.received_at).date(),
            "url": f"/m/complaints/{c.track_code}",
        }
    return None


def _lookup_by_phone(request: HttpRequest) -> dict[str, Any]:
    """The phone half of /m/lookup: ``step=phone`` sends the SMS code,
    ``step=phone_check`` checks it and lists the phone's records."""
    from .actions.lookup import lookup_code_check, lookup_code_send, records_of_phone

    phone = "".join(request.POST.get("phone", "").split())
    out: dict[str, Any] = {"phone": phone}
    if request.POST.get("step") == "phone":
        lookup_code_send(phone=phone, source_ip=client_ip(request))
        out["code_sent"] = True
        return out
    digest = lookup_code_check(
        phone=phone, code=request.POST.get("sms_code", ""), source_ip=client_ip(request)
    )
    out["records"] = records_of_phone(digest)
    return out


def m_lookup(request: HttpRequest) -> HttpResponse:
    """``/m/lookup``: one box for every code a citizen is given, or the phone
    and an SMS code for all of that phone's appointments, complaints and cases.
    Each code look-up counts against the progress page's per-address limit,
    each miss against the appointment look-up's failure budget; an unknown
    code answers the same 404 whatever kind of code it looked like."""
    from yichuang.cases.ratelimit import rate_limit
    from yichuang.lib.throttle import rule_full, rule_hit
    from yichuang.queueing.views import LOOKUP_FAILURES

    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST" and request.POST.get("step", "").startswith("phone"):
        try:
            context.update(_lookup_by_phone(request))
        except DomainError as exc:
            context["phone"] = "".join(request.POST.get("phone", "").split())
            context["code_sent"] = request.POST.get("step") == "phone_check"
            context["phone_error"] = exc.message
            status = exc.status
    elif request.method == "POST":
        code = "".join(request.POST.get("code", "").split())
        address = client_ip(request) or "-"
        context["code"] = code
        try:
            rate_limit(request, "progress")
            if rule_full(LOOKUP_FAILURES, address):
                raise TooManyRequests(
                    "queueing.too_many_lookups", _("查询失败次数过多，请一小时后再试。")
                )
            found = _lookup_code(code)
            if found is None:
                rule_hit(LOOKUP_FAILURES, address)
                raise NotFound(
                    "feedback.lookup_not_found", _("没有找到与该查询码对应的记录，请核对后再试。")
                )
            context["found"] = found
        except DomainError as exc:
            context["error"] = exc.message
            status = exc.status
    return render(request, "feedback/m_lookup.html", context, status=status)
