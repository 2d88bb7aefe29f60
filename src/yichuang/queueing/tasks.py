"""Background tasks of the hall queue, run by ``yichuang worker``.

``appointment_mark_no_shows`` is one conditional UPDATE (status still
``booked``), so several workers may run it side by side without double counting.
``tickets_expire_due`` expires the tickets left open at a hall's closing (and
catches up the days a stopped worker missed); it locks the tickets it changes.
"""

from __future__ import annotations

from .actions import appointment_mark_no_shows, tickets_expire_due


def mark_appointment_no_shows() -> int:
    """Bookings whose slot ended without a check-in become no-shows."""
    return appointment_mark_no_shows()


def expire_tickets() -> int:
    """Tickets still open after their hall's closing become 已过期."""
    return tickets_expire_due()


TASKS = [
    ("queueing.appointment_no_shows", 300, mark_appointment_no_shows),
    ("queueing.tickets_expire", 300, expire_tickets),
]
