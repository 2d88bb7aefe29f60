"""Everything that changes the hall queue. Each action is one transaction and
writes a ``TicketEvent`` for every state change; SMS goes out after commit.

The package is split by step: ``issuing``, ``picking`` (the fair-calling
rule), ``calling``, ``clerk_steps``, ``windows``, ``appointments``, ``alerts``,
``closing`` (tickets left open at closing expire);
``common`` holds the window locks and preconditions they share.
"""

from .alerts import alert_handle
from .appointments import (
    NO_SHOW_BAN_COUNT,
    NO_SHOW_BAN_DAYS,
    appointment_book,
    appointment_cancel,
    appointment_check_in,
    appointment_mark_no_shows,
    phone_banned,
)
from .calling import SMS_PLACES_AHEAD, ticket_call_next, ticket_call_specific
from .clerk_steps import (
    rejoin_refusal,
    ticket_cancel,
    ticket_finish,
    ticket_no_show,
    ticket_recall,
    ticket_rejoin,
    ticket_start,
    ticket_transfer,
)
from .closing import closing_at, ticket_is_over, tickets_expire, tickets_expire_due
from .issuing import format_number, issue_state, slot_bounds, ticket_issue
from .picking import PICK_CANDIDATES, RECENT_PREFETCH, pick_next
from .windows import window_close, window_open, window_pause, window_resume

__all__ = [
    "NO_SHOW_BAN_COUNT",
    "NO_SHOW_BAN_DAYS",
    "PICK_CANDIDATES",
    "RECENT_PREFETCH",
    "SMS_PLACES_AHEAD",
    "alert_handle",
    "appointment_book",
    "appointment_cancel",
    "appointment_check_in",
    "appointment_mark_no_shows",
    "closing_at",
    "format_number",
    "issue_state",
    "phone_banned",
    "pick_next",
    "rejoin_refusal",
    "slot_bounds",
    "ticket_call_next",
    "ticket_call_specific",
    "ticket_cancel",
    "ticket_finish",
    "ticket_is_over",
    "ticket_issue",
    "ticket_no_show",
    "ticket_recall",
    "ticket_rejoin",
    "ticket_start",
    "ticket_transfer",
    "tickets_expire",
    "tickets_expire_due",
    "window_close",
    "window_open",
    "window_pause",
    "window_resume",
]
