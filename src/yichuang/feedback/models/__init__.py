"""Ratings (好差评), appeals, bad-rating rectification, complaints and the
Open311 clients that file them (docs/domain.md, "Ratings" and "Window rules").

Every model is imported here, so ``from yichuang.feedback.models import X``
works for each of them and Django finds them all. Ratings, events and contact
views are append-only (``yichuang.lib.append_only``).
"""

from .appeals import Appeal
from .codes import new_token
from .complaints import (
    Complaint,
    ComplaintCategory,
    ComplaintCounter,
    ComplaintQuerySet,
    Open311Client,
)
from .logs import EVENT_LABELS, ContactView, FeedbackEvent
from .overdue import OverdueNotice, OverdueNoticeQuerySet, StaffPhone
from .ratings import BAD_LEVELS, GOOD_LEVELS, Rating, RatingDay, RatingQuerySet, Throttle
from .reasons import Reason, ReasonList
from .rectifications import Rectification, RectificationQuerySet

__all__ = [
    "BAD_LEVELS",
    "EVENT_LABELS",
    "GOOD_LEVELS",
    "Appeal",
    "Complaint",
    "ComplaintCategory",
    "ComplaintCounter",
    "ComplaintQuerySet",
    "ContactView",
    "FeedbackEvent",
    "Open311Client",
    "OverdueNotice",
    "OverdueNoticeQuerySet",
    "Rating",
    "RatingDay",
    "RatingQuerySet",
    "Reason",
    "ReasonList",
    "Rectification",
    "RectificationQuerySet",
    "StaffPhone",
    "Throttle",
    "new_token",
]
