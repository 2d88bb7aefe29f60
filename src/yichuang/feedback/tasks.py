"""Background work of feedback, run by `yichuang worker`."""

from __future__ import annotations

from .actions import (
    deadlines_fill_pending,
    overdue_flag,
    overdue_sms_send,
    rating_fill_defaults,
    throttle_purge,
)


def _overdue() -> int:
    """Flag what fell late, then send the handlers' SMS."""
    return overdue_flag() + overdue_sms_send()


TASKS = [
    ("feedback.default_ratings", 600, rating_fill_defaults),
    ("feedback.pending_deadlines", 3600, deadlines_fill_pending),
    ("feedback.overdue", 300, _overdue),
    ("feedback.throttle_purge", 900, throttle_purge),
]
