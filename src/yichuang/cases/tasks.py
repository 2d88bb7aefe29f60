"""Worker tasks of the cases app (run by ``yichuang worker``).

``cards_refresh`` records the yellow and red cards that the clock rules call for
(docs/domain.md, "Cases and the clock"). For each rule one query finds the
running cases that deserve the card and have none yet; the cards and their
``CaseEvent`` rows are then written in batches. Once the backlog is carded, a
pass reads only the few cases that became late since the last one.

Several workers are safe: each rule runs in its own transaction and locks the
cases it cards (``select_for_update(skip_locked=True)``: a case another worker
is carding is left to it), then reads again which of them got the card in the
meantime; SQLite serialises writers anyway, and the unique constraint on
(case, level, rule) is the last guard, so a card is never recorded twice.

``deadlines_retry`` computes the due dates that were pending because a calendar
year was not loaded yet, as soon as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.config import setting_get
from yichuang.org.calendar import get_calendar
from yichuang.org.selectors import away_q

from . import clock, events
from .models import Card, Case, CaseStep
from .states import RUNNING

BATCH = 1000


@dataclass(frozen=True)
class CardRule:
    level: str
    # The card's rule: a fixed name, or None for the current step's
    # ``step:<position>``.
    rule: str | None
    condition: Q
    reason: str


def _rules(today: dt.date, cutoff: dt.date) -> list[CardRule]:
    """The card rules: late against the committed, the statutory or the current
    step's due date; red once the committed limit's yellow lasts longer than the
    setting allows, or past the statutory limit (a late step stays yellow)."""
    a_step = ~Q(current_step__kind="accept")
    return [
        CardRule("yellow", "committed", Q(due_date__lt=today), _("超过承诺时限")),
        CardRule("red", "after_yellow", Q(due_date__lte=cutoff), _("黄牌后逾期仍未办结")),
        CardRule("red", "statutory", Q(statutory_due_date__lt=today), _("超过法定时限")),
        # A late step gives a yellow only: red is for the case's own limits.
        CardRule("yellow", None, Q(current_step__due_date__lt=today) & a_step, _("超过环节时限")),
    ]


def _rule_name(rule: CardRule) -> Any:
    if rule.rule is not None:
        return Value(rule.rule, output_field=models.CharField())
    return Concat(
        Value("step:"),
        Cast("current_step__position", models.CharField()),
        output_field=models.CharField(),
    )


def _holder(today: dt.date) -> models.Case:
    """The post's holder on ``today``: A when in, else B when in (the dated
    absences and the presence flag, ``org.selectors.holder_on``)."""
    return models.Case(
        models.When(
            Q(post__a_staff__isnull=False) & ~away_q(today, "post__a_staff__"),
            then=F("post__a_staff_id"),
        ),
        models.When(
            Q(post__b_staff__isnull=False) & ~away_q(today, "post__b_staff__"),
            then=F("post__b_staff_id"),
        ),
        default=None,
        output_field=models.IntegerField(),
    )


def _due(
    rule: CardRule, today: dt.date
) -> list[tuple[int, str, int | None, int | None, int | None]]:
    """(case, rule, department, post, holder) of each running case the rule
    calls a card for and that has none, locked; cases locked by another
    worker are skipped."""
    has_card = Card.objects.filter(case_id=OuterRef("pk"), level=rule.level, rule=OuterRef("rule"))
    return list(
        Case.objects.filter(rule.condition, status__in=RUNNING)
        .annotate(rule=_rule_name(rule), holder=_holder(today))
        .filter(~Exists(has_card))
        .order_by()
        .select_for_update(skip_locked=True, of=("self",))
        .values_list("pk", "rule", "department_id", "post_id", "holder")
    )


def _record(
    rule: CardRule, due: Sequence[tuple[int, str, int | None, int | None, int | None]], now: Any
) -> int:
    """Write the cards (and their events) of ``due``, but for a case that got
    its card from another worker since the read: the locks now held make the
    second read final."""
    carded = set(
        Card.objects.filter(
            case_id__in=[row[0] for row in due], level=rule.level, rule__in={row[1] for row in due}
        ).values_list("case_id", "rule")
    )
    cards = Card.objects.bulk_create(
        Card(
            case_id=case_id,
            level=rule.level,
            rule=name,
            reason=rule.reason,
            department_id=department_id,
            post_id=post_id,
            staff_id=staff_id,
            recorded_at=now,
        )
        for case_id, name, department_id, post_id, staff_id in due
        if (case_id, name) not in carded
    )
    events.record_cards(cards)
    return len(cards)


def cards_refresh(*, today: dt.date | None = None) -> int:
    """Record every card now due. Returns how many were recorded."""
    today = today or timezone.localdate()
    cal = get_calendar()
    red_after = int(setting_get("case.red_after_yellow_workdays"))
    cutoff = clock.red_cutoff(cal, today, red_after)
    made = 0
    for rule in _rules(today, cutoff):
        with transaction.atomic():
            due = _due(rule, today)
            now = timezone.now()
            for start in range(0, len(due), BATCH):
                made += _record(rule, due[start : start + BATCH], now)
    return made


def deadlines_retry(*, batch: int = 500) -> int:
    """Compute deadlines left pending for want of a calendar year."""
    cal = get_calendar()
    done = 0
    ids = list(
        Case.objects.filter(deadline_pending=True, accepted_on__isnull=False).values_list(
            "pk", flat=True
        )[:batch]
    )
    for pk in ids:
        with transaction.atomic():
            case = Case.objects.select_for_update().get(pk=pk)
            steps = list(CaseStep.objects.filter(case=case).order_by("position"))
            changed = clock.compute_deadlines(case, steps, cal)
            if case.deadline_pending:
                continue
            CaseStep.objects.bulk_update(changed, ["due_date"])
            case.save(
                update_fields=[
                    "due_date",
                    "statutory_due_date",
                    "deadline_pending",
                    "deadline_provisional",
                    "updated_at",
                ]
            )
            events.record(
                case,
                "deadline_computed",
                actor=None,
                reason=_("工作日历已载入，期限已计算"),
                due_date=str(case.due_date),
            )
            done += 1
    return done


def _cards() -> int:
    return cards_refresh()


def _deadlines() -> int:
    return deadlines_retry()


TASKS = [
    ("cases.cards", 300, _cards),
    ("cases.deadlines", 3600, _deadlines),
]
