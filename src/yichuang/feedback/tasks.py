"""Background work of feedback, run by `yichuang worker`."""

from __future__ import annotations

from .actions import deadlines_fill_pending, rating_fill_defaults, throttle_purge

TASKS = [
    ("feedback.default_ratings", 600, rating_fill_defaults),
    ("feedback.pending_deadlines", 3600, deadlines_fill_pending),
    ("feedback.throttle_purge", 900, throttle_purge),
]
