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
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from yichuang.lib.audit import client_ip
from yichuang.lib.crypto import mask_phone
from yichuang.lib.errors import (
    Conflict,
    DomainError,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unprocessable,
)
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
from .permissions import staff_or_403
from .selectors import desk_for, next_opening, signed_in_window, windows_to_open

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
                # the token leaves the address; the page's own flags stay
                rest = request.GET.copy()
                rest.pop("device")
                resp = redirect(f"{request.path}?{rest.urlencode()}" if rest else request.path)
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
    code = request.POST.get("code", "").strip()
    if not code:
        error = Unprocessable("queueing.appointment_code_missing", _("请输入预约码后再签到。"))
        return render(request, "queueing/_kiosk_error.html", {"error": error}, status=error.status)
    return _kiosk_once(
        request,
        lambda: actions.appointment_check_in(
            centre=centre, code=code, device=_device(request), actor=actor
        ),
    )


# --- display ----------------------------------------------------------------------------


# A hall screen set to speak without a touch: ``?autoplay=1`` once (with or after
# the device token) keeps the setting in this cookie, ``?autoplay=0`` clears it.
AUTOPLAY_COOKIE = "yc_display_autoplay"


@device_page("display", "window_display")
def display(request: HttpRequest, centre: Centre) -> HttpResponse:
    flag = request.GET.get("autoplay")
    autoplay = flag == "1" if flag in ("0", "1") else request.COOKIES.get(AUTOPLAY_COOKIE) == "1"
    resp = render(request, "queueing/display.html", {"centre": centre, "autoplay": autoplay})
    if flag == "1":
        resp.set_cookie(
            AUTOPLAY_COOKIE, "1", max_age=365 * 86400, samesite="Lax", secure=settings.PRODUCTION
        )
    elif flag == "0":
        resp.delete_cookie(AUTOPLAY_COOKIE, samesite="Lax")
    return resp


# --- mobile -----------------------------------------------------------------------------


def _ticket_rated(ticket: Ticket) -> bool:
    """Whether the finished ticket has its one rating (一次一评): the ratings
    (feedback, a layer above) point at the ticket, so the ticket's reverse
    relation answers without importing them."""
    return Ticket.objects.filter(pk=ticket.pk, rating__isnull=False).exists()


def _ticket_cancel(request: HttpRequest, ticket: Ticket) -> dict:
    """A POST of the ticket page: ``cancel`` asks to confirm, ``cancel=yes``
    gives the number up (actions.ticket_cancel: waiting tickets only)."""
    if request.POST.get("cancel") != "yes":
        return {"confirm_cancel": ticket.status == Ticket.Status.WAITING}
    try:
        return {"ticket": actions.ticket_cancel(ticket=ticket), "cancelled": True}
    except DomainError as e:
        return {"error": e}


# Rejoins asked from the phone per client address and hour: the track code is
# the only key, so a guesser's tries are bounded as on the other anonymous pages.
REJOINS = Rule("ticket-rejoin-ip", 20, 3600)


def _ticket_rejoin(request: HttpRequest, ticket: Ticket) -> dict:
    """A POST ``rejoin`` of the ticket page: back in line at the end (the
    action says no, and changes nothing, when the ticket may not rejoin)."""
    try:
        if not rule_hit(REJOINS, client_ip(request) or "-"):
            raise TooManyRequests(
                "queueing.too_many_rejoins", _("操作过于频繁，请稍后再试，或到导办台求助。")
            )
        return {"ticket": actions.ticket_rejoin(ticket=ticket), "rejoined": True}
    except DomainError as e:
        return {"error": e}


def mobile_ticket(request: HttpRequest, track_code: str) -> HttpResponse:
    """``/m/tickets/<code>``: the citizen's own number: the wait while in line
    (and a cancel, confirmed), the rating link once 办结 until rated, and what
    to do after 过号: a 重新排队 button (once, the same day, while the hall is
    open, where the queue allows it), or why not. A ticket left open at the
    hall's closing is shown as expired, with the next day's hours and the
    booking link, and nothing to press."""
    ticket = Ticket.objects.filter(track_code=track_code).first()
    if ticket is None:
        raise NotFound("queueing.ticket_not_found", _("没有找到该号。"))
    ticket = ticket.latest()
    step: dict = {}
    if request.method == "POST":
        rejoin = "rejoin" in request.POST
        step = _ticket_rejoin(request, ticket) if rejoin else _ticket_cancel(request, ticket)
    ticket = step.pop("ticket", ticket)
    now = timezone.now()
    # Left open at closing: expired, even before the worker's pass records it.
    over = actions.ticket_is_over(ticket, now)
    ahead, minutes = ticket_estimate(ticket)
    done = ticket.status == Ticket.Status.DONE
    rated = done and _ticket_rated(ticket)
    error = step.get("error")
    refusal = (
        actions.rejoin_refusal(ticket, now)
        if ticket.status == Ticket.Status.NO_SHOW and not over
        else None
    )
    return render(
        request,
        "queueing/mobile_ticket.html",
        {
            "ticket": ticket,
            "ahead": ahead,
            "minutes": minutes,
            "issued": timezone.localtime(ticket.issued_at),
            "rate_code": ticket.rating_code if done and not rated else None,
            "rated": rated,
            "rejoin_refusal": refusal,
            "live": ticket.status in (Ticket.Status.WAITING, *Ticket.ACTIVE) and not over,
            "over": over,
            "next_opening": next_opening(ticket.centre, now) if over else None,
            **step,
        },
        status=error.status if error else 200,
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


WEEKDAYS = (
    gettext_lazy("周一"),
    gettext_lazy("周二"),
    gettext_lazy("周三"),
    gettext_lazy("周四"),
    gettext_lazy("周五"),
    gettext_lazy("周六"),
    gettext_lazy("周日"),
)


def _open_slots(centre: Centre, now) -> list:
    """The centre's slots from now on (today's past ones left out), in queue,
    day and time order. Days come from the slot builder, which follows the
    calendar: a day without slots is a day the hall is closed."""
    from .models import AppointmentSlot

    slots = (
        AppointmentSlot.objects.filter(
            queue__centre=centre, queue__is_active=True, day__gte=now.date()
        )
        .select_related("queue")
        .order_by("queue__sort_order", "queue_id", "day", "start")
    )
    return [s for s in slots if not (s.day == now.date() and s.end <= now.time())]


def _book_choice(request: HttpRequest, slots: list, chosen) -> dict:
    """The page's three choices: the queue (事项), then a day of that queue
    (chips with the weekday), then the times of that day. ``chosen`` is a slot
    already picked (a POST that came back), which fixes queue and day."""
    queues: dict[int, Queue] = {}
    for s in slots:
        queues.setdefault(s.queue_id, s.queue)
    queue_id = chosen.queue_id if chosen else request.GET.get("queue", "")
    queue = queues.get(int(queue_id)) if str(queue_id).isdigit() else None
    if queue is None:
        return {"queues": list(queues.values())}
    own = [s for s in slots if s.queue_id == queue.pk]
    days: dict = {}
    for s in own:
        days.setdefault(s.day, []).append(s)
    day = chosen.day if chosen else None
    if day is None:
        wanted = request.GET.get("day", "")
        day = next((d for d in days if d.isoformat() == wanted), None)
    if day is None:
        day = next((d for d, ds in days.items() if any(s.remaining for s in ds)), None)
    chips = [
        {"day": d, "weekday": WEEKDAYS[d.weekday()], "left": sum(s.remaining for s in ds)}
        for d, ds in days.items()
    ]
    return {
        "queues": list(queues.values()),
        "queue": queue,
        "days": chips,
        "day": day,
        "times": days.get(day, []),
    }


def mobile_book(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """``/m/book/``: pick a centre, then the queue (事项), a day and a time of
    that day, and give a phone number; an SMS code confirms the phone, and the
    booking's code is shown on screen and sent by SMS
    (actions.appointment_code_send, appointment_book)."""
    if code is None:
        centres = Centre.objects.filter(is_active=True, queues__slots__isnull=False).distinct()
        return render(request, "queueing/mobile_book.html", {"centres": centres})
    centre = Centre.objects.filter(code=code, is_active=True).first()
    if centre is None:
        raise NotFound("org.centre_not_found", _("没有找到该服务中心。"))
    step: dict = _book_step(request, centre) if request.method == "POST" else {}
    error = step.get("error")
    choice = _book_choice(request, _open_slots(centre, timezone.localtime()), step.get("slot"))
    return render(
        request,
        "queueing/mobile_book.html",
        {
            "centre": centre,
            **choice,
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


def _desk(request: HttpRequest, error: DomainError | None = None, notice: str = "") -> dict:
    return {**desk_for(request.user), "error": error, "notice": notice}


def _open_window(request: HttpRequest) -> None:
    """Sign in at a window in scope (404 otherwise) that the user's post allows
    (403 ``queueing.not_your_post``: a clerk works his own posts' windows)."""
    from yichuang.org.scopes import get_window_for

    window = get_window_for(request.user, int(request.POST.get("window", 0)))
    staff_or_403(request.user)
    if not windows_to_open(request.user).filter(pk=window.pk).exists():
        raise Forbidden("queueing.not_your_post", _("该窗口不是您的岗位窗口，您不能在此开窗。"))
    actions.window_open(window=window, actor=request.user)


def _transferred(ticket: Ticket) -> str:
    """The clerk's confirmation of a transfer: where the citizen now waits."""
    where = f"{ticket.queue.prefix} {ticket.queue.name}"
    if ticket.target_window_id:
        where += _("（%(n)d 号窗口）") % {"n": ticket.target_window.number}
    return _("已将 %(t)s 号转办至 %(q)s，群众保留原排队位置。") % {"t": ticket.number, "q": where}


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
    error = None
    notice = ""
    try:
        if action == "open":
            _open_window(request)
        else:
            signed_in = signed_in_window(request.user)
            if signed_in is None:
                raise NotFound("queueing.no_window", _("您还没有开窗。"))
            window = signed_in
            if action == "transfer":
                moved = actions.ticket_transfer(
                    window=window, actor=request.user, queue_code=request.POST.get("queue") or None
                )
                notice = _transferred(moved)
            elif action in CONSOLE_ACTIONS:
                result = CONSOLE_ACTIONS[action](window=window, actor=request.user)
                if action == "call-next" and result is None:
                    error = DomainError("queueing.nobody_waiting", _("当前没有等候的群众。"))
            else:
                raise NotFound("queueing.unknown_action", _("未知操作。"))
    except (DomainError, ValueError) as e:
        error = e if isinstance(e, DomainError) else DomainError("queueing.invalid_request", str(e))
    return render(request, "queueing/_desk.html", _desk(request, error, notice))
