"""The queue's event writer: every change of a ticket or a window appends one
``TicketEvent`` (the audit trail, the hall display's feed, the raw data of the
queue figures)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yichuang.lib.crypto import redact_id_numbers
from yichuang.org.models import Device, Window

from .models import Ticket, TicketEvent


def ticket_event(
    *,
    centre_id: int,
    type: str,
    ticket: Ticket | None = None,
    old: str = "",
    new: str = "",
    actor=None,
    device: Device | None = None,
    window: Window | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> TicketEvent:
    """Append one event. The ticket and window numbers are copied onto it, so
    the display feed reads events without joining."""
    return TicketEvent.objects.create(
        centre_id=centre_id,
        ticket=ticket,
        type=type,
        old_status=old,
        new_status=new,
        actor_id=actor.pk if actor is not None and getattr(actor, "pk", None) else None,
        device=device,
        window=window,
        ticket_number=ticket.number if ticket else "",
        window_number=window.number if window else None,
        reason=redact_id_numbers(reason)[:200] if reason else "",
        at=at or timezone.now(),
    )
