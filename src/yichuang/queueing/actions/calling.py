"""Calling: the next ticket by the fair-calling rule, or one ticket by hand."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.crypto import redact_id_numbers
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.lib.sms import sms_send
from yichuang.org.models import Window
from yichuang.org.scopes import staff_of, window_not_found

from ..alerts import alert_resolve_if_open
from ..estimates import serving_windows
from ..events import ticket_event
from ..models import Queue, QueueAlert, Ticket, TicketEvent, WindowSkill
from ..permissions import check_operator, is_director
from .common import (
    ACTIVE,
    S,
    current_at,
    keep_centre,
    lock_window,
    require_open,
    windows_in_scope,
)
from .issuing import line_state
from .picking import (
    RECENT_PREFETCH,
    SkillQueue,
    pick_next,
    recent_calls,
    window_queues,
)

SMS_PLACES_AHEAD = 3


def _has_work(day: dt.date) -> dict:
    """Annotations of a window query: whether anything waits for the window
    (a ticket at it, one sent to it, or one in the line of a queue it serves)."""
    waiting = Ticket.objects.filter(day=day, status=S.WAITING)
    return {
        "busy": Exists(Ticket.objects.filter(window=OuterRef("pk"), status__in=ACTIVE)),
        "targeted": Exists(waiting.filter(target_window=OuterRef("pk"))),
        "queued": Exists(
            WindowSkill.objects.filter(window=OuterRef("pk")).filter(
                Exists(waiting.filter(queue=OuterRef("queue_id"), target_window__isnull=True))
            )
        ),
    }


def ticket_call_next(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket | None:
    """Call the next ticket for this window by the fair-calling rule; None when
    nobody waits.

    The preconditions and whether anything waits for the window are read in
    one statement before the window is locked, so an idle window polling for
    work costs one read and never takes a write lock; under the lock the
    candidates are read and the winner is locked with its status checked
    again."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    found = windows_in_scope(actor).filter(pk=window.pk).annotate(**_has_work(day)).first()
    if found is None:
        window_not_found()
    keep_centre(found, window)
    check_operator(found, actor)
    require_open(found)
    if not (found.busy or found.targeted or found.queued):
        return None
    return _call_next_locked(
        window=found,
        actor=actor,
        now=now,
        tiers=window_queues(found.pk),
        recent=recent_calls(found.pk, RECENT_PREFETCH),
    )


@transaction.atomic
def _call_next_locked(
    *,
    window: Window,
    actor,
    now: dt.datetime,
    tiers: list[list[SkillQueue]],
    recent: list[str],
) -> Ticket | None:
    window = lock_window(window, actor)
    check_operator(window, actor)
    require_open(window)
    busy = Ticket.objects.current_at(window).values_list("number", flat=True).first()
    if busy is not None:
        raise Conflict(
            "queueing.window_busy",
            _("%(n)s 号尚未办结，请先办结、过号或转办。") % {"n": busy},
            ticket=busy,
        )
    # the candidates are read again under the lock: with many windows
    # calling one line, those read before it are often taken already
    ticket = pick_next(window, now, tiers, recent)
    if ticket is None:
        return None
    return _call(ticket, window, actor, now)


@transaction.atomic
def ticket_call_specific(
    *, window: Window, ticket_id: int, actor, reason: str, now: dt.datetime | None = None
) -> Ticket:
    """A director calls one ticket by hand (audited); clerks cannot pick tickets."""
    now = now or timezone.now()
    if not is_director(actor):
        raise Forbidden("queueing.call_specific_forbidden", _("只有中心主任可以指定叫号。"))
    if not (reason or "").strip():
        raise Unprocessable("queueing.reason_required", _("指定叫号须填写理由。"))
    reason = redact_id_numbers(reason)  # kept in the ticket's events and the audit log
    window = lock_window(window, actor)
    require_open(window)
    if current_at(window) is not None:
        raise Conflict("queueing.window_busy", _("该窗口还有未办结的号。"))
    ticket = (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("queue", "first_ask")
        .filter(pk=ticket_id, centre_id=window.centre_id, day=timezone.localdate(now))
        .first()
    )
    if ticket is None:
        raise NotFound("queueing.ticket_not_found", _("没有找到该号。"))
    if ticket.status != S.WAITING:
        raise Conflict("queueing.not_waiting", _("该号不在等候中。"))
    ticket = _call(ticket, window, actor, now, reason=reason)
    audit_record(
        "queueing.call_specific", actor=actor, obj=ticket, window=window.number, reason=reason
    )
    return ticket


def _call(ticket: Ticket, window: Window, actor, now: dt.datetime, reason: str = "") -> Ticket:
    """Move the locked, waiting ``ticket`` to ``window``: the status-guarded
    update, its event, the SMS to those now near the front, and the peak
    alert's resolution once the line is clearly back under it."""
    first_ask_id = ticket.first_ask_id or window.clerk_id
    if ticket.first_ask_id != first_ask_id:
        staff = staff_of(actor)
        ticket.first_ask = staff if staff is not None and staff.pk == first_ask_id else None
        ticket.first_ask_id = first_ask_id
    changes = {
        "status": S.CALLED,
        "called_at": now,
        "window_id": window.pk,
        "clerk_id": window.clerk_id,
        "first_ask_id": first_ask_id,
        "updated_at": now,
    }
    if not Ticket.objects.filter(pk=ticket.pk, status=S.WAITING).update(**changes):
        raise Conflict("queueing.already_called", _("该号已被其他窗口叫走。"))
    for field, value in changes.items():
        setattr(ticket, field, value)
    ticket.window = window
    ticket_event(
        centre_id=window.centre_id,
        type=TicketEvent.Type.CALLED,
        ticket=ticket,
        old=S.WAITING,
        new=S.CALLED,
        actor=actor,
        window=window,
        at=now,
        reason=reason,
    )
    line = Ticket.objects.filter(queue_id=ticket.queue_id, day=ticket.day, status=S.WAITING)
    _notify_near_front(
        list(
            line.order_by("sort_at", "id").values_list("pk", "sms_sent", "phone_hash")[
                : SMS_PLACES_AHEAD + 1
            ]
        )
    )
    if QueueAlert.objects.filter(
        queue_id=ticket.queue_id, day=ticket.day, resolved_at__isnull=True
    ).exists():
        # resolved once the line is clearly back under both thresholds
        _alert_resolve_if_back(ticket.queue, line.count(), serving_windows(ticket.queue), now)
    return ticket


def _alert_resolve_if_back(queue: Queue, waiting: int, open_windows: int, now: dt.datetime) -> None:
    """Resolve the queue's open peak alert once its line is clearly back under
    both thresholds, judged by the state issuing judges by. While it is not,
    nothing more is read."""
    state = line_state(queue, timezone.localdate(now), waiting, open_windows)
    if state.back_under:
        alert_resolve_if_open(queue=queue, now=now, state=state)


def _notify_near_front(line: list[tuple]) -> None:
    """SMS the tickets of ``line`` (the first in a queue's line, each (id,
    sms_sent, phone_hash)) that gave a phone and have not been told yet."""
    ids = [pk for pk, sent, phone_hash in line if phone_hash and not sent]
    if not ids:
        return
    Ticket.objects.filter(pk__in=ids).update(sms_sent=True)
    for t in Ticket.objects.filter(pk__in=ids).select_related("centre"):
        text = _("【一窗】您的 %(n)s 号前面已不超过 %(k)d 人，请回到%(c)s大厅等候叫号。") % {
            "n": t.number,
            "k": SMS_PLACES_AHEAD,
            "c": t.centre.name,
        }
        phone = t.phone
        transaction.on_commit(lambda p=phone, x=text: sms_send(p, x))
