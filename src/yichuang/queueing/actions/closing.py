"""The end of a hall's day: the tickets the hall did not serve expire.

Once a centre's closing time for a day has passed (``org.opening``: the
calendar, make-up working days and dated exceptions decide the hours), every
ticket of that day still waiting, called but not served, or 过号 and still
able to rejoin becomes 已过期 (``expired``), with one ``expired`` event each.
A ticket being served at closing is left to the clerk to finish.

``tickets_expire`` is idempotent: a second run finds nothing to change. The
worker (``queueing.tasks``) runs ``tickets_expire_due`` every few minutes for
every centre, and so catches up a day it missed (down to ``CATCH_UP_DAYS``
back: older tickets are history and stay as they are).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yichuang.org.models import Centre
from yichuang.org.opening import Opening, opening_for

from ..events import ticket_event
from ..models import Ticket, TicketEvent
from .common import S

# How many days back the worker looks for tickets left open at closing.
CATCH_UP_DAYS = 7
# Why an expiry happened, on its event (a code, like a transfer's reason).
EXPIRE_REASON = "hall_closed"


def expirable_q() -> Q:
    """Tickets the hall has not served yet: waiting, called, or 过号 with the
    one rejoin still open to them."""
    return Q(status__in=(S.WAITING, S.CALLED)) | Q(
        status=S.NO_SHOW, rejoined=False, queue__no_show_rejoin=True
    )


def closing_at(centre: Centre, day: dt.date, opening: Opening | None = None) -> dt.datetime:
    """The moment ``centre`` closes on ``day``: the end of the day's last span
    of hours; the end of the day when it keeps no hours (a closure declared
    after tickets were taken does not expire them before midnight)."""
    opening = opening or opening_for(centre, day)
    tz = timezone.get_current_timezone()
    end_of_day = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()), tz)
    if not opening.hours:
        return end_of_day
    last = max(end for _start, end in opening.hours)
    if last >= "24:00":
        return end_of_day
    hh, mm = (int(p) for p in last.split(":"))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)), tz)


def ticket_is_over(ticket: Ticket, now: dt.datetime | None = None) -> bool:
    """Whether ``ticket`` is expired, or would be on the worker's next pass
    (its day's closing has passed and it is still open): the ticket page
    tells the citizen so at once."""
    if ticket.status == S.EXPIRED:
        return True
    if ticket.status not in (S.WAITING, S.CALLED, S.NO_SHOW):
        return False
    if ticket.status == S.NO_SHOW and (ticket.rejoined or not ticket.queue.no_show_rejoin):
        return False
    return (now or timezone.now()) >= closing_at(ticket.centre, ticket.day)


@transaction.atomic
def tickets_expire(*, centre: Centre, day: dt.date, now: dt.datetime | None = None) -> list[Ticket]:
    """Expire the tickets of ``centre`` on ``day`` left open at closing, if
    ``now`` is past the closing time (nothing otherwise). Returns the tickets
    expired. The tickets are locked while they change, so a clerk's step on
    one of them either comes first (and the ticket is no longer expirable) or
    is refused after (the ticket moved, 409)."""
    now = now or timezone.now()
    closing = closing_at(centre, day)
    if now < closing:
        return []
    tickets = list(
        Ticket.objects.select_for_update(of=("self",))
        .filter(centre=centre, day=day)
        .filter(expirable_q())
        .select_related("window")
        .order_by("sort_at", "id")
    )
    if not tickets:
        return []
    # A 过号 ticket keeps the time it was marked 过号; the others end at closing.
    missed = [t.pk for t in tickets if t.status == S.NO_SHOW]
    others = [t.pk for t in tickets if t.status != S.NO_SHOW]
    Ticket.objects.filter(pk__in=missed).update(status=S.EXPIRED, updated_at=now)
    Ticket.objects.filter(pk__in=others).update(
        status=S.EXPIRED, finished_at=closing, updated_at=now
    )
    for ticket in tickets:
        old = ticket.status
        ticket.status = S.EXPIRED
        if old != S.NO_SHOW:
            ticket.finished_at = closing
        ticket.updated_at = now
        ticket_event(
            centre_id=centre.pk,
            type=TicketEvent.Type.EXPIRED,
            ticket=ticket,
            old=old,
            new=S.EXPIRED,
            window=ticket.window,
            reason=EXPIRE_REASON,
            at=now,
        )
    return tickets


def tickets_expire_due(*, now: dt.datetime | None = None) -> int:
    """The worker's pass: for every centre, the days of the last
    ``CATCH_UP_DAYS`` with tickets still open whose closing has passed get
    their tickets expired (one transaction per centre and day). Returns how
    many tickets expired."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    lo = today - dt.timedelta(days=CATCH_UP_DAYS)
    done = 0
    for centre in Centre.objects.order_by("id"):
        days = (
            Ticket.objects.filter(centre=centre, day__gte=lo, day__lte=today)
            .filter(expirable_q())
            .order_by("day")
            .values_list("day", flat=True)
            .distinct()
        )
        for day in list(days):
            if now >= closing_at(centre, day):
                done += len(tickets_expire(centre=centre, day=day, now=now))
    return done
