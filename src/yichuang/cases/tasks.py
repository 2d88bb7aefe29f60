"""Worker tasks of the cases app (run by ``yichuang worker``).

``cards_refresh`` records the yellow and red cards that the clock rules call for
(DOMAIN §4). It is set-based: for each rule one indexed query finds the running
cases that deserve a card and have none yet; the rows are claimed with
``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL) in batches, and the unique
constraint on (case, level, rule) is the last guard, so several workers can run
side by side without recording a card twice.

``deadlines_retry`` computes the due dates that were pending because a calendar
year was not loaded yet, as soon as it is.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import CharField, Exists, OuterRef, Q, Value
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.config import setting_get
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Post

from . import clock
from .models import RUNNING, Card, Case, CaseEvent, CaseStep

BATCH = 2000


def _rules(today: dt.date, cutoff: dt.date) -> list[tuple[str, Any, Q, str]]:
    step_rule = Concat(Value("step:"), Cast(OuterRef("current_step__position"), CharField()))
    return [
        ("yellow", "committed", Q(due_date__lt=today), _("超过承诺时限")),
        ("red", "after_yellow", Q(due_date__lte=cutoff), _("黄牌后逾期仍未办结")),
        ("red", "statutory", Q(statutory_due_date__lt=today), _("超过法定时限")),
        (
            "yellow",
            step_rule,
            Q(current_step__due_date__lt=today) & ~Q(current_step__kind="accept"),
            _("超过环节时限"),
        ),
        (
            "red",
            step_rule,
            Q(current_step__due_date__lte=cutoff) & ~Q(current_step__kind="accept"),
            _("环节黄牌后逾期仍未完成"),
        ),
    ]


def _holders() -> dict[int, int | None]:
    holders = {}
    for post in Post.objects.select_related("a_staff", "b_staff"):
        staff = post.holder()
        holders[post.pk] = staff.pk if staff else None
    return holders


def cards_refresh(*, today: dt.date | None = None, batch: int = BATCH) -> int:
    """Record every card now due. Returns how many were recorded."""
    today = today or timezone.localdate()
    cal = get_calendar()
    red_after = int(setting_get("case.red_after_yellow_workdays"))
    cutoff = clock.red_cutoff(cal, today, red_after)
    holders = _holders()
    made = 0
    for level, rule, condition, reason in _rules(today, cutoff):
        existing = Card.objects.filter(case=OuterRef("pk"), level=level, rule=rule)
        candidates = (
            Case.objects.filter(status__in=RUNNING)
            .filter(condition)
            .filter(~Exists(existing))
            .order_by("pk")
        )
        last = 0
        while True:
            with transaction.atomic():
                rows = list(
                    candidates.filter(pk__gt=last)
                    .select_for_update(skip_locked=True, of=("self",))
                    .values_list("pk", "department_id", "post_id", "current_step__position")[:batch]
                )
                if not rows:
                    break
                last = rows[-1][0]
                made += _record(rows, level, rule, str(reason), holders)
    return made


def _record(rows, level: str, rule: Any, reason: str, holders) -> int:
    now = timezone.now()
    cards, events = [], []
    for pk, dept, post, position in rows:
        name = rule if isinstance(rule, str) else f"step:{position}"
        cards.append(
            Card(
                case_id=pk,
                level=level,
                rule=name,
                reason=reason,
                department_id=dept,
                post_id=post,
                staff_id=holders.get(post) if post else None,
                recorded_at=now,
            )
        )
        events.append(
            CaseEvent(
                case_id=pk,
                type="card",
                reason=reason,
                data={"level": level, "rule": name},
                at=now,
            )
        )
    Card.objects.bulk_create(cards, ignore_conflicts=True)
    CaseEvent.objects.bulk_create(events)
    return len(cards)


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
            CaseEvent.objects.create(
                case=case,
                type="deadline_computed",
                reason=_("工作日历已载入，期限已计算"),
                data={"due_date": str(case.due_date)},
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
