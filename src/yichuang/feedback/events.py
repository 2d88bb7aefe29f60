"""The event writer of feedback: every state change of a rating, appeal,
rectification or complaint writes one ``FeedbackEvent`` (its timeline, the
audit trail and the raw data of the roll-ups)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Appeal, Complaint, FeedbackEvent, Rating, Rectification


def event_record(
    type: str,
    *,
    actor=None,
    old: str = "",
    new: str = "",
    note: str = "",
    at: dt.datetime | None = None,
    rating: Rating | None = None,
    rating_id: int | None = None,
    appeal: Appeal | None = None,
    rectification: Rectification | None = None,
    complaint: Complaint | None = None,
) -> FeedbackEvent:
    """Write one event of ``type`` (``EVENT_LABELS`` names them) about the
    objects given; an anonymous actor (a citizen, the worker) is left blank."""
    return FeedbackEvent.objects.create(
        type=type,
        old_status=old,
        new_status=new,
        actor=actor if actor is not None and getattr(actor, "pk", None) else None,
        note=note,
        at=at or timezone.now(),
        rating_id=rating.pk if rating is not None else rating_id,
        appeal=appeal,
        rectification=rectification,
        complaint=complaint,
    )
