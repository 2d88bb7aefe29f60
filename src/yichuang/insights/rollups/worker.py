"""The worker's side: each source table is read past its cursor, the (centre,
day) cells its new rows touch are worked out, and exactly those cells (and
their months) are recomputed.

Concurrency: every write of roll-ups happens in a transaction that first locks
the ``lock`` cursor row (``select_for_update(skip_locked=True)``; a SQLite
database has a single writer anyway) and then moves the source cursor with a
conditional UPDATE, so several workers may run: one works, the others skip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import Max
from django.utils import timezone

from yichuang.cases.models import Card, CaseEvent, CaseVisit
from yichuang.feedback.models import FeedbackEvent, Rectification
from yichuang.queueing.models import TicketEvent

from ..models import CaseCell, Cursor, DurationBucket, RectificationCell, TicketCell, WaitBucket
from .cases import card_days, recompute_cases, refresh_facts
from .cells import Pairs, by_centre, local_date, month_start, refresh_months
from .rectifications import recompute_rectifications
from .tickets import recompute_tickets

# Rows newer than this may still belong to transactions that commit out of id order.
SETTLE_SECONDS = 2
BATCH = 5000

Recompute = Callable[[int, list[dt.date]], None]
# family → (recompute the day cells of one centre, the cell tables it writes)
FAMILIES: dict[str, tuple[Recompute, tuple[type[models.Model], ...]]] = {
    "tickets": (recompute_tickets, (TicketCell, WaitBucket)),
    "cases": (recompute_cases, (CaseCell, DurationBucket)),
    "rectifications": (recompute_rectifications, (RectificationCell,)),
}


def apply(dirty: dict[str, Pairs]) -> int:
    """Recompute the day cells and then the month rows of every dirty pair."""
    touched = 0
    for family, pairs in dirty.items():
        recompute, cell_models = FAMILIES[family]
        for centre, days in by_centre(pairs).items():
            recompute(centre, days)
            months = {month_start(d) for d in days}
            for model in cell_models:
                refresh_months(model, centre, months)
            touched += len(days)
    return touched


# --- what a batch of each source makes dirty ----------------------------------------


def _ticket_event_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    pairs: Pairs = set(
        TicketEvent.objects.filter(id__gt=lo, id__lte=hi, ticket__isnull=False)
        .order_by()
        .values_list("centre_id", "ticket__day")
        .distinct()
    )
    return {"tickets": pairs}


def _case_event_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    ids = (
        CaseEvent.objects.filter(id__gt=lo, id__lte=hi).order_by().values_list("case_id", flat=True)
    )
    return {"cases": refresh_facts(set(ids))}


def _case_visit_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    visits = CaseVisit.objects.filter(id__gt=lo, id__lte=hi).order_by()
    ids = visits.values_list("case_id", flat=True)
    # A ticket at a comprehensive window counts for its case's department.
    tickets: Pairs = set(
        visits.filter(ticket__isnull=False).values_list("ticket__centre_id", "ticket__day")
    )
    return {"cases": refresh_facts(set(ids)), "tickets": tickets}


def _card_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    rows = list(
        Card.objects.filter(id__gt=lo, id__lte=hi).values_list(
            "case__centre_id", "rule", "recorded_at", "case__due_date", "case__statutory_due_date"
        )
    )
    pairs = {(c, local_date(at)) for c, _r, at, _d, _s in rows} | card_days(rows)
    return {"cases": pairs}


def _feedback_event_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    rows = list(
        FeedbackEvent.objects.filter(id__gt=lo, id__lte=hi)
        .order_by()
        .values_list("rating_id", "rectification_id")
    )
    rating_ids = {r for r, _x in rows if r}
    rect_ids = {x for _r, x in rows if x}
    due = Rectification.objects.filter(rectify_due__isnull=False)
    pairs = set(due.filter(id__in=rect_ids).values_list("centre_id", "rectify_due"))
    pairs |= set(due.filter(rating_id__in=rating_ids).values_list("centre_id", "rectify_due"))
    return {"rectifications": pairs}


def _rectification_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    pairs = set(
        Rectification.objects.filter(id__gt=lo, id__lte=hi, rectify_due__isnull=False)
        .order_by()
        .values_list("centre_id", "rectify_due")
        .distinct()
    )
    return {"rectifications": pairs}


# source name → (table, its time field, what a batch of it makes dirty)
SOURCES: dict[str, tuple[type[models.Model], str, Callable[[int, int], dict[str, Pairs]]]] = {
    "ticket_event": (TicketEvent, "at", _ticket_event_dirty),
    "case_event": (CaseEvent, "at", _case_event_dirty),
    "case_visit": (CaseVisit, "created_at", _case_visit_dirty),
    "card": (Card, "recorded_at", _card_dirty),
    "rectification": (Rectification, "created_at", _rectification_dirty),
    "feedback_event": (FeedbackEvent, "at", _feedback_event_dirty),
}


# --- cursors ---------------------------------------------------------------------------


def cursor_of(source: str) -> Cursor:
    try:
        cursor, _created = Cursor.objects.get_or_create(source=source)
    except IntegrityError:
        cursor = Cursor.objects.get(source=source)
    return cursor


def _lock() -> bool:
    """Take the roll-up lock for this transaction; False if another holds it."""
    cursor_of("lock")
    return (
        Cursor.objects.select_for_update(skip_locked=True).filter(source="lock").first() is not None
    )


def _settled_upto(
    model: type[models.Model], time_field: str, after: int, limit: int, settle: float
) -> int | None:
    """The last id of the contiguous run of rows after ``after`` that are old
    enough to be settled (no earlier id can still be committing)."""
    cutoff = timezone.now() - dt.timedelta(seconds=settle)
    last = None
    for pk, at in (
        model._default_manager.filter(id__gt=after)
        .order_by("id")
        .values_list("id", time_field)[:limit]
    ):
        if at is not None and at >= cutoff:
            break
        last = pk
    return last


def tick_source(source: str, limit: int = BATCH, settle: float = SETTLE_SECONDS) -> int:
    """Apply one batch of one source; the number of rows read (0 = nothing/busy)."""
    model, time_field, dirty_of = SOURCES[source]
    cursor = cursor_of(source)
    upto = _settled_upto(model, time_field, cursor.last_id, limit, settle)
    if upto is None:
        return 0
    with transaction.atomic():
        if not _lock():
            return 0
        claimed = Cursor.objects.filter(pk=cursor.pk, last_id=cursor.last_id).update(
            last_id=upto, last_at=timezone.now()
        )
        if not claimed:
            return 0
        apply(dirty_of(cursor.last_id, upto))
    return upto - cursor.last_id


def rollup_tick(settle: float = SETTLE_SECONDS) -> str:
    """The worker task: bring every roll-up up to date, batch by batch."""
    done = []
    for source in SOURCES:
        total = 0
        for _round in range(100):
            n = tick_source(source, settle=settle)
            if not n:
                break
            total += n
        if total:
            done.append(f"{source}+{total}")
    return ", ".join(done)


def freshness() -> dict[str, Any]:
    """When the roll-ups were last brought up to date, and whether the queue's
    events have run ahead of them (no worker running)."""
    last = Cursor.objects.exclude(source="lock").aggregate(t=Max("updated_at"))["t"]
    cursor = Cursor.objects.filter(source="ticket_event").values_list("last_id", flat=True).first()
    newest = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
    return {"updated_at": last, "behind": newest > (cursor or 0) + BATCH}
