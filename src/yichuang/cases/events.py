"""The case event writer: every transition or fact in a case's life is one
``CaseEvent`` row (the timeline, the audit trail, the KPIs' raw data)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone

from yichuang.lib.crypto import redact_id_numbers

from .models import Card, Case, CaseEvent, CaseStep


def record(
    case: Case,
    type: str,
    *,
    actor: Any,
    old: str = "",
    new: str = "",
    reason: str = "",
    document: str = "",
    step: CaseStep | None = None,
    at: dt.datetime | None = None,
    **data: Any,
) -> CaseEvent:
    """Write one event of ``case``; ``data`` is kept as the event's JSON."""
    return CaseEvent.objects.create(
        case=case,
        type=type,
        old_status=old,
        new_status=new,
        step=step,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(getattr(actor, "display_name", "") or getattr(actor, "username", "")),
        reason=redact_id_numbers(reason)[:500] if reason else "",
        document=(document or "")[:120],
        data=data,
        at=at or timezone.now(),
    )


def transition(
    case: Case, new: str, *, actor: Any, type: str, reason: str = "", **kw: Any
) -> CaseEvent:
    """Move ``case`` to status ``new`` (unsaved) and record the move."""
    old = case.status
    case.status = new
    return record(case, type, actor=actor, old=old, new=new, reason=reason, **kw)


def record_cards(cards: Iterable[Card]) -> list[CaseEvent]:
    """One ``card`` event per card the worker recorded, at the card's time."""
    return CaseEvent.objects.bulk_create(
        CaseEvent(
            case_id=card.case_id,
            type="card",
            reason=card.reason,
            data={"level": card.level, "rule": card.rule},
            at=card.recorded_at,
        )
        for card in cards
    )
