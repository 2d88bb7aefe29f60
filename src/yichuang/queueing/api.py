"""HTTP API of the hall queue (CONTRACT §3 Queue). Thin: each endpoint checks who
is asking, calls one action and shapes the answer.

Who may do what:

* a kiosk device token issues tickets and checks in appointments at its own
  centre, nothing else; display and pad tokens read the hall and its event feed
  at their centre and can't call or issue;
* staff act within their scope (``org.scopes``): an outsider gets 404;
* the hall state, the queues and the event feed are what the hall screens show
  to everyone, so they are readable without a token (a device token of another
  centre is still refused).

A request with an ``Idempotency-Key`` header is performed once; a replay is
answered 409 ``request.replayed`` carrying the first answer, and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.org.auth import API_AUTH, device_of, staff_user
from yichuang.org.models import Centre, Device, Window
from yichuang.org.scopes import centres_for, get_centre_for, get_window_for

from . import actions
from .estimates import queue_states, ticket_estimate
from .models import (
    AppointmentSlot,
    IdempotencyKey,
    QueueAlert,
    Ticket,
    TicketEvent,
    queue_item_names,
)
from .selectors import hall_windows

router = Router(tags=["queue"])


def _anonymous(request):
    return True


OPTIONAL_AUTH = [*API_AUTH, _anonymous]


def iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def _day_start() -> dt.datetime:
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


# --- shaping ----------------------------------------------------------------------------


def ticket_out(ticket: Ticket, *, estimate: bool = True) -> dict:
    if not estimate:
        ahead, minutes = 0, 0
    elif getattr(ticket, "estimate", None) is not None:
        ahead, minutes = ticket.estimate  # computed by ticket_issue
    else:
        ahead, minutes = ticket_estimate(ticket)
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "queue": ticket.queue.code,
        "queue_name": ticket.queue.name,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "window": ticket.window.number if ticket.window_id else None,
        "waiting_ahead": ahead,
        "estimated_wait_minutes": minutes,
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at),
        "finished_at": iso(ticket.finished_at),
        "track_code": ticket.track_code,
        "rating_code": ticket.rating_code,
        "transferred_from": ticket.transferred_from_id,
        "first_ask": ticket.first_ask.name if ticket.first_ask_id else None,
    }


def window_out(window: Window) -> dict:
    return {
        "id": window.pk,
        "number": window.number,
        "name": window.name,
        "kind": window.kind,
        "state": window.state,
        "clerk": window.clerk.name if window.clerk_id else None,
    }


def queue_codes_by_window(windows) -> dict[int, list[str]]:
    from .models import WindowSkill

    out: dict[int, list[str]] = {}
    for window_id, code in (
        WindowSkill.objects.filter(window__in=windows)
        .order_by("window_id", "order", "queue__sort_order")
        .values_list("window_id", "queue__code")
    ):
        out.setdefault(window_id, []).append(code)
    return out


# --- windows of a centre (CONTRACT: GET /centres/{code}/windows) -----------------


class WindowOut(Schema):
    id: int
    number: int
    name: str
    kind: str
    department: str | None
    queues: list[str]
    state: str
    clerk: str | None


@router.get("/centres/{code}/windows", response=list[WindowOut], auth=API_AUTH)
def centre_window_list(request, code: str):
    device = device_of(request)
    if device is not None:
        if device.centre.code != code:
            raise Forbidden("auth.device_wrong_centre", _("该设备不属于此服务中心。"))
        centre = device.centre
    else:
        centre = get_centre_for(request.user, code)
    windows = list(
        Window.objects.filter(centre=centre, is_active=True).select_related("department", "clerk")
    )
    queues = queue_codes_by_window(windows)
    return [
        {
            "id": w.id,
            "number": w.number,
            "name": w.name,
            "kind": w.kind,
            "department": w.department.code if w.department else None,
            "queues": queues.get(w.id, []),
            "state": w.state,
            "clerk": w.clerk.name if w.clerk else None,
        }
        for w in windows
    ]


def queue_state_out(state) -> dict:
    return {
        "code": state.queue.code,
        "name": state.queue.name,
        "prefix": state.queue.prefix,
        "waiting": state.waiting,
        "open_windows": state.open_windows,
        "estimated_wait_minutes": state.estimated_wait_minutes,
        "longest_wait_minutes": state.longest_wait_minutes,
        "alert": state.over_threshold,
    }


# --- access -----------------------------------------------------------------------------


def _device_centre_check(device: Device, code: str) -> None:
    if device.centre.code != code:
        raise Forbidden("auth.device_wrong_centre", _("该设备不属于此服务中心。"))


def _readable_centre(request, code: str) -> Centre:
    """A centre for the public hall reads; a device token must be of that centre."""
    device = device_of(request)
    if device is not None:
        _device_centre_check(device, code)
        return device.centre
    centre = Centre.objects.filter(code=code, is_active=True).first()
    if centre is None:
        raise NotFound("org.centre_not_found", _("没有找到该服务中心：%(c)s") % {"c": code})
    return centre


def _staff_window(request, window_id: int) -> Window:
    user = staff_user(request)
    return get_window_for(user, window_id)


def _window_ref(request, window_id: int) -> Window:
    """The window a clerk's ticket action acts on, not read yet: the action
    reads it, within the user's scope (404 outside it), in its own first query,
    one round trip less on the hall's busiest requests."""
    staff_user(request)
    return Window(pk=int(window_id))


def _scoped_ticket(request, ticket_id: int) -> Ticket:
    device = device_of(request)
    qs = Ticket.objects.select_related("queue", "window", "first_ask")
    if device is not None:
        ticket = qs.filter(pk=ticket_id, centre=device.centre).first()
    else:
        ticket = qs.filter(pk=ticket_id, centre__in=centres_for(request.user)).first()
    if ticket is None:
        raise NotFound("queue.ticket_not_found", _("没有找到该号。"))
    return ticket


def respond(status: int, body) -> HttpResponse:
    if body is None:
        return HttpResponse(status=204)
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def idempotent(request, status: int, fn) -> HttpResponse:
    """Run ``fn`` once per Idempotency-Key; a replay gets 409 with the first answer."""
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if not key:
        return respond(status, fn())
    device = device_of(request)
    principal = f"device:{device.pk}" if device else f"user:{request.user.pk}"
    with transaction.atomic():
        try:
            with transaction.atomic():
                row = IdempotencyKey.objects.create(
                    key=key[:80], principal=principal, path=request.path[:200]
                )
        except IntegrityError:
            prior = IdempotencyKey.objects.filter(principal=principal, key=key[:80]).first()
            raise Conflict(
                "request.replayed",
                _("该请求已处理过（重复提交），未再次执行。"),
                original_status=prior.status if prior else None,
                original=prior.response if prior else None,
            ) from None
        body = fn()
        row.status = status
        row.response = body or {}
        row.save(update_fields=["status", "response"])
    return respond(status, body)


# --- centres ----------------------------------------------------------------------------


@router.get("/centres/{code}/queues", auth=OPTIONAL_AUTH)
def queue_list(request, code: str):
    centre = _readable_centre(request, code)
    states = queue_states(centre)
    items = queue_item_names([s.queue for s in states])
    return [{**queue_state_out(s), "items": items.get(s.queue.pk, [])} for s in states]


class TicketIn(Schema):
    queue: str
    channel: str = "kiosk"
    priority: str = "normal"
    phone: str | None = None
    id_number: str | None = None


@router.post("/centres/{code}/tickets", auth=API_AUTH)
def ticket_create(request, code: str, payload: TicketIn):
    device = device_of(request)
    actor = None
    if device is not None:
        if device.kind != Device.Kind.KIOSK:
            raise Forbidden("auth.device_not_allowed", _("设备令牌不能执行此操作。"))
        _device_centre_check(device, code)
        centre = device.centre
        channel = "kiosk"
    else:
        actor = request.user
        centre = get_centre_for(actor, code)
        channel = payload.channel if payload.channel != "kiosk" else "greeter"

    def run():
        ticket = actions.ticket_issue(
            centre=centre,
            queue_code=payload.queue,
            channel=channel,
            priority=payload.priority,
            phone=payload.phone or "",
            id_number=payload.id_number or "",
            actor=actor,
            device=device,
        )
        return ticket_out(ticket)

    return idempotent(request, 201, run)


class CheckInIn(Schema):
    code: str


@router.post("/centres/{code}/check-in", auth=API_AUTH)
def appointment_check_in(request, code: str, payload: CheckInIn):
    device = device_of(request)
    if device is not None:
        if device.kind != Device.Kind.KIOSK:
            raise Forbidden("auth.device_not_allowed", _("设备令牌不能执行此操作。"))
        _device_centre_check(device, code)
        centre, actor = device.centre, None
    else:
        centre, actor = get_centre_for(request.user, code), request.user

    def run():
        ticket = actions.appointment_check_in(
            centre=centre, code=payload.code, device=device, actor=actor
        )
        return ticket_out(ticket)

    return idempotent(request, 201, run)


@router.get("/centres/{code}/hall", auth=OPTIONAL_AUTH)
def hall_state(request, code: str):
    """The hall at a glance for displays and the director: waiting lines,
    windows and recent calls. Every screen of a hall asks for the same answer,
    so it is kept for HALL_CACHE_SECONDS per process (calls themselves reach the
    screens through the event feed, at once)."""
    centre = _readable_centre(request, code)
    key = f"queueing:hall:{centre.pk}"
    answer = cache.get(key)
    if answer is None:
        answer = _hall_state(centre)
        cache.set(key, answer, HALL_CACHE_SECONDS)
    return answer


HALL_CACHE_SECONDS = 2


def _hall_state(centre: Centre) -> dict:
    windows, current, recent = hall_windows(centre)
    queues = queue_codes_by_window(windows)
    return {
        "centre": {"code": centre.code, "name": centre.name, "notice": centre.notice},
        "queues": [queue_state_out(s) for s in queue_states(centre)],
        "windows": [
            {
                **window_out(w),
                "clerk": None,
                "queues": queues.get(w.pk, []),
                "ticket": current[w.pk].number if w.pk in current else None,
                "ticket_status": current[w.pk].status if w.pk in current else None,
            }
            for w in windows
        ],
        "recent_calls": [
            {
                "ticket_number": e.ticket_number,
                "window_number": e.window_number,
                "type": e.type,
                "at": iso(e.at),
            }
            for e in recent
        ],
    }


FEED_TYPES = (
    "called",
    "recalled",
    "finished",
    "no_show",
    "transferred",
    "cancelled",
    "issued",
    "window_opened",
    "window_closed",
    "window_paused",
    "window_resumed",
    "alert",
)


@router.get("/centres/{code}/events", auth=OPTIONAL_AUTH)
def event_feed(request, code: str, after: int | None = None, limit: int = 100):
    """The display feed: events after the cursor, oldest first. Without a cursor
    the answer is the current cursor and no events (a new screen announces
    nothing old).

    Hundreds of screens poll this, so a poll with news is one query. A
    device token must be of the centre."""
    limit = max(1, min(limit, 500))
    device = device_of(request)
    if device is not None:
        _device_centre_check(device, code)
    centres = Centre.objects.filter(code=code)
    if device is None:
        centres = centres.filter(is_active=True)
    if after is None:
        last = (
            centres.annotate(
                last=Subquery(
                    TicketEvent.objects.filter(centre=OuterRef("pk"))
                    .order_by("-id")
                    .values("id")[:1]
                )
            )
            .values_list("last", flat=True)
            .first()
        )
        if last is None and not centres.exists():
            _readable_centre(request, code)  # 404
        return {"cursor": last or 0, "events": []}
    # a poll with news is one query through the (centre, id) index; a quiet
    # one then tells an unknown centre (404) from a centre with nothing new
    events = [
        {
            "id": e.pk,
            "type": e.type,
            "ticket_number": e.ticket_number,
            "window_number": e.window_number,
            "at": iso(e.at),
            "reason": e.reason,
        }
        for e in TicketEvent.objects.filter(centre__in=centres, id__gt=after)
        .only("id", "type", "ticket_number", "window_number", "at", "reason")
        .order_by("id")[:limit]
    ]
    if not events and not centres.exists():
        _readable_centre(request, code)  # 404
    return {"cursor": events[-1]["id"] if events else after, "events": events}


@router.get("/centres/{code}/alerts", auth=API_AUTH)
def alert_list(request, code: str, open_only: bool = True):
    centre = get_centre_for(staff_user(request), code)
    qs = QueueAlert.objects.filter(centre=centre).select_related("queue")
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return [
        {
            "id": al.pk,
            "queue": al.queue.code,
            "queue_name": al.queue.name,
            "raised_at": iso(al.raised_at),
            "waiting": al.waiting,
            "estimated_wait_minutes": al.estimated_wait_minutes,
            "windows_needed": al.windows_needed,
            "advice": al.advice,
            "resolved_at": iso(al.resolved_at),
            "action_taken": al.action_taken,
        }
        for al in qs[:50]
    ]


class AlertHandleIn(Schema):
    action: str


@router.post("/alerts/{alert_id}/handle", auth=API_AUTH)
def alert_handle(request, alert_id: int, payload: AlertHandleIn):
    user = staff_user(request)
    alert = QueueAlert.objects.filter(pk=alert_id, centre__in=centres_for(user)).first()
    if alert is None:
        raise NotFound("queue.alert_not_found", _("没有找到该预警。"))
    alert = actions.alert_handle(alert=alert, actor=user, action=payload.action)
    return {
        "id": alert.pk,
        "resolved_at": iso(alert.resolved_at),
        "action_taken": alert.action_taken,
    }


# --- tickets ----------------------------------------------------------------------------


@router.get("/tickets/{ticket_id}", auth=API_AUTH)
def ticket_detail(request, ticket_id: int):
    return ticket_out(_scoped_ticket(request, ticket_id))


@router.get("/track/{track_code}", auth=None)
def ticket_track(request, track_code: str):
    """Public: the live status behind a ticket's QR code (no personal data)."""
    ticket = Ticket.objects.filter(track_code=track_code).first()
    if ticket is None:
        raise NotFound("queue.ticket_not_found", _("没有找到该号。"))
    ticket = ticket.latest()
    out = ticket_out(ticket)
    out.pop("first_ask")
    out.pop("rating_code")
    return out


@router.post("/tickets/{ticket_id}/cancel", auth=API_AUTH)
def ticket_cancel(request, ticket_id: int):
    user = staff_user(request)
    ticket = _scoped_ticket(request, ticket_id)
    return ticket_out(actions.ticket_cancel(ticket=ticket, actor=user))


@router.post("/tickets/{ticket_id}/rejoin", auth=API_AUTH)
def ticket_rejoin(request, ticket_id: int):
    user = staff_user(request)
    ticket = _scoped_ticket(request, ticket_id)
    return ticket_out(actions.ticket_rejoin(ticket=ticket, actor=user))


# --- windows ----------------------------------------------------------------------------


def _window_action(fn):
    def endpoint(request, window_id: int):
        window = _staff_window(request, window_id)
        return window_out(fn(window=window, actor=request.user))

    return endpoint


for _name, _fn in (
    ("open", actions.window_open),
    ("close", actions.window_close),
    ("pause", actions.window_pause),
    ("resume", actions.window_resume),
):
    router.post(f"/windows/{{window_id}}/{_name}", auth=API_AUTH, operation_id=f"window_{_name}")(
        _window_action(_fn)
    )


@router.post("/windows/{window_id}/call-next", auth=API_AUTH)
def call_next(request, window_id: int):
    window = _window_ref(request, window_id)

    def run():
        ticket = actions.ticket_call_next(window=window, actor=request.user)
        return {"ticket": ticket_out(ticket, estimate=False)} if ticket else None

    return idempotent(request, 200, run)


def _ticket_action(fn):
    def endpoint(request, window_id: int):
        window = _window_ref(request, window_id)
        return idempotent(request, 200, lambda: ticket_out(fn(window=window, actor=request.user)))

    return endpoint


for _name, _tfn in (
    ("recall", actions.ticket_recall),
    ("start", actions.ticket_start),
    ("finish", actions.ticket_finish),
    ("no-show", actions.ticket_no_show),
):
    router.post(
        f"/windows/{{window_id}}/{_name}",
        auth=API_AUTH,
        operation_id=f"ticket_{_name.replace('-', '_')}",
    )(_ticket_action(_tfn))


@router.get("/windows/{window_id}/current", auth=API_AUTH)
def window_current(request, window_id: int):
    window = _staff_window(request, window_id)
    ticket = (
        Ticket.objects.current_at(window).select_related("queue", "window", "first_ask").first()
    )
    return {"window": window_out(window), "ticket": ticket_out(ticket) if ticket else None}


class TransferIn(Schema):
    queue: str | None = None
    window: int | None = None


@router.post("/windows/{window_id}/transfer", auth=API_AUTH)
def transfer(request, window_id: int, payload: TransferIn):
    window = _staff_window(request, window_id)
    to_window_id = None
    if payload.window is not None:
        target = Window.objects.filter(centre=window.centre, number=payload.window).first()
        if target is None:
            raise Unprocessable("queue.bad_transfer_target", _("没有该窗口。"))
        to_window_id = target.pk
    return idempotent(
        request,
        200,
        lambda: ticket_out(
            actions.ticket_transfer(
                window=window,
                actor=request.user,
                queue_code=payload.queue,
                to_window_id=to_window_id,
            )
        ),
    )


class CallSpecificIn(Schema):
    ticket_id: int
    reason: str


@router.post("/windows/{window_id}/call-specific", auth=API_AUTH)
def call_specific(request, window_id: int, payload: CallSpecificIn):
    window = _staff_window(request, window_id)
    return ticket_out(
        actions.ticket_call_specific(
            window=window, ticket_id=payload.ticket_id, actor=request.user, reason=payload.reason
        ),
        estimate=False,
    )


# --- appointments ---------------------------------------------------------------------


@router.get("/centres/{code}/slots", auth=None)
def slot_list(request, code: str, queue: str | None = None, day: dt.date | None = None):
    centre = Centre.objects.filter(code=code, is_active=True).first()
    if centre is None:
        raise NotFound("org.centre_not_found", _("没有找到该服务中心：%(c)s") % {"c": code})
    qs = AppointmentSlot.objects.filter(
        queue__centre=centre, day__gte=timezone.localdate()
    ).select_related("queue")
    if queue:
        qs = qs.filter(queue__code=queue)
    if day:
        qs = qs.filter(day=day)
    return [
        {
            "id": s.pk,
            "queue": s.queue.code,
            "queue_name": s.queue.name,
            "day": s.day.isoformat(),
            "start": s.start.strftime("%H:%M"),
            "end": s.end.strftime("%H:%M"),
            "remaining": s.remaining,
        }
        for s in qs[:200]
    ]


class BookIn(Schema):
    slot: int
    phone: str


@router.post("/appointments", auth=None)
def appointment_book(request, payload: BookIn):
    slot = AppointmentSlot.objects.filter(pk=payload.slot).first()
    if slot is None:
        raise NotFound("queue.slot_not_found", _("没有找到该预约时段。"))
    appt = actions.appointment_book(slot=slot, phone=payload.phone)
    return respond(
        201,
        {
            "code": appt.code,
            "status": appt.status,
            "queue": slot.queue.code,
            "day": slot.day.isoformat(),
            "start": slot.start.strftime("%H:%M"),
            "end": slot.end.strftime("%H:%M"),
        },
    )
