"""What the case page shows: the actions valid for the case's state and the
user's roles, and the history in words (no state codes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yichuang.lib import codes
from yichuang.org.scopes import staff_of

from .actions import page_actions
from .actions.dispatch import CASE_ACTIONS
from .models import Case, CaseEvent
from .permissions import may_act, may_approve_extension, may_handle_step
from .selectors import cases_for
from .states import CLOSED, RUNNING, STOPPED, Status

ON_STEP = ("accepted", "review")
# The states each action of the page's menu runs in (the actions refuse the rest).
VALID_IN: dict[str, tuple[str, ...]] = {
    "approve": ON_STEP,
    "deny": ON_STEP,
    "return": ON_STEP,
    "request_supplement": RUNNING,
    "supplement": (Status.SUPPLEMENT,),
    "complete": (Status.DECIDED,),
    "deliver": (Status.COMPLETED,),
    "suspend": RUNNING,
    "resume": (Status.SUSPENDED, Status.SPECIAL),
    "extend": RUNNING + STOPPED,
    "withdraw": tuple(s for s in Status if s not in CLOSED),
}
# Actions on the current step: its department, its post's A/B clerks, a director.
STEP_ACTIONS = ("approve", "deny", "return")


def offered_actions(case: Case, user: Any, *, is_bundle: bool) -> list[tuple[str, str]]:
    """(name, label) of the menu's actions this user may run on this case now."""
    if not may_act(user):
        return []
    staff = staff_of(user)
    step = case.current_step
    offered = []
    for name, label in page_actions():
        if str(case.status) not in VALID_IN.get(name, ()):
            continue
        if is_bundle and not CASE_ACTIONS[name].on_bundle:
            continue
        if name in STEP_ACTIONS and (step is None or not may_handle_step(user, staff, step)):
            continue
        if name == "extend" and not may_approve_extension(user):
            continue
        offered.append((name, label))
    return offered


EVENT_LABELS = {
    "received": _("收件"),
    "accepted": _("受理"),
    "refused": _("不予受理"),
    "notice": _("出具一次性告知"),
    "visit": _("群众到现场"),
    "step_passed": _("环节通过"),
    "returned": _("退回上一环节"),
    "decided": _("作出决定"),
    "supplement_requested": _("要求补齐补正"),
    "supplemented": _("已补齐"),
    "gaps_supplemented": _("补齐缺件"),
    "suspended": _("挂起"),
    "special": _("特别程序"),
    "resumed": _("恢复计时"),
    "extended": _("延期"),
    "deadline_computed": _("计算办结期限"),
    "completed": _("办结"),
    "delivered": _("送达"),
    "withdrawn": _("撤回"),
    "bundle_progress": _("一件事进度"),
    "card": _("亮牌"),
    "card_lifted": _("撤销亮牌"),
    "red": _("红牌"),
    "breach": _("违规记录"),
    "verified": _("告知承诺核查"),
    "revoked": _("撤销决定"),
    "credit_recorded": _("记入信用记录"),
    "notice_breach": _("告知后又索要新材料"),
}


@dataclass(frozen=True)
class TimelineRow:
    event: CaseEvent
    label: str
    old: str
    new: str


def _status_label(code: str) -> str:
    return str(Status(code).label) if code in Status.values else ""


def timeline(events) -> list[TimelineRow]:
    """The case's events with Chinese names; a status change names both states."""
    rows = []
    for e in events:
        changed = bool(e.new_status) and e.new_status != e.old_status
        rows.append(
            TimelineRow(
                event=e,
                label=str(EVENT_LABELS.get(e.type, _("其他记录"))),
                old=_status_label(e.old_status) if changed else "",
                new=_status_label(e.new_status) if changed else "",
            )
        )
    return rows


SEARCH_ROWS = 50
CASE_NUMBER = re.compile(r"^YC\d{8}(\d{7})$", re.I)
PHONE = re.compile(r"^1\d{10}$")
ID_NUMBER = re.compile(r"^\d{17}[\dXx]$")


def desk_search(user: Any, text: str) -> list[Case]:
    """The cases in the user's scope that a desk search names: the case
    number or receipt code, an applicant's full phone number or ID number
    (matched by keyed hash: the vault keeps no plain or partial identifiers),
    or words of the item's name. Most recent first, at most SEARCH_ROWS."""
    from yichuang.vault.models import id_hash, phone_hash

    text = "".join(text.split())[:60]
    if not text:
        return []
    found = Q(receipt_code__in=codes.candidates(text)) | Q(title__icontains=text)
    number = CASE_NUMBER.match(text)
    if number:
        found |= Q(pk=int(number.group(1)))
    if PHONE.match(text):
        found |= Q(person__phone_hash=phone_hash(text))
    if ID_NUMBER.match(text):
        found |= Q(person__id_hash=id_hash(text.upper()))
    return list(
        cases_for(user)
        .filter(found)
        .select_related("current_step", "department", "person")
        .order_by("-received_at", "-id")[:SEARCH_ROWS]
    )
