"""What changes a case, by step: intake (``intake``, ``materials``),
acceptance or refusal (``acceptance``), the steps between departments
(``steps``), clock stops (``clock_stops``), deadlines and extensions
(``deadlines``), completion, delivery and withdrawal (``completion``), bundles
(``bundles``), visits (``visits``) and cards (``cards``). ``dispatch`` holds
the one table of the actions run through ``case_act``.

Every transition writes a ``CaseEvent`` (``cases.events``); bad input raises a
DomainError inside the transaction, so nothing is half-written.
"""

from .cards import card_lift, card_record_breach
from .dispatch import CASE_ACTIONS, CaseAction, case_act, case_action_params, page_actions
from .intake import IntakeResult, case_intake
from .visits import case_visit_link

__all__ = [
    "CASE_ACTIONS",
    "CaseAction",
    "IntakeResult",
    "card_lift",
    "card_record_breach",
    "case_act",
    "case_action_params",
    "case_intake",
    "case_visit_link",
    "page_actions",
]
