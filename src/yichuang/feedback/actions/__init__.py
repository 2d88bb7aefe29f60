"""Everything that changes ratings, appeals, rectifications and complaints.

Each action is one transaction and writes a ``FeedbackEvent`` for every state
change (``feedback.events``); SMS goes out after commit. Refusals are
DomainErrors with codes under ``feedback.`` (docs/feedback.md lists them).

The modules, by entity and step: ``ratings`` (submitting, default ratings),
``appeals``, ``rectifications`` and ``complaints`` (each with its table of
steps), ``overdue`` (notices and their SMS), ``deadlines``, ``contacts``,
``reasons``, ``throttle``. Every public name is importable from here. The
access helpers and rates (``ratings_for``, ``rates_of``, …) live in
``feedback.selectors`` and the role checks in ``feedback.permissions``; they
are re-exported here for the callers that import them from ``actions``.
"""

from ..permissions import (
    ASSIGNER_ROLES,
    OVERSEER_ROLES,
    REVIEWER_ROLES,
    can_assign,
    is_overseer,
    is_reviewer,
)
from ..selectors import (
    complaints_for,
    current_reason_list,
    get_complaint_for,
    get_rating_for,
    get_rectification_for,
    notices_for,
    rates_of,
    ratings_for,
    rectifications_for,
    satisfaction,
    service_summary,
)
from .appeals import appeal_decide, appeal_file
from .common import MAX_COMMENT
from .complaints import (
    COMPLAINT_STEPS,
    ComplaintInput,
    complaint_act,
    complaint_assign,
    complaint_close,
    complaint_explain,
    complaint_mark_complex,
    complaint_rate,
    complaint_reply,
    complaint_submit,
    new_api_key,
)
from .contacts import contact_reveal
from .deadlines import deadlines_fill_pending
from .overdue import SMS_ATTEMPTS, overdue_flag, overdue_sms_send, overdue_sms_text
from .ratings import PreparedRating, rating_fill_defaults, rating_submit
from .reasons import ensure_defaults, reason_list_publish
from .rectifications import (
    RECTIFICATION_STEPS,
    RectificationInput,
    rectification_act,
    rectification_assign,
    rectification_call_back,
    rectification_citizen_rate,
    rectification_close,
    rectification_give_feedback,
    rectification_rectify,
    rectification_verify,
)
from .throttle import ATTEMPTS_PER_MINUTE, FAILURES_PER_HOUR, throttle_purge

__all__ = [
    "ASSIGNER_ROLES",
    "ATTEMPTS_PER_MINUTE",
    "COMPLAINT_STEPS",
    "FAILURES_PER_HOUR",
    "MAX_COMMENT",
    "OVERSEER_ROLES",
    "RECTIFICATION_STEPS",
    "REVIEWER_ROLES",
    "SMS_ATTEMPTS",
    "ComplaintInput",
    "PreparedRating",
    "RectificationInput",
    "appeal_decide",
    "appeal_file",
    "can_assign",
    "complaint_act",
    "complaint_assign",
    "complaint_close",
    "complaint_explain",
    "complaint_mark_complex",
    "complaint_rate",
    "complaint_reply",
    "complaint_submit",
    "complaints_for",
    "contact_reveal",
    "current_reason_list",
    "deadlines_fill_pending",
    "ensure_defaults",
    "get_complaint_for",
    "get_rating_for",
    "get_rectification_for",
    "is_overseer",
    "is_reviewer",
    "new_api_key",
    "notices_for",
    "overdue_flag",
    "overdue_sms_send",
    "overdue_sms_text",
    "rates_of",
    "rating_fill_defaults",
    "rating_submit",
    "ratings_for",
    "reason_list_publish",
    "rectification_act",
    "rectification_assign",
    "rectification_call_back",
    "rectification_citizen_rate",
    "rectification_close",
    "rectification_give_feedback",
    "rectification_rectify",
    "rectification_verify",
    "rectifications_for",
    "satisfaction",
    "service_summary",
    "throttle_purge",
]
