"""Due dates: recomputed whenever the clock's inputs change (acceptance, a
clock stop's end, an extension), and extensions approved with a document
(docs/domain.md, "Cases and the clock")."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Forbidden, Unprocessable
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Staff

from .. import clock, events
from ..models import Case, CaseStep, Extension
from ..permissions import may_approve_extension, may_approve_joint_extension
from ..states import RUNNING, STOPPED
from .refusals import need_reason, not_allowed
from .steps import steps_of

log = logging.getLogger("yichuang.cases")

MAX_EXTENSION_DAYS = 10  # 行政许可法 §42 ¶1, approved by the head of the authority
# §42 ¶2: joint handling (统一/联合/集中办理; here: the member cases of a 一件事
# bundle) has 45 days and may be extended by 15, approved by the head of the
# county government.
MAX_JOINT_EXTENSION_DAYS = 15


def refresh_deadlines(
    case: Case, *, actor: Any = None, steps: list[CaseStep] | None = None
) -> None:
    """Recompute the case's due dates (and its steps'); when a calendar year is
    missing the deadline becomes pending, audited and logged once."""
    steps = steps_of(case) if steps is None else steps
    was_pending = case.deadline_pending
    changed = clock.compute_deadlines(case, steps, get_calendar())
    if changed:
        CaseStep.objects.bulk_update(changed, ["due_date"])
    if case.deadline_pending and not was_pending:
        audit_record(
            "cases.deadline_pending_calendar",
            actor=actor,
            object_type="cases.case",
            object_id=case.pk,
            accepted_on=str(case.accepted_on),
        )
        case_id = case.pk
        transaction.on_commit(
            lambda: log.warning(
                "case %s: deadline pending calendar — load the next year's working days",
                case_id,
            )
        )


def extend(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    days: int | str = 0,
    document: str = "",
) -> None:
    """延期: ``days`` more working days, approved (``document``: the approval's
    number) by the head of the authority, or of the county government for the
    member cases of a bundle (行政许可法 §42)."""
    if case.status not in RUNNING and case.status not in STOPPED:
        raise not_allowed(case, "extend")
    if case.accepted_on is None:
        raise not_allowed(case, "extend")
    joint = case.parent_id is not None
    if joint and not may_approve_joint_extension(actor):
        raise Forbidden(
            "cases.approval_required",
            _("联合办理的办件延期须经本级人民政府负责人批准（行政许可法第四十二条第二款）。"),
        )
    if not may_approve_extension(actor):
        raise Forbidden("cases.approval_required", _("延期须由中心主任或部门负责人审批。"))
    limit = MAX_JOINT_EXTENSION_DAYS if joint else MAX_EXTENSION_DAYS
    reason = need_reason(note, _("延期"))
    document = (document or "").strip()
    if not document:
        raise Unprocessable("cases.approval_document", _("请填写延期审批文书编号。"))
    try:
        n = int(days)
    except (TypeError, ValueError):
        n = 0
    if n < 1 or case.extension_days + n > limit:
        raise Unprocessable(
            "cases.extension_too_long",
            _("延期合计不得超过 %(n)d 个工作日（行政许可法第四十二条）。") % {"n": limit},
            max_days=limit,
        )
    Extension.objects.create(
        case=case, days=n, reason=reason, approval_document=document, approved_by=actor
    )
    case.extension_days += n
    old_due = case.due_date
    refresh_deadlines(case, actor=actor)
    events.record(
        case,
        "extended",
        actor=actor,
        old=case.status,
        new=case.status,
        reason=reason,
        document=document,
        at=now,
        days=n,
        old_due=str(old_due),
        new_due=str(case.due_date),
        basis="行政许可法第四十二条第二款" if joint else "行政许可法第四十二条第一款",
    )
