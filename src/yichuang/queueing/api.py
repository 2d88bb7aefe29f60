"""HTTP API of the hall queue. Thin: each endpoint checks who is asking, calls
one action and shapes the answer; what it answers, status by status, is declared
on each operation with the schemas of ``schemas``.

Who may do what:

* a kiosk device token issues tickets and checks in appointments at its own
  centre, nothing else; display and pad tokens read the hall and its event feed
  at their centre and can't call or issue;
* staff act within their scope (``org.scopes``, ``permissions``): an outsider
  gets 404; a department's staff see and work only the department's windows,
  lines and tickets; an inspector, who only reads, gets 403
  ``queueing.read_only`` on every write;
* the hall state, the queues and the event feed are what the hall screens show
  to everyone, so they are readable without a token (a device token of another
  centre is still refused).

A request with an ``Idempotency-Key`` header is performed once; a replay is
answered 409 ``queueing.replayed`` carrying the first answer, and changes nothing.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router

from yichuang.lib.audit import client_ip
from yichuang.lib.crypto import mask_phone
from yichuang.lib.errors import Conflict, ErrorOut, Forbidden, NotFound, Unprocessable
from yichuang.lib.pagination import MAX_LIMIT
from yichuang.org.auth import API_AUTH, caller_staff, device_of, staff_user
from yichuang.org.models import Centre, Device, Window
from yichuang.org.scopes import centres_for, get_centre_for, get_window_for, windows_for

from . import actions
from .actions.appointments import appointment_code_check, appointment_code_send
from .estimates import queue_states, ticket_estimate
from .idempotency import (
    idempotency_claim,
    idempotency_prior,
    idempotency_record,
    principal_of,
    request_key,
)
from .models import (
    AppointmentSlot,
    QueueAlert,
    Ticket,
    TicketEvent,
    queue_item_names,
)
from .permissions import queues_for, ticket_not_found, tickets_for
from .schemas import (
    AlertHandledOut,
    AlertHandleIn,
    AlertOut,
    AppointmentCodeOut,
    AppointmentOut,
    BookIn,
    CallNextOut,
    CallSpecificIn,
    CentreWindowOut,
    CheckInIn,
    FeedOut,
    HallOut,
    QueueOut,
    SlotOut,
    TicketIn,
    TicketOut,
    TrackOut,
    TransferIn,
    WindowCurrentOut,
    WindowOut,
    alert_handled_out,
    alert_out,
    appointment_out,
    centre_window_out,
    event_out,
    hall_window_out,
    queue_state_out,
    recent_call_out,
    slot_out,
    ticket_out,
    window_out,
)
from .selectors import day_start, hall_windows, queue_codes_by_window

router = Router(tags=["queue"])


def _anonymous(request):
    return True


OPTIONAL_AUTH = [*API_AUTH, _anonymous]

# The errors an operation may answer, all in the one error shape: the public
# hall reads refuse a device of another centre (403) and an unknown centre
# (404); staff operations also refuse a missing or bad token (401).
HALL_ERRORS = {403: ErrorOut, 404: ErrorOut}
STAFF_ERRORS = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def estimated_ticket_out(ticket: Ticket) -> dict:
    """``ticket_out`` with the people ahead and the minutes to wait (read
    unless ``ticket_issue`` computed them)."""
    ahead, minutes = getattr(ticket, "estimate", None) or ticket_estimate(ticket)
    return ticket_out(ticket, ahead=ahead, minutes=minutes)


# --- access -----------------------------------------------------------------------------


def _device_centre_check(device: Device, code: str) -> None:
    if device.centre.code != code:
        raise Forbidden("org.device_wrong_centre", _("该设备不属于此服务中心。"))


def _kiosk_or_staff(request, code: str) -> tuple[Centre, Device | None]:
    """The centre a kiosk of its own centre or a staff member in scope issues
    at; any other device token is refused."""
    device = device_of(request)
    if device is None:
        return get_centre_for(request.user, code), None
    if device.kind != Device.Kind.KIOSK:
        raise Forbidden("org.device_not_allowed", _("设备令牌不能执行此操作。"))
    _device_centre_check(device, code)
    return device.centre, device


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
    qs: QuerySet[Ticket]
    if device is not None:
        qs = Ticket.objects.filter(centre=device.centre)
    else:
        qs = tickets_for(request.user)
    ticket = qs.select_related("queue", "window", "first_ask").filter(pk=ticket_id).first()
    if ticket is None:
        raise ticket_not_found()
    return ticket


def respond(status: int, body) -> HttpResponse:
    if body is None:
        return HttpResponse(status=204)
    return JsonResponse(body, status=status, safe=False, json_dumps_params={"ensure_ascii": False})


def idempotent(request, status: int, fn) -> HttpResponse:
    """Run ``fn`` once per Idempotency-Key; a replay gets 409 with the first answer.

    The answer is sent as built, past ninja's validation of the declared schema
    (tests/queueing/test_api_schema.py holds it to that schema)."""
    key = request_key(request)
    if not key:
        return respond(status, fn())
    principal = principal_of(request, device_of(request))
    with transaction.atomic():
        row = idempotency_claim(principal=principal, key=key, path=request.path)
        if row is None:
            prior = idempotency_prior(principal=principal, key=key)
            raise Conflict(
                "queueing.replayed",
                _("该请求已处理过（重复提交），未再次执行。"),
                original_status=prior.status if prior else None,
                original=prior.response if prior else None,
            )
        body = fn()
        # what respond() answers
        idempotency_record(row, status=status if body is not None else 204, response=body or {})
    return respond(status, body)


# --- centres ----------------------------------------------------------------------------


@router.get(
    "/centres/{code}/windows",
    response={200: list[CentreWindowOut], **STAFF_ERRORS},
    auth=API_AUTH,
)
def centre_window_list(request, code: str):
    device = device_of(request)
    if device is not None:
        _device_centre_check(device, code)
        centre = device.centre
    else:
        centre = get_centre_for(request.user, code)
    in_scope = Window.objects.all() if device is not None else windows_for(request.user)
    windows = list(
        in_scope.filter(centre=centre, is_active=True).select_related("department", "clerk")
    )
    queues = queue_codes_by_window(windows)
    return [centre_window_out(w, queues.get(w.pk, [])) for w in windows]


@router.get(
    "/centres/{code}/queues", response={200: list[QueueOut], **HALL_ERRORS}, auth=OPTIONAL_AUTH
)
def queue_list(request, code: str):
    centre = _readable_centre(request, code)
    states = queue_states(centre)
    items = queue_item_names([s.queue for s in states])
    return [{**queue_state_out(s), "items": items.get(s.queue.pk, [])} for s in states]


@router.post(
    "/centres/{code}/tickets",
    response={201: TicketOut, **STAFF_ERRORS, 409: ErrorOut, 422: ErrorOut},
    auth=API_AUTH,
)
def ticket_create(request, code: str, payload: TicketIn):
    centre, device = _kiosk_or_staff(request, code)
    if device is not None:
        actor, channel = None, "kiosk"
    else:
        actor = request.user
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
        return estimated_ticket_out(ticket)

    return idempotent(request, 201, run)


@router.post(
    "/centres/{code}/check-in",
    response={201: TicketOut, **STAFF_ERRORS, 409: ErrorOut, 422: ErrorOut},
    auth=API_AUTH,
)
def appointment_check_in(request, code: str, payload: CheckInIn):
    centre, device = _kiosk_or_staff(request, code)
    actor = request.user if device is None else None

    def run():
        ticket = actions.appointment_check_in(
            centre=centre, code=payload.code, device=device, actor=actor
        )
        return estimated_ticket_out(ticket)

    return idempotent(request, 201, run)


@router.get("/centres/{code}/hall", response={200: HallOut, **HALL_ERRORS}, auth=OPTIONAL_AUTH)
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
        "windows": [hall_window_out(w, queues.get(w.pk, []), current.get(w.pk)) for w in windows],
        "recent_calls": [recent_call_out(e) for e in recent],
    }


@router.get(
    "/centres/{code}/events",
    response={200: FeedOut, **HALL_ERRORS, 422: ErrorOut},
    auth=OPTIONAL_AUTH,
)
def event_feed(
    request,
    code: str,
    after: int | None = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    """The display feed: today's events after the cursor, oldest first.
    Without a cursor the answer is the current cursor and no events (a new
    screen announces nothing old). The feed is public, so it carries no free
    text (a director's reason for calling a ticket by hand stays in the audit
    log) and no earlier day, whatever the cursor.

    Hundreds of screens poll this, so a poll with news is one query. A
    device token must be of the centre."""
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
        event_out(e)
        for e in TicketEvent.objects.filter(centre__in=centres, id__gt=after, at__gte=day_start())
        .only("id", "type", "ticket_number", "window_number", "at")
        .order_by("id")[:limit]
    ]
    if not events and not centres.exists():
        _readable_centre(request, code)  # 404
    return {"cursor": events[-1]["id"] if events else after, "events": events}


@router.get(
    "/centres/{code}/alerts",
    response={200: list[AlertOut], **STAFF_ERRORS, 422: ErrorOut},
    auth=API_AUTH,
)
def alert_list(request, code: str, open_only: bool = True):
    user = staff_user(request)
    centre = get_centre_for(user, code)
    # a department's staff: the alerts of the department's lines only
    qs = QueueAlert.objects.filter(centre=centre, queue__in=queues_for(user))
    qs = qs.select_related("queue")
    if open_only:
        qs = qs.filter(resolved_at__isnull=True)
    return [alert_out(al) for al in qs[:50]]


@router.post(
    "/alerts/{alert_id}/handle",
    response={200: AlertHandledOut, **STAFF_ERRORS, 422: ErrorOut},
    auth=API_AUTH,
)
def alert_handle(request, alert_id: int, payload: AlertHandleIn):
    user = staff_user(request)
    alert = QueueAlert.objects.filter(pk=alert_id, centre__in=centres_for(user)).first()
    if alert is None:
        raise NotFound("queueing.alert_not_found", _("没有找到该预警。"))
    return alert_handled_out(actions.alert_handle(alert=alert, actor=user, action=payload.action))


# --- tickets ----------------------------------------------------------------------------


@router.get(
    "/tickets/{ticket_id}", response={200: TicketOut, 401: ErrorOut, 404: ErrorOut}, auth=API_AUTH
)
def ticket_detail(request, ticket_id: int):
    return estimated_ticket_out(_scoped_ticket(request, ticket_id))


@router.get("/track/{track_code}", response={200: TrackOut, 404: ErrorOut}, auth=None)
def ticket_track(request, track_code: str):
    """Public: the live status behind a ticket's QR code (no personal data)."""
    ticket = Ticket.objects.filter(track_code=track_code).first()
    if ticket is None:
        raise NotFound("queueing.ticket_not_found", _("没有找到该号。"))
    ticket = ticket.latest()
    out = estimated_ticket_out(ticket)
    out.pop("first_ask")
    out.pop("rating_code")
    return out


@router.post(
    "/tickets/{ticket_id}/cancel",
    response={200: TicketOut, **STAFF_ERRORS, 409: ErrorOut},
    auth=API_AUTH,
)
def ticket_cancel(request, ticket_id: int):
    user = staff_user(request)
    ticket = _scoped_ticket(request, ticket_id)
    return estimated_ticket_out(actions.ticket_cancel(ticket=ticket, actor=user))


@router.post(
    "/tickets/{ticket_id}/rejoin",
    response={200: TicketOut, **STAFF_ERRORS, 409: ErrorOut, 422: ErrorOut},
    auth=API_AUTH,
)
def ticket_rejoin(request, ticket_id: int):
    user = staff_user(request)
    ticket = _scoped_ticket(request, ticket_id)
    return estimated_ticket_out(actions.ticket_rejoin(ticket=ticket, actor=user))


# --- windows: the clerk's own window ----------------------------------------------------

WINDOW_STEP = {200: WindowOut, **STAFF_ERRORS, 409: ErrorOut}


def _window_step(request, window_id: int, step) -> dict:
    """A clerk opens, closes, pauses or resumes a window in their scope."""
    window = _staff_window(request, window_id)
    return window_out(step(window=window, actor=request.user))


@router.post(
    "/windows/{window_id}/open", response=WINDOW_STEP, auth=API_AUTH, operation_id="window_open"
)
def window_open(request, window_id: int):
    return _window_step(request, window_id, actions.window_open)


@router.post(
    "/windows/{window_id}/close", response=WINDOW_STEP, auth=API_AUTH, operation_id="window_close"
)
def window_close(request, window_id: int):
    return _window_step(request, window_id, actions.window_close)


@router.post(
    "/windows/{window_id}/pause", response=WINDOW_STEP, auth=API_AUTH, operation_id="window_pause"
)
def window_pause(request, window_id: int):
    return _window_step(request, window_id, actions.window_pause)


@router.post(
    "/windows/{window_id}/resume", response=WINDOW_STEP, auth=API_AUTH, operation_id="window_resume"
)
def window_resume(request, window_id: int):
    return _window_step(request, window_id, actions.window_resume)


@router.post(
    "/windows/{window_id}/call-next",
    response={200: CallNextOut, 204: None, **STAFF_ERRORS, 409: ErrorOut},
    auth=API_AUTH,
)
def call_next(request, window_id: int):
    """The next ticket by the calling rules; 204 when nobody waits."""
    window = _window_ref(request, window_id)

    def run():
        ticket = actions.ticket_call_next(window=window, actor=request.user)
        return {"ticket": ticket_out(ticket)} if ticket else None

    return idempotent(request, 200, run)


TICKET_STEP = {200: TicketOut, **STAFF_ERRORS, 409: ErrorOut}


def _ticket_step(request, window_id: int, step) -> HttpResponse:
    """A clerk's step on the ticket at their window."""
    window = _window_ref(request, window_id)
    return idempotent(
        request, 200, lambda: estimated_ticket_out(step(window=window, actor=request.user))
    )


@router.post(
    "/windows/{window_id}/recall", response=TICKET_STEP, auth=API_AUTH, operation_id="ticket_recall"
)
def ticket_recall(request, window_id: int):
    return _ticket_step(request, window_id, actions.ticket_recall)


@router.post(
    "/windows/{window_id}/start", response=TICKET_STEP, auth=API_AUTH, operation_id="ticket_start"
)
def ticket_start(request, window_id: int):
    return _ticket_step(request, window_id, actions.ticket_start)


@router.post(
    "/windows/{window_id}/finish", response=TICKET_STEP, auth=API_AUTH, operation_id="ticket_finish"
)
def ticket_finish(request, window_id: int):
    """Answers the ticket with its ``rating_code``."""
    return _ticket_step(request, window_id, actions.ticket_finish)


@router.post(
    "/windows/{window_id}/no-show",
    response=TICKET_STEP,
    auth=API_AUTH,
    operation_id="ticket_no_show",
)
def ticket_no_show(request, window_id: int):
    return _ticket_step(request, window_id, actions.ticket_no_show)


@router.get(
    "/windows/{window_id}/current",
    response={200: WindowCurrentOut, **STAFF_ERRORS},
    auth=API_AUTH,
)
def window_current(request, window_id: int):
    window = _staff_window(request, window_id)
    ticket = (
        Ticket.objects.current_at(window).select_related("queue", "window", "first_ask").first()
    )
    return {
        "window": window_out(window),
        "ticket": estimated_ticket_out(ticket) if ticket else None,
    }


@router.post(
    "/windows/{window_id}/transfer",
    response={200: TicketOut, **STAFF_ERRORS, 409: ErrorOut, 422: ErrorOut},
    auth=API_AUTH,
)
def transfer(request, window_id: int, payload: TransferIn):
    window = _staff_window(request, window_id)
    to_window_id = None
    if payload.window is not None:
        target = Window.objects.filter(centre=window.centre, number=payload.window).first()
        if target is None:
            raise Unprocessable("queueing.bad_transfer_target", _("没有该窗口。"))
        to_window_id = target.pk
    return idempotent(
        request,
        200,
        lambda: estimated_ticket_out(
            actions.ticket_transfer(
                window=window,
                actor=request.user,
                queue_code=payload.queue,
                to_window_id=to_window_id,
            )
        ),
    )


@router.post(
    "/windows/{window_id}/call-specific",
    response={200: TicketOut, **STAFF_ERRORS, 409: ErrorOut, 422: ErrorOut},
    auth=API_AUTH,
)
def call_specific(request, window_id: int, payload: CallSpecificIn):
    window = _staff_window(request, window_id)
    ticket = actions.ticket_call_specific(
        window=window, ticket_id=payload.ticket_id, actor=request.user, reason=payload.reason
    )
    return ticket_out(ticket)


# --- appointments ---------------------------------------------------------------------


@router.get(
    "/centres/{code}/slots",
    response={200: list[SlotOut], 404: ErrorOut, 422: ErrorOut},
    auth=None,
)
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
    return [slot_out(s) for s in qs[:200]]


def _slot(pk: int) -> AppointmentSlot:
    slot = AppointmentSlot.objects.filter(pk=pk).first()
    if slot is None:
        raise NotFound("queueing.slot_not_found", _("没有找到该预约时段。"))
    return slot


@router.post(
    "/appointments/code",
    response={202: AppointmentCodeOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
)
def appointment_code(request, payload: BookIn):
    """Send the SMS code that confirms an anonymous booking of the slot
    (limited per address and phone: 429 ``queueing.too_many_codes``)."""
    phone = appointment_code_send(
        slot=_slot(payload.slot), phone=payload.phone, source_ip=client_ip(request)
    )
    body = {"phone": mask_phone(phone), "expires_in_minutes": settings.APPOINTMENT_CODE_MINUTES}
    return respond(202, body)


@router.post(
    "/appointments",
    response={
        201: AppointmentOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
        429: ErrorOut,
    },
    auth=None,
)
def appointment_book(request, payload: BookIn):
    """Book a slot. A staff token books for a citizen; anyone else gives the
    SMS code of ``POST /appointments/code`` and holds at most
    ``APPOINTMENTS_OPEN_PER_PHONE`` open appointments per phone."""
    slot = _slot(payload.slot)
    open_limit = None
    if caller_staff(request) is None:
        appointment_code_check(
            slot=slot, phone=payload.phone, code=payload.code or "", source_ip=client_ip(request)
        )
        open_limit = settings.APPOINTMENTS_OPEN_PER_PHONE
    appointment = actions.appointment_book(slot=slot, phone=payload.phone, open_limit=open_limit)
    return respond(201, appointment_out(appointment, slot))
