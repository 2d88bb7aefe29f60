"""Cases rolled up: one ``CaseFact`` per item case (its visits, working days
and punctuality, computed once), then ``CaseCell`` by the acceptance and
completion days (cards by the first day past the limit they are about, see
``card_day``) and the working-day
histogram ``DurationBucket``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone

from yichuang.cases.models import Card, Case, CaseVisit
from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar

from ..models import CaseCell, CaseFact, DurationBucket
from .cells import TZ, Pairs, chunks, insert_rows, local_date, replace_day_cells

DONE_CASE_STATUSES = ("completed", "delivered")

FACT_FIELDS = (
    "case_id",
    "centre",
    "department",
    "item",
    "clerk",
    "accepted_on",
    "completed_on",
    "due_date",
    "visits",
    "workdays",
    "on_time",
    "updated_at",
)
CASE_FIELDS = (
    "start",
    "department",
    "item",
    "clerk",
    "accepted",
    "completed",
    "on_time",
    "one_visit",
    "zero_visit",
    "visits",
    "yellow_cards",
    "red_cards",
)
DURATION_FIELDS = ("start", "department", "item", "workdays", "n")


def case_workdays(
    cal: wd.Calendar, accepted: dt.date, completed: dt.date, stopped: int
) -> int | None:
    """Working days from acceptance to completion, clock stops excluded; None
    when the calendar of a year in between is not loaded."""
    try:
        return max(0, wd.count_workdays(cal, accepted, completed) - (stopped or 0))
    except wd.CalendarYearMissing:
        return None


def case_on_time(completed: dt.date, due: dt.date | None, accepted: dt.date | None) -> bool:
    if due is not None:
        return completed <= due
    return accepted is not None and completed <= accepted


def refresh_facts(case_ids: Iterable[int]) -> Pairs:
    """Recompute the facts of these cases; return the (centre, day) pairs whose
    case cells changed (both the old and the new days)."""
    ids = sorted(set(case_ids))
    dirty: Pairs = set()
    if not ids:
        return set()
    cal = get_calendar()
    now = timezone.now()
    for chunk in chunks(ids):
        for centre, accepted, completed in CaseFact.objects.filter(case_id__in=chunk).values_list(
            "centre", "accepted_on", "completed_on"
        ):
            dirty.add((centre, accepted))
            dirty.add((centre, completed))
        visits = dict(
            CaseVisit.objects.filter(case_id__in=chunk)
            .order_by()
            .values("case_id")
            .annotate(n=Count("id"))
            .values_list("case_id", "n")
        )
        facts = []
        for cid, centre, item, dept, clerk, accepted, completed_at, due, status, stopped in (
            Case.objects.filter(id__in=chunk, item_id__isnull=False)
            .order_by()
            .values_list(
                "id",
                "centre_id",
                "item_id",
                "item__department_id",
                "accepted_by_id",
                "accepted_on",
                "completed_at",
                "due_date",
                "status",
                "stopped_days",
            )
        ):
            completed = (
                local_date(completed_at)
                if completed_at is not None and status in DONE_CASE_STATUSES
                else None
            )
            facts.append(
                (
                    cid,
                    centre,
                    dept or 0,
                    item,
                    clerk or 0,
                    accepted,
                    completed,
                    due,
                    visits.get(cid, 0),
                    (
                        case_workdays(cal, accepted, completed, stopped)
                        if completed and accepted
                        else None
                    ),
                    case_on_time(completed, due, accepted) if completed else None,
                    now,
                )
            )
            dirty.add((centre, accepted))
            dirty.add((centre, completed))
        CaseFact.objects.filter(case_id__in=chunk).delete()
        insert_rows(CaseFact, FACT_FIELDS, facts)
    return {(c, d) for c, d in dirty if d is not None}


def card_day(
    rule: str, recorded: dt.date, due: dt.date | None, statutory_due: dt.date | None
) -> dt.date:
    """The day a card counts for: the first day past the limit it is about
    (a worker that ran late, or history loaded at once, records it later),
    never after the day it was recorded; other rules count when recorded."""
    limit = {"committed": due, "statutory": statutory_due}.get(rule)
    if limit is None:
        return recorded
    return min(recorded, limit + dt.timedelta(days=1))


def _cards_on(centre: int, days: list[dt.date]) -> list[tuple[dt.date, int, int, int, str]]:
    """(day, department, item, clerk, level) of the centre's cards that count
    on ``days``. The clerk is the post holder carded, else the accepting clerk;
    the department the card's, else the item's."""
    lo = dt.datetime.combine(days[0], dt.time.min, tzinfo=TZ)
    hi = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
    before = (days[0] - dt.timedelta(days=1), days[-1] - dt.timedelta(days=1))
    wanted = set(days)
    out = []
    for rule, level, dept, item_dept, item, clerk, acceptor, at, due, statutory in (
        Card.objects.filter(case__centre_id=centre)
        .filter(
            Q(recorded_at__gte=lo, recorded_at__lt=hi)
            | Q(rule="committed", case__due_date__range=before, recorded_at__gte=lo)
            | Q(rule="statutory", case__statutory_due_date__range=before, recorded_at__gte=lo)
        )
        .order_by()
        .values_list(
            "rule",
            "level",
            "department_id",
            "case__item__department_id",
            "case__item_id",
            "staff_id",
            "case__accepted_by_id",
            "recorded_at",
            "case__due_date",
            "case__statutory_due_date",
        )
    ):
        day = card_day(rule, local_date(at), due, statutory)
        if day in wanted:
            out.append((day, dept or item_dept or 0, item or 0, clerk or acceptor or 0, level))
    return out


CardRow = tuple[int, str, dt.datetime, dt.date | None, dt.date | None]


def card_days(rows: Iterable[CardRow]) -> Pairs:
    """The (centre, day) pairs cards count on, from (centre, rule, recorded_at,
    due, statutory due) rows."""
    return {
        (centre, card_day(rule, local_date(at), due, statutory))
        for centre, rule, at, due, statutory in rows
    }


def recompute_cases(centre: int, days: list[dt.date]) -> None:
    if not days:
        return
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 8)
    durations: dict[tuple, int] = defaultdict(int)
    for dept, item, clerk, accepted in CaseFact.objects.filter(
        centre=centre, accepted_on__in=days
    ).values_list("department", "item", "clerk", "accepted_on"):
        cells[(accepted, dept, item, clerk)][0] += 1
    for dept, item, clerk, completed, visits, workdays, on_time in CaseFact.objects.filter(
        centre=centre, completed_on__in=days
    ).values_list("department", "item", "clerk", "completed_on", "visits", "workdays", "on_time"):
        c = cells[(completed, dept, item, clerk)]
        c[1] += 1
        c[2] += 1 if on_time else 0
        c[3] += 1 if visits <= 1 else 0
        c[4] += 1 if visits == 0 else 0
        c[5] += visits
        if workdays is not None:
            durations[(completed, dept, item, workdays)] += 1
    for day, dept, item, clerk, level in _cards_on(centre, days):
        cells[(day, dept, item, clerk)][6 if level == "yellow" else 7] += 1
    replace_day_cells(CaseCell, centre, days, CASE_FIELDS, [(*key, *v) for key, v in cells.items()])
    replace_day_cells(
        DurationBucket, centre, days, DURATION_FIELDS, [(*key, n) for key, n in durations.items()]
    )
