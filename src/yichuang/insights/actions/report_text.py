"""The director's words of a monthly report, saved per month and scope."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Forbidden, Unprocessable
from yichuang.org.permissions import holds

from ..models import ReportText

# Who signs a report: the director of the centre (or the county's administrator).
SIGNERS = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN)
MAX_CHARS = 4000


def may_edit_report_text(user: Any) -> bool:
    return holds(user, *SIGNERS)


def report_text_save(
    *, scope_key: str, month: dt.date, actor: Any, overall: str, problems: str, measures: str
) -> ReportText:
    """Store the words (the caller has resolved ``scope_key`` within the
    actor's scope); an empty part falls back to the draft when printed."""
    if not may_edit_report_text(actor):
        raise Forbidden("insights.report_text_forbidden", _("只有中心负责人可以审定报告文字。"))
    parts = {"overall": overall, "problems": problems, "measures": measures}
    parts = {key: (value or "").strip() for key, value in parts.items()}
    if any(len(value) > MAX_CHARS for value in parts.values()):
        raise Unprocessable(
            "insights.report_text_too_long",
            _("每段文字不超过 %(n)s 字。") % {"n": MAX_CHARS},
        )
    with transaction.atomic():
        text, _created = ReportText.objects.select_for_update().get_or_create(
            scope_key=scope_key, month=month.replace(day=1)
        )
        for key, value in parts.items():
            setattr(text, key, value)
        text.edited_by = actor
        text.save()
        audit_record(
            "insights.report_text_save",
            actor=actor,
            obj=text,
            scope=scope_key,
            month=f"{month:%Y-%m}",
        )
    return text
