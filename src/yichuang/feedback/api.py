"""HTTP API of feedback: ratings, appeals, rectifications, complaints (the
public API, docs/architecture.md). Thin: parse, call an action or a selector,
shape the answer. Every operation declares what it returns for each status."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from yichuang.lib.audit import client_ip
from yichuang.lib.errors import ErrorOut, NotFound, Unauthorized, Unprocessable
from yichuang.lib.pagination import PageIn, page_of
from yichuang.org.auth import API_AUTH, caller_staff, staff_user, token_auth
from yichuang.org.models import Centre, Department, Device, Window

from . import actions, selectors
from .actions.anonymous import complaint_anonymous_allow
from .models import Appeal, Complaint, ComplaintCategory, Rating, Rectification
from .schemas import (
    AppealIn,
    AppealOut,
    ComplaintActionIn,
    ComplaintCreatedOut,
    ComplaintIn,
    ComplaintListOut,
    ComplaintOut,
    ContactOut,
    DecideIn,
    RatingCreatedOut,
    RatingIn,
    RatingListOut,
    RectificationActionIn,
    RectificationListOut,
    RectificationOut,
)

router = Router(tags=["feedback"])


def local_iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def rating_out(r: Rating) -> dict[str, Any]:
    return {
        "id": r.pk,
        "service_kind": r.service_kind,
        "level": r.level,
        "level_label": r.get_level_display(),
        "reasons": r.reasons,
        "comment": r.comment,
        "channel": r.channel,
        "excluded": r.excluded,
        "exclusion_reason": r.exclusion_reason,
        "is_default": r.is_default,
        "created_at": local_iso(r.created_at),
        "centre": r.centre.code,
        "department": r.department.code if r.department else None,
        "window": r.window.number if r.window else None,
        "clerk": r.clerk.name if r.clerk else None,
    }


def rectification_out(r: Rectification, today: dt.date) -> dict[str, Any]:
    return {
        "id": r.pk,
        "status": r.status,
        "rating": {
            "id": r.rating_id,
            "level": r.rating.level,
            "reasons": r.rating.reasons,
            "created_at": local_iso(r.rating.created_at),
        },
        "centre": r.centre.code,
        "department": r.department.code if r.department else None,
        "handler": r.handler.username if r.handler else None,
        "real_name": r.is_real_name,
        "phone": r.masked_phone,
        "callback_due": _date(r.callback_due),
        "rectify_due": _date(r.rectify_due),
        "overdue": r.is_overdue(today),
        "verdict": r.verdict,
        "citizen_level": r.citizen_level,
    }


def complaint_out(c: Complaint, today: dt.date) -> dict[str, Any]:
    return {
        "id": c.pk,
        "reference": c.reference,
        "kind": c.kind,
        "channel": c.channel,
        "status": c.status,
        "title": c.title,
        "description": c.description,
        "name": c.masked_name,
        "phone": c.masked_phone,
        "centre": c.centre.code if c.centre else None,
        "department": c.department.code if c.department else None,
        "window": c.window.number if c.window else None,
        "handler": c.handler.username if c.handler else None,
        "received_at": local_iso(c.received_at),
        "due_date": _date(c.due_date),
        "reasons_due": _date(c.reasons_due),
        "overdue": c.is_overdue(today),
        "reply": c.reply,
        "verdict": c.verdict,
        "verdict_note": c.verdict_note,
        "verdict_at": local_iso(c.verdict_at),
        "satisfaction": c.satisfaction,
        "reopen_count": c.reopen_count,
    }


# --- query parameters ----------------------------------------------------------------


def _rater(request) -> tuple[Device | None, Any]:
    """Who is submitting: a pad (device token), a staff member (token or
    session — to be refused), or an anonymous citizen."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        found = token_auth.authenticate(request, header[7:].strip())
        if found is None:
            raise Unauthorized("accounts.auth_required", _("请先登录或提供有效的令牌。"))
        if isinstance(found, Device):
            return found, None
        return None, found
    user = getattr(request, "user", None)
    return None, user if user is not None and user.is_authenticated else None


def _period(request) -> tuple[dt.date | None, dt.date | None]:
    out: list[dt.date | None] = []
    for name in ("from", "to"):
        raw = request.GET.get(name)
        if not raw:
            out.append(None)
            continue
        try:
            value = parse_date(raw)
        except ValueError:
            value = None
        if value is None or not dt.date(2000, 1, 1) <= value <= dt.date(2100, 12, 31):
            raise Unprocessable(
                "feedback.bad_date", _("日期格式须为 YYYY-MM-DD：%(v)s") % {"v": raw}, field=name
            )
        out.append(value)
    start, end = out
    if start and end and start > end:
        raise Unprocessable("feedback.bad_date", _("起始日期晚于结束日期。"))
    return start, end


def scoped_ratings(request) -> QuerySet[Rating]:
    """The caller's ratings narrowed by ``scope``/``from``/``to``."""
    user = staff_user(request)
    qs = selectors.ratings_for(user)
    scope = request.GET.get("scope", "") or "county"
    kind, _sep, code = scope.partition(":")
    if kind == "centre":
        centre = Centre.objects.filter(code=code).first()
        qs = qs.filter(centre=centre) if centre else qs.none()
    elif kind == "department":
        dept = Department.objects.filter(code=code).first()
        qs = qs.filter(department=dept) if dept else qs.none()
    elif kind == "window":
        qs = qs.filter(window_id=int(code)) if code.isdigit() else qs.none()
    elif kind != "county":
        raise Unprocessable("feedback.bad_scope", _("scope 不正确：%(s)s") % {"s": scope})
    start, end = _period(request)
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    return qs


# --- ratings and appeals -------------------------------------------------------------


@router.post(
    "/ratings",
    auth=None,
    response={
        201: RatingCreatedOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
)
def rating_create(request, payload: RatingIn):
    device, user = _rater(request)
    rating = actions.rating_submit(
        rating_code=payload.rating_code,
        level=payload.level,
        channel=payload.channel,
        reasons=payload.reasons or [],
        comment=payload.comment or "",
        phone=payload.phone or "",
        device=device,
        user=user,
        source_ip=client_ip(request),
    )
    return Status(
        201,
        {
            "id": rating.pk,
            "level": rating.level,
            "channel": rating.channel,
            "reasons": rating.reasons,
            "created_at": local_iso(rating.created_at),
            "rectification": rating.is_bad,
        },
    )


@router.get(
    "/ratings",
    auth=API_AUTH,
    response={200: RatingListOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def rating_list(request, page: Query[PageIn]):
    qs = scoped_ratings(request)
    rows = page_of(
        qs.select_related("centre", "department", "window", "clerk").order_by("-created_at", "-id"),
        page,
    )
    return {
        "items": [rating_out(r) for r in rows],
        "count": qs.count(),
        "summary": selectors.rates_of(qs),
    }


@router.post(
    "/ratings/{rating_id}/appeals",
    auth=API_AUTH,
    response={
        201: AppealOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def appeal_create(request, rating_id: int, payload: AppealIn):
    user = staff_user(request)
    rating = selectors.get_rating_for(user, rating_id)
    appeal = actions.appeal_file(
        rating=rating, kind=payload.kind, reason=payload.reason, actor=user
    )
    return Status(201, {"id": appeal.pk, "status": appeal.status})


@router.post(
    "/appeals/{appeal_id}/decide",
    auth=API_AUTH,
    response={
        200: AppealOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def appeal_decide(request, appeal_id: int, payload: DecideIn):
    user = staff_user(request)
    appeal = Appeal.objects.filter(pk=appeal_id).first()
    if appeal is None:
        raise NotFound("feedback.appeal_not_found", _("没有找到该申诉。"))
    appeal = actions.appeal_decide(
        appeal=appeal, upheld=payload.upheld, note=payload.note, actor=user
    )
    return {"id": appeal.pk, "status": appeal.status}


# --- rectifications ------------------------------------------------------------------


@router.get(
    "/rectifications",
    auth=API_AUTH,
    response={200: RectificationListOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def rectification_list(request, page: Query[PageIn]):
    user = staff_user(request)
    qs = selectors.rectifications_for(user)
    status = request.GET.get("status")
    if status:
        wanted = [s for s in status.split(",") if s]
        if any(s not in Rectification.Status.values for s in wanted):
            raise Unprocessable("feedback.bad_status", _("status 不正确：%(s)s") % {"s": status})
        qs = qs.filter(status__in=wanted)
    today = timezone.localdate()
    rows = page_of(
        qs.select_related("rating", "centre", "department", "handler").order_by(
            "rectify_due", "id"
        ),
        page,
    )
    return {"items": [rectification_out(r, today) for r in rows], "count": qs.count()}


@router.post(
    "/rectifications/{rect_id}/actions",
    auth=API_AUTH,
    response={
        200: RectificationOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def rectification_act(request, rect_id: int, payload: RectificationActionIn):
    """One step of the handling (``actions.RECTIFICATION_STEPS``)."""
    user = staff_user(request)
    rect = actions.rectification_act(
        rectification=selectors.get_rectification_for(user, rect_id),
        action=payload.action,
        actor=user,
        note=payload.note,
        handler=payload.handler,
        verdict=payload.verdict,
    )
    rect = Rectification.objects.select_related("rating", "centre", "department", "handler").get(
        pk=rect.pk
    )
    return rectification_out(rect, timezone.localdate())


@router.get(
    "/rectifications/{rect_id}/contact",
    auth=API_AUTH,
    response={200: ContactOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def rectification_contact(request, rect_id: int):
    user = staff_user(request)
    rect = selectors.get_rectification_for(user, rect_id)
    return actions.contact_reveal(rectification=rect, actor=user, source_ip=client_ip(request))


# --- complaints ----------------------------------------------------------------------


@router.post(
    "/complaints",
    auth=None,
    response={201: ComplaintCreatedOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
)
def complaint_create(request, payload: ComplaintIn):
    """Citizens (mobile) file without signing in; staff enter desk and phone ones
    (a staff token, or a session with its CSRF token). Anonymous filings are
    limited per address and phone (429 ``feedback.too_many_complaints``)."""
    user = caller_staff(request)
    if payload.channel == Complaint.Channel.MOBILE:
        user = None
    elif payload.channel not in (Complaint.Channel.DESK, Complaint.Channel.PHONE):
        raise Unprocessable("feedback.bad_channel", _("诉求渠道不正确。"))
    if user is None:
        complaint_anonymous_allow(source_ip=client_ip(request), phone=payload.phone)
    centre = Centre.objects.filter(code=payload.centre).first() if payload.centre else None
    window = (
        Window.objects.filter(centre=centre, number=payload.window).first()
        if centre and payload.window
        else None
    )
    category = (
        ComplaintCategory.objects.filter(code=payload.category, is_active=True).first()
        if payload.category
        else None
    )
    if payload.category and category is None:
        raise Unprocessable("feedback.bad_category", _("诉求类别不正确。"))
    c = actions.complaint_submit(
        kind=payload.kind,
        channel=payload.channel,
        description=payload.description,
        title=payload.title,
        category=category,
        centre=centre,
        window=window,
        name=payload.name,
        phone=payload.phone,
        actor=user,
    )
    return Status(
        201,
        {
            "id": c.pk,
            "reference": c.reference,
            "track_code": c.track_code,
            "status": c.status,
            "due_date": _date(c.due_date),
        },
    )


@router.get(
    "/complaints",
    auth=API_AUTH,
    response={200: ComplaintListOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def complaint_list(request, page: Query[PageIn]):
    user = staff_user(request)
    qs = selectors.complaints_for(user)
    status = request.GET.get("status")
    if status:
        qs = qs.filter(status__in=status.split(","))
    kind = request.GET.get("kind")
    if kind:
        qs = qs.filter(kind__in=kind.split(","))
    today = timezone.localdate()
    rows = page_of(qs.select_related("centre", "department", "window", "handler"), page)
    return {"items": [complaint_out(c, today) for c in rows], "count": qs.count()}


@router.post(
    "/complaints/{complaint_id}/actions",
    auth=API_AUTH,
    response={
        200: ComplaintOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def complaint_act(request, complaint_id: int, payload: ComplaintActionIn):
    """One step of the handling (``actions.COMPLAINT_STEPS``)."""
    user = staff_user(request)
    c = actions.complaint_act(
        complaint=selectors.get_complaint_for(user, complaint_id),
        action=payload.action,
        actor=user,
        note=payload.note,
        handler=payload.handler,
        verdict=payload.verdict,
        verdict_note=payload.verdict_note,
    )
    c = Complaint.objects.select_related("centre", "department", "window", "handler").get(pk=c.pk)
    return complaint_out(c, timezone.localdate())
