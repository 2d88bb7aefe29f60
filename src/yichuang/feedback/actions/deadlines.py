"""Deadlines of a bad rating's handling and of a complaint's reply, in working
days (docs/domain.md, "Working days"); left empty while the calendar year is
missing and filled in by the worker once it is loaded."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from yichuang.lib import workdays
from yichuang.lib.config import DEFAULTS as SETTING_DEFAULTS
from yichuang.lib.config import Setting, setting_get
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import add_workdays, get_calendar

from ..models import Complaint, Rectification
from .common import set_fields


def due(start: dt.date, days: int) -> dt.date | None:
    """``days`` working days after ``start``, or None while the calendar year
    is missing."""
    try:
        return add_workdays(start, days)
    except CalendarYearMissing:
        return None


def _settings(*keys: str) -> list[Any]:
    """Several settings in one query (``setting_get`` reads one per query)."""
    rows = dict(Setting.objects.filter(key__in=keys).values_list("key", "value"))
    return [rows[k] if k in rows else SETTING_DEFAULTS[k][0] for k in keys]


def rectification_deadlines(day: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Call-back and rectification due dates of a bad rating given on ``day``:
    one settings query and one calendar check (the rating's hot path)."""
    callback_days, rectify_days = _settings("rating.callback_workdays", "rating.rectify_workdays")
    calendar = get_calendar()
    dues: list[dt.date | None] = []
    for n in (callback_days, rectify_days):
        try:
            dues.append(workdays.add_workdays(calendar, day, n))
        except CalendarYearMissing:
            dues.append(None)
    return dues[0], dues[1]


def complaint_deadlines(kind: str, day: dt.date, is_complex: bool = False) -> dict[str, Any]:
    """The reply deadline of a complaint received on ``day`` and, for "办不成事",
    the deadline of its reasons (docs/domain.md, "Window rules")."""
    if kind == Complaint.Kind.PRAISE:
        return {"due_date": None, "reasons_due": None}
    if kind == Complaint.Kind.UNSOLVED:
        days = setting_get(
            "complaint.unsolved_complex_workdays" if is_complex else "complaint.unsolved_workdays"
        )
        return {
            "due_date": due(day, days),
            "reasons_due": due(day, setting_get("complaint.unsolved_reasons_workdays")),
        }
    return {"due_date": due(day, setting_get("complaint.reply_workdays")), "reasons_due": None}


def deadlines_fill_pending() -> int:
    """Compute deadlines left empty while a calendar year was missing."""
    done = 0
    for rect in Rectification.objects.filter(rectify_due__isnull=True).select_related("rating")[
        :500
    ]:
        cb = due(rect.rating.day, setting_get("rating.callback_workdays"))
        rd = due(rect.rating.day, setting_get("rating.rectify_workdays"))
        if rd is not None:
            set_fields(rect, {"callback_due": cb, "rectify_due": rd})
            done += 1
    for c in Complaint.objects.filter(due_date__isnull=True).exclude(kind=Complaint.Kind.PRAISE)[
        :500
    ]:
        fields = complaint_deadlines(c.kind, timezone.localdate(c.received_at), c.is_complex)
        if fields["due_date"] is not None:
            set_fields(c, fields)
            done += 1
    return done
