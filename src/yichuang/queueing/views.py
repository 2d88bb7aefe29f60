"""Pages of the hall: kiosk, hall display, clerk console, mobile ticket status.

Device pages (kiosk, display) authenticate with a device token given once as
``?device=dev_…``; it is then kept in a signed HTTP-only cookie (docs/queueing.md
§Device pages). A signed-in staff member of the centre may open them too (for
demonstrations and for the greeter's desk).
"""

from __future__ import annotations

import functools

import segno
from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yichuang.lib.audit import client_ip
from yichuang.lib.crypto import mask_phone
from yichuang.lib.errors import Conflict, DomainError, Forbidden, NotFound, TooManyRequests
from yichuang.lib.throttle import Rule, rule_full, rule_hit
from yichuang.org.auth import DEVICE_COOKIE, DEVICE_SALT, device_by_token
from yichuang.org.models import Centre, Device, Window
from yichuang.org.permissions import hall_staff_required
from yichuang.org.scopes import centres_for

from . import actions
from .estimates import queue_states, ticket_estimate
from .idempotency import (
    idempotency_claim,
    idempotency_prior,
    idempotency_record,
    principal_of,
    request_key,
)
from .models import Priority, Queue, Ticket, WindowSkill, queue_item_names
from .selectors import desk_for, signed_in_window

PRIORITY_CHOICES = [(p.value, p.label) for p in Priority if p != Priority.NORMAL]


def _device(request: HttpRequest) -> Device | None:
    """The hall device that opened a device page (set by ``device_page``)."""
    return getattr(request, "device", None)


def device_page(*kinds: str):
    """The page needs a device of one of ``kinds`` at the centre in the URL, or a
    signed-in staff member who may see that centre."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request: HttpRequest, code: str, *args, **kwargs):
            raw = request.GET.get("device")
            if raw:
                if device_by_token(raw) is None:
                    raise Forbidden("org.bad_device_token", _("设备令牌无效或已停用。"))
                resp = redirect(request.path)
                resp.set_signed_cookie(
                    DEVICE_COOKIE,
                    raw,
                    salt=DEVICE_SALT,
                    max_age=365 * 86400,
                    httponly=True,
                    samesite="Lax",
                    secure=settings.PRODUCTION,
                )
                return resp
            device = device_by_token(
                request.get_signed_cookie(DEVICE_COOKIE, default=None, salt=DEVICE_SALT)
            )
            if device is not None:
                if device.kind not in kinds:
                    raise Forbidden("org.device_not_allowed", _("该设备不能打开此页面。"))
                if device.centre.code != code:
                    raise Forbidden("org.device_wrong_centre", _("该设备不属于此服务中心。"))
                centre = device.centre
            elif request.user.is_authenticated:
                found = centres_for(request.user).filter(code=code).first()
                if found is None:
                    raise NotFound("org.centre_not_found", _("没有找到该服务中心。"))
                centre = found
            else:
                raise Forbidden(
                    "org.device_required", _("此页面需要大厅设备令牌，请联系管理员。"), status=401
                )
            request.device = device  # type: ignore[attr-defined]
            return view(request, centre, *args, **kwargs)

        return wrapper

    return decorate


def qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_inline(scale=3, border=1)


# --- kiosk ------------------------------------------------------------------------------


@device_page("kiosk")
def kiosk(request: HttpRequest, centre: Centre) -> HttpResponse:
    states = queue_states(centre)
    items = queue_item_names([s.queue for s in states])
    return render(
        request,
        "queueing/kiosk.html",
        {
            "centre": centre,
            "states": states,
            "rows": [(s, items.get(s.queue.pk, [])) for s in states],
            "priorities": PRIORITY_CHOICES,
            "elderly": request.GET.get("mode") == "elderly",
        },
    )


def _ticket_context(request, ticket: Ticket) -> dict:
    ahead, minutes = ticket_estimate(ticket)
    track_url = request.build_absolute_uri(
        reverse("queueing:mobile_ticket", args=[ticket.track_code])
    )
    return {
        "ticket": ticket,
        "ahead": ahead,
        "minutes": minutes,
        "qr": qr_svg(track_url),
        "track_url": track_url,
        "issued": timezone.localtime(ticket.issued_at),
    }


def _run_once(request: HttpRequest, issue) -> tuple[Ticket, int]:
    """``issue()`` run once per Idempotency-Key, and the status of the answer:
    201 for a ticket issued now, 200 for the one a replayed key issued before."""
    key = request_key(request)
    if not key:
        return issue(), 201
    principal = principal_of(request, _device(request))
    with transaction.atomic():
        row = idempotency_claim(principal=principal, key=key, path=request.path)
        if row is None:
            prior = idempotency_prior(principal=principal, key=key)
            ticket_id = (prior.response or {}).get("ticket") if prior else None
            first = Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
            if first is None:
                raise Conflict("queueing.replayed", _("该请求已处理过（重复提交），未再次执行。"))
            return first, 200
        ticket = issue()
        idempotency_record(row, status=201, response={"ticket": ticket.pk})
    return ticket, 201


def _kiosk_once(request: HttpRequest, issue) -> HttpResponse:
    """The slip of ``issue()``. The kiosk keeps a press's key until an answer
    arrives, so a press repeated after a lost answer prints the ticket already
    issued instead of issuing a second one."""
    try:
        ticket, status = _run_once(request, issue)
    except DomainError as e:
        return render(request, "queueing/_kiosk_error.html", {"error": e}, status=e.status)
    return render(request, "queueing/_ticket.html", _ticket_context(request, ticket), status=status)


@require_POST
@device_page("kiosk")
def kiosk_issue(request: HttpRequest, centre: Centre) -> HttpResponse:
    actor = request.user if _device(request) is None else None
    return _kiosk_once(
        request,
        lambda: actions.ticket_issue(
            centre=centre,
            queue_code=request.POST.get("queue", ""),
            channel="kiosk",
            priority=request.POST.get("priority") or "normal",
            id_number=request.POST.get("id_number", "").strip(),
            actor=actor,
            device=_device(request),
        ),
    )


@require_POST
@device_page("kiosk")
def kiosk_check_in(request: HttpRequest, centre: Centre) -> HttpResponse:
    actor = request.user if _device(request) is None else None
    return _kiosk_once(
        request,
        lambda: actions.appointment_check_in(
            centre=centre, code=request.POST.get("code", ""), device=_device(request), actor=actor
        ),
    )


# --- display ----------------------------------------------------------------------------


@device_page("display", "window_display")
def display(request: HttpRequest, centre: Centre) -> HttpResponse:
    return render(request, "queueing/display.html", {"centre": centre})


# --- mobile -----------------------------------------------------------------------------


def mobile_ticket(request: HttpRequest, track_code: str) -> HttpResponse:
    ticket = Ticket.objects.filter(track_code=track_code).first()
    if ticket is None:
        raise NotFound("queueing.ticket_not_found", _("没有找到该号。"))
    ticket = ticket.latest()
    ahead, minutes = ticket_estimate(ticket)
    return render(
        request,
        "queueing/mobile_ticket.html",
        {
            "ticket": ticket,
            "ahead": ahead,
            "minutes": minutes,
            "issued": timezone.localtime(ticket.issued_at),
        },
    )


def _book_step(request: HttpRequest, centre: Centre) -> dict:
    """One POST of /m/book/<centre>: ``step=code`` sends the SMS code for the
    chosen slot and phone, ``step=confirm`` books with the code. What the page
    shows next: the code form (``confirm``), the booking, or an error."""
    from .actions.appointments import appointment_code_check, appointment_code_send
    from .models import AppointmentSlot

    post = request.POST
    phone = "".join(post.get("phone", "").split())
    slot = (
        AppointmentSlot.objects.filter(pk=post.get("slot") or 0, queue__centre=centre)
        .select_related("queue")
        .first()
        if (post.get("slot") or "").isdigit()
        else None
    )
    confirming = post.get("step") == "confirm"
    out: dict = {"slot": slot, "phone": phone, "confirm": confirming}
    try:
        if slot is None:
            raise NotFound("queueing.slot_not_found", _("请选择预约时段。"))
        if confirming:
            appointment_code_check(
                slot=slot, phone=phone, code=post.get("code", ""), source_ip=client_ip(request)
            )
            out["booked"] = actions.appointment_book(
                slot=slot, phone=phone, open_limit=settings.APPOINTMENTS_OPEN_PER_PHONE
            )
        else:
            appointment_code_send(slot=slot, phone=phone, source_ip=client_ip(request))
            out["confirm"] = True
    except DomainError as e:
        out["error"] = e
        out["confirm"] = confirming and e.code in CODE_ERRORS
    return out


# Errors after which the code form stays on screen (the citizen types the code again).
CODE_ERRORS = {"queueing.code_invalid", "queueing.code_required", "queueing.code_locked"}


def mobile_book(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """``/m/book/``: pick a centre, then a queue's slot and give a phone number;
    an SMS code confirms the phone, and the booking's code is shown on screen
    and sent by SMS (actions.appointment_code_send, appointment_book)."""
    from .models import AppointmentSlot

    if code is None:
        centres = Centre.objects.filter(is_active=True, queues__slots__isnull=False).distinct()
        return render(request, "queueing/mobile_book.html", {"centres": centres})
    centre = Centre.objects.filter(code=code, is_active=True).first()
    if centre is None:
        raise NotFound("org.centre_not_found", _("没有找到该服务中心。"))
    step: dict = _book_step(request, centre) if request.method == "POST" else {}
    error = step.get("error")
    now = timezone.localtime()
    slots = (
        AppointmentSlot.objects.filter(
            queue__centre=centre, queue__is_active=True, day__gte=now.date()
        )
        .select_related("queue")
        .order_by("queue__sort_order", "day", "start")
    )
    by_queue: dict[Queue, list] = {}
    for slot in slots[:400]:
        if slot.day == now.date() and slot.end <= now.time():
            continue
        by_queue.setdefault(slot.queue, []).append(slot)
    return render(
        request,
        "queueing/mobile_book.html",
        {
            "centre": centre,
            "by_queue": by_queue,
            **step,
            "masked_phone": mask_phone(step["phone"]) if step.get("confirm") else "",
            "selected": request.POST.get("slot", ""),
        },
        status=error.status if error else 200,
    )


# Failed look-ups of /m/appointment per client address and hour: a code is 8
# digits, so guessing one for a known phone needs millions of tries.
LOOKUP_FAILURES = Rule("appt-lookup-ip", 20, 3600)


def mobile_appointment(request: HttpRequest) -> HttpResponse:
    """``/m/appointment``: look up or cancel a booking by its code and phone
    (failed look-ups limited per address: 429 ``queueing.too_many_lookups``)."""
    from .models import Appointment

    appt = error = None
    if request.method == "POST":
        code = request.POST.get("code", "").strip()
        phone = "".join(request.POST.get("phone", "").split())
        address = client_ip(request) or "-"
        try:
            if rule_full(LOOKUP_FAILURES, address):
                raise TooManyRequests(
                    "queueing.too_many_lookups", _("查询失败次数过多，请一小时后再试。")
                )
            if request.POST.get("cancel"):
                appt = actions.appointment_cancel(code=code, phone=phone)
            else:
                from yichuang.lib.crypto import keyed_hash

                appt = (
                    Appointment.objects.select_related("slot__queue__centre")
                    .filter(code=code, phone_hash=keyed_hash(phone, "phone"))
                    .first()
                )
                if appt is None:
                    raise NotFound("queueing.appointment_not_found", _("没有找到该预约。"))
        except DomainError as e:
            error = e
            if e.code == "queueing.appointment_not_found":
                rule_hit(LOOKUP_FAILURES, address)
    return render(
        request,
        "queueing/mobile_appointment.html",
        {"appt": appt, "error": error},
        status=error.status if error else 200,
    )


# --- window display ---------------------------------------------------------------------


@device_page("window_display", "display")
def window_display(request: HttpRequest, centre: Centre, number: int) -> HttpResponse:
    """The small screen above one window: its name, the ticket it calls now and
    the queues it serves; follows the hall's event feed for this window."""
    window = Window.objects.filter(centre=centre, number=number, is_active=True).first()
    if window is None:
        raise NotFound("org.window_not_found", _("没有找到该窗口。"))
    device = _device(request)
    if device is not None and device.window_id not in (None, window.pk):
        raise Forbidden("org.device_wrong_window", _("该设备属于其他窗口。"))
    current = Ticket.objects.current_at(window).order_by("-called_at").first()
    queues = [
        s.queue.name for s in WindowSkill.objects.filter(window=window).select_related("queue")
    ]
    return render(
        request,
        "queueing/window_display.html",
        {"centre": centre, "window": window, "current": current, "queues": queues},
    )


# --- console ----------------------------------------------------------------------------


def _desk(request: HttpRequest, error: DomainError | None = None) -> dict:
    return {**desk_for(request.user), "error": error}


@hall_staff_required
def console(request: HttpRequest) -> HttpResponse:
    return render(request, "queueing/console.html", _desk(request))


CONSOLE_ACTIONS = {
    "call-next": actions.ticket_call_next,
    "recall": actions.ticket_recall,
    "start": actions.ticket_start,
    "finish": actions.ticket_finish,
    "no-show": actions.ticket_no_show,
    "pause": actions.window_pause,
    "resume": actions.window_resume,
    "close": actions.window_close,
}


@require_POST
@hall_staff_required
def console_act(request: HttpRequest, action: str) -> HttpResponse:
    from yichuang.org.scopes import get_window_for

    error = None
    try:
        if action == "open":
            window = get_window_for(request.user, int(request.POST.get("window", 0)))
            actions.window_open(window=window, actor=request.user)
        else:
            signed_in = signed_in_window(request.user)
            if signed_in is None:
                raise NotFound("queueing.no_window", _("您还没有开窗。"))
            window = signed_in
            if action == "transfer":
                actions.ticket_transfer(
                    window=window, actor=request.user, queue_code=request.POST.get("queue") or None
                )
            elif action in CONSOLE_ACTIONS:
                result = CONSOLE_ACTIONS[action](window=window, actor=request.user)
                if action == "call-next" and result is None:
                    error = DomainError("queueing.nobody_waiting", _("当前没有等候的群众。"))
            else:
                raise NotFound("queueing.unknown_action", _("未知操作。"))
    except (DomainError, ValueError) as e:
        error = e if isinstance(e, DomainError) else DomainError("queueing.invalid_request", str(e))
    return render(request, "queueing/_desk.html", _desk(request, error))
