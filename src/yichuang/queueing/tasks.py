"""Background tasks of the hall queue, run by ``yichuang worker``.

``appointment_mark_no_shows`` is one conditional UPDATE (status still
``booked``), so several workers may run it side by side without double counting.
"""

from __future__ import annotations

from .actions import appointment_mark_no_shows


def mark_appointment_no_shows() -> int:
    """Bookings whose slot ended without a check-in become no-shows."""
    return appointment_mark_no_shows()


TASKS = [
    ("queueing.appointment_no_shows", 300, mark_appointment_no_shows),
]
