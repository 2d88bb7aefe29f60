"""Yellow and red cards by hand: lifted only with a reason (never deleted),
and the red card an inspector records for a rule breach. The worker records
the clock's cards (``cases.tasks.cards_refresh``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Conflict, Forbidden

from .. import events
from ..models import Card, Case
from ..permissions import may_lift_cards, may_record_breach
from .refusals import need_reason
from .steps import holder


@transaction.atomic
def card_lift(*, card: Card, actor: Any, reason: str, now: dt.datetime | None = None) -> Card:
    if not may_lift_cards(actor):
        raise Forbidden("cases.card_lift_forbidden", _("只有中心主任或督查人员可以撤销红黄牌。"))
    reason = need_reason(reason, _("撤销红黄牌"))
    card = Card.objects.select_for_update().get(pk=card.pk)
    if card.lifted_at is not None:
        raise Conflict("cases.card_lifted", _("该红黄牌已撤销。"))
    card.lifted_at = now or timezone.now()
    card.lifted_by = actor
    card.lift_reason = reason
    card.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    events.record(
        card.case, "card_lifted", actor=actor, reason=reason, level=card.level, rule=card.rule
    )
    return card


@transaction.atomic
def card_record_breach(*, case: Case, actor: Any, reason: str) -> Card:
    """A red card for a rule breach (refusal without reasons, unlawful fee)."""
    if not may_record_breach(actor):
        raise Forbidden("cases.forbidden", _("只有督查人员或中心主任可以记录违规红牌。"))
    reason = need_reason(reason, _("违规"))
    card = Card.objects.create(
        case=case,
        level="red",
        rule="breach",
        reason=reason,
        department=case.department,
        post=case.post,
        staff=holder(case.post),
    )
    events.record(case, "card", actor=actor, reason=reason, level="red", rule="breach")
    return card
