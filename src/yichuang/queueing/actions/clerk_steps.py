"""A clerk's steps on the ticket at the window (recall, start, finish,
no-show), and what else becomes of a ticket: transfer, cancel, rejoin."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import NamedTuple

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Conflict, DomainError, Unprocessable
from yichuang.org.models import Device, Window

from ..events import ticket_event
from ..models import Channel, Queue, Ticket, TicketEvent, WindowSkill, new_code
from ..permissions import TICKET_ROLES, check_operator, staff_or_403, ticket_not_found, tickets_for
from .closing import ticket_is_over
from .common import (
    S,
    check_centre_open,
    current_at,
    lock_current,
    lock_window,
    no_current_ticket,
)

E = TicketEvent.Type


class ClerkStep(NamedTuple):
    """One step on the ticket at the window. ``changes`` gives the columns the
    step writes (its time, the ticket as read); ``new`` is the status after
    it (None keeps it); ``called_only`` refuses it once serving has begun."""

    type: str
    new: str | None
    called_only: bool
    changes: Callable[[Ticket, dt.datetime], dict]


RECALL = ClerkStep(E.RECALLED, None, True, lambda t, now: {"recalls": F("recalls") + 1})
START = ClerkStep(
    E.STARTED, S.SERVING, True, lambda t, now: {"status": S.SERVING, "started_at": now}
)
FINISH = ClerkStep(
    E.FINISHED,
    S.DONE,
    False,
    lambda t, now: {
        "status": S.DONE,
        "started_at": t.started_at or now,
        "finished_at": now,
        "rating_code": new_code(9),  # for the rating pad and the ticket's QR
    },
)
NO_SHOW = ClerkStep(
    E.NO_SHOW, S.NO_SHOW, True, lambda t, now: {"status": S.NO_SHOW, "finished_at": now}
)


@transaction.atomic
def _clerk_step(
    step: ClerkStep, window: Window, actor, now: dt.datetime | None, refusal: str
) -> Ticket:
    """Take ``step`` on the ticket at ``window``: 404 outside the actor's
    scope, 403 for a window another clerk signed in at, 409 with no ticket at
    the window or (``refusal``) one already being served where the step needs
    it called."""
    now = now or timezone.now()
    ticket = lock_current(window, actor)
    if ticket is None:
        check_operator(lock_window(window, actor), actor)  # 404 or 403 first
        no_current_ticket()
    locked = ticket.window
    assert locked is not None  # the statement joins the window
    check_operator(locked, actor)
    if step.called_only and ticket.status != S.CALLED:
        raise Conflict("queueing.already_serving", refusal)
    old = ticket.status
    changes = {**step.changes(ticket, now), "updated_at": now}
    if not Ticket.objects.filter(pk=ticket.pk, status=old).update(**changes):
        no_current_ticket()  # it moved meanwhile
    if "recalls" in changes:
        ticket.recalls += 1
        del changes["recalls"]
    for field, value in changes.items():
        setattr(ticket, field, value)
    ticket_event(
        centre_id=locked.centre_id,
        type=step.type,
        ticket=ticket,
        old=old,
        new=step.new or old,
        actor=actor,
        window=locked,
        at=now,
    )
    return ticket


def ticket_recall(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    return _clerk_step(RECALL, window, actor, now, _("已开始办理，无需重呼。"))


def ticket_start(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    return _clerk_step(START, window, actor, now, _("该号已在办理中。"))


def ticket_finish(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    """Finish the current ticket; it gets its rating code (for the pad and QR)."""
    return _clerk_step(FINISH, window, actor, now, "")


def ticket_no_show(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    return _clerk_step(NO_SHOW, window, actor, now, _("已开始办理的号不能记为过号。"))


def _lock_ticket(ticket: Ticket, actor, device: Device | None) -> Ticket:
    """The ticket, locked, with its queue: a device's of its own centre, a
    staff member's within ``tickets_for`` (404 otherwise) and only for a
    ticket role (403 ``queueing.read_only``)."""
    qs: QuerySet[Ticket] = Ticket.objects.all()
    if device is not None:
        qs = qs.filter(centre_id=device.centre_id)
    elif actor is not None:
        staff_or_403(actor, TICKET_ROLES)
        qs = tickets_for(actor)
    locked = (
        qs.select_for_update(of=("self",))
        .select_related("queue", "centre")
        .filter(pk=ticket.pk)
        .first()
    )
    if locked is None:
        raise ticket_not_found()
    return locked


def rejoin_refusal(ticket: Ticket, now: dt.datetime) -> DomainError | None:
    """Why ``ticket`` may not rejoin the line at ``now`` (None if it may): it
    is not 过号, its queue allows no rejoin, it has rejoined once already, it
    is another day's, or the hall is closed now. The ticket page asks this to
    offer the button; ``ticket_rejoin`` raises it."""
    if ticket.status != S.NO_SHOW:
        return Conflict("queueing.not_no_show", _("只有过号的号可以重新排队。"))
    if not ticket.queue.no_show_rejoin:
        return Conflict(
            "queueing.rejoin_not_allowed", _("该业务过号后不能重新排队，如需办理请重新取号。")
        )
    if ticket.rejoined:
        return Conflict("queueing.rejoin_used", _("过号只能重新排队一次，请重新取号。"))
    if ticket.day != timezone.localdate(now):
        return Conflict("queueing.ticket_expired", _("该号已过期，请重新取号。"))
    try:
        check_centre_open(ticket.centre, now)
    except DomainError as closed:
        return closed
    return None


@transaction.atomic
def ticket_rejoin(
    *, ticket: Ticket, actor=None, device: Device | None = None, now: dt.datetime | None = None
) -> Ticket:
    """A citizen who missed the call rejoins once, the same day, at the back of
    the line (the place in line restarts now), while the hall is open. Asked
    by staff or a device of the centre, or by the citizen (no actor and no
    device: the ticket's secret track code, /m/tickets/<code>, is the
    authority)."""
    now = now or timezone.now()
    ticket = _lock_ticket(ticket, actor, device)
    refusal = rejoin_refusal(ticket, now)
    if refusal is not None:
        raise refusal
    ticket.status = S.WAITING
    ticket.rejoined = True
    ticket.sort_at = now
    ticket.window = None
    ticket.called_at = None
    ticket.finished_at = None
    ticket.save(
        update_fields=[
            "status",
            "rejoined",
            "sort_at",
            "window",
            "called_at",
            "finished_at",
            "updated_at",
        ]
    )
    ticket_event(
        centre_id=ticket.centre_id,
        type=E.REJOINED,
        ticket=ticket,
        old=S.NO_SHOW,
        new=S.WAITING,
        actor=actor,
        device=device,
        at=now,
    )
    return ticket


def _transfer_target(
    window: Window, ticket: Ticket, queue_code: str | None, to_window_id: int | None
) -> tuple[Queue, Window | None]:
    """The queue (and window, if one was named) a ticket is handed to."""
    if queue_code:
        queue = Queue.objects.filter(
            centre_id=window.centre_id, code=queue_code, is_active=True
        ).first()
        if queue is None:
            raise Unprocessable(
                "queueing.unknown_queue",
                _("没有这个业务队列：%(q)s") % {"q": queue_code},
                queue=queue_code,
            )
        return queue, None
    target = Window.objects.filter(
        pk=to_window_id, centre_id=window.centre_id, is_active=True
    ).first()
    if target is None or target.pk == window.pk:
        raise Unprocessable("queueing.bad_transfer_target", _("不能转往该窗口。"))
    if target.state == "closed":
        raise Conflict("queueing.window_not_open", _("目标窗口未开窗，不能转入。"))
    skills = list(
        WindowSkill.objects.filter(window=target)
        .order_by("order")
        .values_list("queue_id", flat=True)
    )
    if ticket.queue_id in skills or not skills:
        return ticket.queue, target
    return Queue.objects.get(pk=skills[0]), target


@transaction.atomic
def ticket_transfer(
    *,
    window: Window,
    actor,
    queue_code: str | None = None,
    to_window_id: int | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Hand the current ticket to another queue or window. The citizen keeps the
    number and the place in line (the original issue time). Returns the new ticket."""
    now = now or timezone.now()
    if bool(queue_code) == bool(to_window_id):
        raise Unprocessable("queueing.bad_transfer_target", _("请指定转往的队列或窗口（二选一）。"))
    window = lock_window(window, actor)
    check_operator(window, actor)
    ticket = current_at(window)
    if ticket is None:
        no_current_ticket()
    queue, target_window = _transfer_target(window, ticket, queue_code, to_window_id)
    old = ticket.status
    ticket.status = S.TRANSFERRED
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at", "updated_at"])
    ticket_event(
        centre_id=window.centre_id,
        type=E.TRANSFERRED,
        ticket=ticket,
        old=old,
        new=S.TRANSFERRED,
        actor=actor,
        window=window,
        at=now,
        reason=f"→ {queue.code}" + (f" / {target_window.number}" if target_window else ""),
    )
    successor = Ticket.objects.create(
        centre_id=ticket.centre_id,
        queue=queue,
        day=ticket.day,
        seq=None,
        number=ticket.number,
        status=S.WAITING,
        priority=ticket.priority,
        channel=Channel.TRANSFER,
        phone=ticket.phone,
        phone_hash=ticket.phone_hash,
        id_number=ticket.id_number,
        id_hash=ticket.id_hash,
        issued_at=ticket.issued_at,
        sort_at=ticket.sort_at,
        first_ask_id=ticket.first_ask_id or ticket.clerk_id,
        transferred_from=ticket,
        target_window=target_window,
        sms_sent=True,
    )
    ticket_event(
        centre_id=window.centre_id,
        type=E.ISSUED,
        ticket=successor,
        new=S.WAITING,
        actor=actor,
        window=window,
        at=now,
        reason="transfer",
    )
    return successor


@transaction.atomic
def ticket_cancel(
    *, ticket: Ticket, actor=None, device: Device | None = None, now: dt.datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    ticket = _lock_ticket(ticket, actor, device)
    if ticket.status != S.WAITING:
        raise Conflict("queueing.not_waiting", _("只有等候中的号可以取消。"))
    if ticket_is_over(ticket, now):
        # past closing the ticket is the hall's to expire, not the citizen's to
        # cancel: the day's figures count it as not served either way
        raise Conflict("queueing.ticket_expired", _("今日办理时间已结束，本号已过期。"))
    ticket.status = S.CANCELLED
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at", "updated_at"])
    ticket_event(
        centre_id=ticket.centre_id,
        type=E.CANCELLED,
        ticket=ticket,
        old=S.WAITING,
        new=S.CANCELLED,
        actor=actor,
        device=device,
        at=now,
    )
    return ticket
