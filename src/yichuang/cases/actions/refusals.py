"""The refusals every case action shares: a reason that must be given, an
action the case's status does not allow."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yichuang.lib.errors import Conflict, Unprocessable

from ..models import Case


def need_reason(note: str | None, what: str) -> str:
    """The stripped ``note``, or 422 ``cases.reason_required``."""
    note = (note or "").strip()
    if not note:
        raise Unprocessable("cases.reason_required", _("请填写%(w)s的理由。") % {"w": what})
    return note


def not_allowed(case: Case, action: str) -> Conflict:
    return Conflict(
        "cases.action_not_allowed",
        _("办件当前状态为“%(s)s”，不能执行该操作。") % {"s": case.get_status_display()},
        action=action,
        status_now=case.status,
    )
