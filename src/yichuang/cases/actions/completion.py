"""The end of a case: 办结 (the result issued, once every 容缺 gap is closed),
送达 (delivery), and 撤回 (withdrawal by the applicant, with reasons; a bundle
withdraws its member cases).

The handlers run inside ``case_act`` on the locked case, which saves it.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.lib.errors import Conflict, Unprocessable
from yichuang.org.models import Staff

from .. import events
from ..models import Case, MaterialReceipt
from ..states import CLOSED, STOPPED, Status
from .clock_stops import close_stop
from .refusals import need_reason, not_allowed
from .steps import activate, check_step_actor, finish, next_step

DELIVERY_METHODS = {
    "window": gettext_lazy("窗口领取"),
    "mail": gettext_lazy("邮寄送达"),
    "electronic": gettext_lazy("电子送达"),
}


def complete(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    document: str = "",
) -> None:
    """办结 a decided case (``document``: the result's number); held while a
    容缺 gap is open. The case gets its rating code."""
    if case.status != Status.DECIDED:
        raise not_allowed(case, "complete")
    open_gaps = case.materials.filter(how=MaterialReceipt.How.TOLERATED, supplemented_at=None)
    if open_gaps.exists():
        raise Conflict(
            "cases.result_held",
            _("容缺材料尚未补齐，办理结果暂不能发放。"),
            missing=list(open_gaps.values_list("code", flat=True)),
        )
    step = case.current_step
    if step is not None:
        if step.kind == "complete":
            check_step_actor(case, actor, staff)
            finish(step, staff, now)
            step = next_step(case, step)
        activate(case, step, now)
    case.completed_at = now
    case.rating_code = case.rating_code or secrets.token_urlsafe(12)
    events.transition(
        case,
        Status.COMPLETED,
        actor=actor,
        type="completed",
        reason=note,
        at=now,
        document=str(document or ""),
    )


def deliver(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    method: str = "window",
) -> None:
    """送达 a completed case's result (``method``: one of ``DELIVERY_METHODS``)."""
    if case.status != Status.COMPLETED:
        raise not_allowed(case, "deliver")
    if method not in DELIVERY_METHODS:
        raise Unprocessable("cases.delivery_method", _("送达方式须为窗口领取、邮寄或电子送达。"))
    step = case.current_step
    if step is not None:
        finish(step, staff, now)
    case.current_step = None
    case.delivered_at = now
    case.delivery_method = method
    events.transition(
        case, Status.DELIVERED, actor=actor, type="delivered", reason=note, at=now, method=method
    )


def withdraw(case: Case, *, actor: Any, staff: Staff | None, note: str, now: dt.datetime) -> None:
    """撤回, with reasons: a running clock stop ends; a bundle's open member
    cases are withdrawn with it."""
    if case.status in CLOSED:
        raise not_allowed(case, "withdraw")
    reason = need_reason(note, _("撤回"))
    if case.status in STOPPED and case.accepted_on is not None:
        close_stop(case, now=now)
    case.current_step = None
    events.transition(case, Status.WITHDRAWN, actor=actor, type="withdrawn", reason=reason, at=now)
    if case.is_bundle:
        for child in case.children.select_for_update().exclude(status__in=CLOSED):
            child.current_step = None
            events.transition(
                child, Status.WITHDRAWN, actor=actor, type="withdrawn", reason=reason, at=now
            )
            child.save()
