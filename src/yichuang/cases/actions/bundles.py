"""A 一件事 bundle case and its member cases (one per item of the bundle)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from .. import events
from ..models import Case
from ..states import Status

# The order in which a bundle follows its members: the least advanced member
# sets the bundle's status.
PROGRESS = [
    Status.SUPPLEMENT,
    Status.RECEIVED,
    Status.SUSPENDED,
    Status.SPECIAL,
    Status.ACCEPTED,
    Status.REVIEW,
    Status.DECIDED,
    Status.COMPLETED,
    Status.DELIVERED,
]


def sync_parent(parent: Case, *, actor: Any, now: dt.datetime) -> None:
    """A bundle case follows its member cases: it is as far as the least
    advanced one, due when the last is due, complete when all are."""
    children = list(parent.children.all())
    if not children:
        return
    live = [c for c in children if c.status not in (Status.WITHDRAWN, Status.REFUSED)]
    new: str
    if not live:
        new = (
            Status.WITHDRAWN
            if any(c.status == Status.WITHDRAWN for c in children)
            else Status.REFUSED
        )
    else:
        new = min((c.status for c in live), key=lambda s: PROGRESS.index(Status(s)))
    accepted = [c.accepted_on for c in children if c.accepted_on]
    parent.accepted_on = min(accepted) if accepted else None
    dues = [c.due_date for c in live if c.due_date]
    parent.due_date = max(dues) if dues else None
    stat = [c.statutory_due_date for c in live if c.statutory_due_date]
    parent.statutory_due_date = max(stat) if stat else None
    parent.deadline_pending = any(c.deadline_pending for c in live)
    parent.committed_days = max((c.committed_days for c in children), default=0)
    if new in (Status.COMPLETED, Status.DELIVERED) and not parent.rating_code:
        parent.rating_code = secrets.token_urlsafe(12)
        parent.completed_at = now
    if new != parent.status:
        events.transition(parent, new, actor=actor, type="bundle_progress", at=now)
    parent.save()
