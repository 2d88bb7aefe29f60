"""Keeping the roll-up tables (models.py) in step with the facts.

The facts live in other apps; no app imports insights (DESIGN §3), so the
roll-ups follow the event tables from here: ``rollup_tick`` (run by the worker)
reads each source table past its cursor, works out which (centre, day) cells the
new rows touch, and recomputes exactly those cells from the source rows. A
``rebuild`` recomputes every cell the same way, so the two agree by
construction; ``tests/insights/test_rollups.py`` checks that they do.

Models of apps that may not be installed yet (cases, feedback) are looked up by
name; when one is missing its roll-ups stay empty and its KPIs are null.

Concurrency: every write of roll-ups happens in a transaction that first locks
the ``lock`` cursor row (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; a
SQLite database has a single writer anyway) and then moves the source cursor with
a conditional UPDATE, so several workers may run: one works, the others skip.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import Max, Min
from django.utils import timezone

from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.queueing.models import Ticket, TicketEvent

from .models import (
    CaseCell,
    CaseFact,
    Cursor,
    DurationBucket,
    Grain,
    RatingCell,
    RectificationCell,
    TicketCell,
    WaitBucket,
)

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
# Waits are bucketed by whole minutes; anything longer falls in the last bucket.
WAIT_CAP_MINUTES = 600
# Local hours whose tickets count as issued at peak time (09:00–11:00, 14:00–16:00).
PEAK_HOURS = frozenset({9, 10, 14, 15})
# Rows newer than this may still belong to transactions that commit out of id order.
SETTLE_SECONDS = 2
BATCH = 5000
DONE_CASE_STATUSES = ("completed", "delivered")
DONE_RECTIFICATION = ("feedback_given", "closed")

Pairs = set[tuple[int, dt.date]]


def source_model(label: str) -> Any:
    """The model ``app.Model`` or None while that app has not landed."""
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(TZ).date()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def _by_centre(pairs: Iterable[tuple[int, dt.date]]) -> dict[int, list[dt.date]]:
    out: dict[int, set[dt.date]] = defaultdict(set)
    for centre, day in pairs:
        if centre and day:
            out[centre].add(day)
    return {c: sorted(days) for c, days in out.items()}


def _chunks(seq: list[Any], size: int = 2000) -> Iterable[list[Any]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def insert_rows(model: Any, fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Roll-up rows are many and need no model logic: COPY on PostgreSQL, a
    multi-row INSERT … VALUES (…), (…) on SQLite (one statement per few thousand
    rows, not one per row). A long INSERT with thousands of parameters is slow
    on PostgreSQL for the driver's own sake (it parses every statement it has
    not cached), so it is not used there."""
    if not rows:
        return
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(model._meta.get_field(f).column) for f in fields)
    if connection.vendor == "postgresql":
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    head = f"INSERT INTO {table} ({columns}) VALUES "
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    per = max(1, 30000 // len(fields))  # stays under SQLite's 32766 parameters
    with connection.cursor() as cursor:
        for chunk in _chunks(rows, per):
            cursor.execute(head + ", ".join([one] * len(chunk)), [v for r in chunk for v in r])


def _replace_cells(
    model: Any, centre: int, days: list[dt.date], fields: tuple[str, ...], rows: list[tuple]
) -> None:
    """Replace the day rows of ``centre`` on ``days``; rows start with (start, dims…)."""
    model.objects.filter(grain=Grain.DAY, centre=centre, start__in=days).delete()
    insert_rows(model, ("grain", "centre", *fields), [(Grain.DAY, centre, *r) for r in rows])


# --- tickets ---------------------------------------------------------------------


def ticket_wait(issued_at: dt.datetime, called_at: dt.datetime) -> int:
    """Whole seconds a called ticket waited."""
    return max(0, int((called_at - issued_at).total_seconds()))


def wait_minute(seconds: int) -> int:
    return min(seconds // 60, WAIT_CAP_MINUTES)


def is_peak(issued_at: dt.datetime) -> bool:
    return issued_at.astimezone(TZ).hour in PEAK_HOURS


def recompute_tickets(centre: int, days: list[dt.date]) -> None:
    if not days:
        return
    wanted = set(days)
    rows = list(
        Ticket.objects.filter(centre_id=centre, day__gte=days[0], day__lte=days[-1])
        .order_by()
        .values_list(
            "id",
            "day",
            "queue_id",
            "window_id",
            "window__department_id",
            "clerk_id",
            "channel",
            "status",
            "issued_at",
            "called_at",
            "started_at",
            "finished_at",
        )
    )
    rows = [r for r in rows if r[1] in wanted]
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 8)
    buckets: dict[tuple, int] = defaultdict(int)
    for (
        _tid,
        day,
        queue,
        window,
        dept,
        clerk,
        channel,
        status,
        issued,
        called,
        started,
        done,
    ) in rows:
        c = cells[(day, dept or 0, window or 0, queue, clerk or 0)]
        if channel == "transfer":
            c[1] += 1
        else:
            c[0] += 1
        if called is not None:
            c[2] += 1
            wait = ticket_wait(issued, called)
            c[6] += wait
            buckets[(day, dept or 0, queue, is_peak(issued), wait_minute(wait))] += 1
        if status == "done":
            c[3] += 1
            if done is not None:
                c[7] += max(0, int((done - (started or called or issued)).total_seconds()))
        elif status == "no_show":
            c[4] += 1
        elif status == "cancelled":
            c[5] += 1
    _replace_cells(
        TicketCell,
        centre,
        days,
        (
            "start",
            "department",
            "window",
            "queue",
            "clerk",
            "issued",
            "transfers_in",
            "called",
            "served",
            "no_show",
            "cancelled",
            "wait_seconds",
            "service_seconds",
        ),
        [
            (day, dept, window, queue, clerk, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
            for (day, dept, window, queue, clerk), v in cells.items()
        ],
    )
    _replace_cells(
        WaitBucket,
        centre,
        days,
        ("start", "department", "queue", "peak", "minute", "n"),
        [
            (day, dept, queue, peak, minute, n)
            for (day, dept, queue, peak, minute), n in buckets.items()
        ],
    )


# --- cases -----------------------------------------------------------------------


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


def refresh_facts(case_ids: Iterable[int]) -> Pairs:
    """Recompute the facts of these cases; return the (centre, day) pairs whose
    case cells changed (both the old and the new days)."""
    case_model = source_model("cases.Case")
    visit_model = source_model("cases.CaseVisit")
    ids = sorted(set(case_ids))
    dirty: Pairs = set()
    if case_model is None or not ids:
        return dirty
    cal = get_calendar()
    now = timezone.now()
    for chunk in _chunks(ids, 2000):
        old = {
            f.case_id: f
            for f in CaseFact.objects.filter(case_id__in=chunk).only(
                "case_id", "centre", "accepted_on", "completed_on"
            )
        }
        for f in old.values():
            dirty.add((f.centre, f.accepted_on))
            dirty.add((f.centre, f.completed_on))
        visits: dict[int, int] = defaultdict(int)
        if visit_model is not None:
            for case_id, n in (
                visit_model.objects.filter(case_id__in=chunk)
                .order_by()
                .values("case_id")
                .annotate(n=models.Count("id"))
                .values_list("case_id", "n")
            ):
                visits[case_id] = n
        facts = []
        for cid, centre, item, dept, clerk, accepted, completed_at, due, status, stopped in (
            case_model.objects.filter(id__in=chunk, item_id__isnull=False)
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
    card_model = source_model("cases.Card")
    if card_model is not None:
        lo = dt.datetime.combine(days[0], dt.time.min, tzinfo=TZ)
        hi = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time.min, tzinfo=TZ)
        wanted = set(days)
        for level, dept, item_dept, item, clerk, at in (
            card_model.objects.filter(
                case__centre_id=centre, recorded_at__gte=lo, recorded_at__lt=hi
            )
            .order_by()
            .values_list(
                "level",
                "department_id",
                "case__item__department_id",
                "case__item_id",
                "staff_id",
                "recorded_at",
            )
        ):
            day = local_date(at)
            if day not in wanted:
                continue
            c = cells[(day, dept or item_dept or 0, item or 0, clerk or 0)]
            c[6 if level == "yellow" else 7] += 1
    _replace_cells(
        CaseCell,
        centre,
        days,
        (
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
        ),
        [
            (day, dept, item, clerk, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
            for (day, dept, item, clerk), v in cells.items()
        ],
    )
    _replace_cells(
        DurationBucket,
        centre,
        days,
        ("start", "department", "item", "workdays", "n"),
        [(day, dept, item, w, n) for (day, dept, item, w), n in durations.items()],
    )


# --- ratings and rectifications --------------------------------------------------


def recompute_ratings(centre: int, days: list[dt.date]) -> None:
    rating = source_model("feedback.Rating")
    if rating is None or not days:
        return
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 7)
    for day, dept, window, queue, clerk, item, level, excluded, default in (
        rating.objects.filter(centre_id=centre, day__in=days)
        .order_by()
        .values_list(
            "day",
            "department_id",
            "window_id",
            "queue_id",
            "clerk_id",
            "item_id",
            "level",
            "excluded",
            "is_default",
        )
    ):
        c = cells[(day, dept or 0, window or 0, queue or 0, clerk or 0, item or 0)]
        if excluded:
            c[5] += 1
        elif default:
            c[6] += 1
        else:
            c[level - 1] += 1
    _replace_cells(
        RatingCell,
        centre,
        days,
        (
            "start",
            "department",
            "window",
            "queue",
            "clerk",
            "item",
            "n1",
            "n2",
            "n3",
            "n4",
            "n5",
            "excluded",
            "defaulted",
        ),
        [
            (day, dept, window, queue, clerk, item, v[0], v[1], v[2], v[3], v[4], v[5], v[6])
            for (day, dept, window, queue, clerk, item), v in cells.items()
        ],
    )


def rectification_done_on(status: str, feedback_at, closed_at) -> dt.date | None:
    if status not in DONE_RECTIFICATION:
        return None
    at = feedback_at or closed_at
    return local_date(at) if at is not None else None


def recompute_rectifications(centre: int, days: list[dt.date]) -> None:
    rect = source_model("feedback.Rectification")
    if rect is None or not days:
        return
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 4)
    for due, dept, status, feedback_at, closed_at in (
        rect.objects.filter(centre_id=centre, rectify_due__in=days)
        .order_by()
        .values_list("rectify_due", "department_id", "status", "feedback_at", "closed_at")
    ):
        c = cells[(due, dept or 0)]
        c[0] += 1
        done = rectification_done_on(status, feedback_at, closed_at)
        if status in DONE_RECTIFICATION:
            c[1 if done is None or done <= due else 2] += 1
        else:
            c[3] += 1
    _replace_cells(
        RectificationCell,
        centre,
        days,
        ("start", "department", "due", "on_time", "late", "open"),
        [(day, dept, v[0], v[1], v[2], v[3]) for (day, dept), v in cells.items()],
    )


# --- month rows --------------------------------------------------------------------

SUMS: dict[Any, tuple[str, ...]] = {
    TicketCell: (
        "issued",
        "transfers_in",
        "called",
        "served",
        "no_show",
        "cancelled",
        "wait_seconds",
        "service_seconds",
    ),
    WaitBucket: ("n",),
    CaseCell: (
        "accepted",
        "completed",
        "on_time",
        "one_visit",
        "zero_visit",
        "visits",
        "yellow_cards",
        "red_cards",
    ),
    DurationBucket: ("n",),
    RatingCell: ("n1", "n2", "n3", "n4", "n5", "excluded", "defaulted"),
    RectificationCell: ("due", "on_time", "late", "open"),
}


def dims_of(model: Any) -> tuple[str, ...]:
    skip = {"id", "grain", "start", "centre", *SUMS[model]}
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in skip)


def refresh_months(model: Any, centre: int, months: Iterable[dt.date]) -> None:
    """Month rows = the sums of the month's day rows, per combination of dimensions."""
    dims = dims_of(model)
    sums = SUMS[model]
    qn = connection.ops.quote_name
    col = {
        f: qn(model._meta.get_field(f).column) for f in ("grain", "start", "centre", *dims, *sums)
    }
    table = qn(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({col['grain']}, {col['start']}, {col['centre']}, "
        f"{', '.join(col[d] for d in dims)}, {', '.join(col[x] for x in sums)}) "
        f"SELECT %s, %s, {col['centre']}, {', '.join(col[d] for d in dims)}, "
        f"{', '.join(f'SUM({col[x]})' for x in sums)} FROM {table} "
        f"WHERE {col['grain']} = %s AND {col['centre']} = %s "
        f"AND {col['start']} >= %s AND {col['start']} <= %s "
        f"GROUP BY {col['centre']}, {', '.join(col[d] for d in dims)}"
    )
    coarse = _coarse_sql(model) if model in COARSE_MODELS else None
    with connection.cursor() as cursor:
        for first in sorted(set(months)):
            model.objects.filter(
                grain__in=(Grain.MONTH, Grain.COARSE), centre=centre, start=first
            ).delete()
            cursor.execute(sql, [Grain.MONTH, first, Grain.DAY, centre, first, month_end(first)])
            if coarse is not None:
                cursor.execute(coarse[0], [Grain.COARSE, *coarse[1], Grain.MONTH, centre, first])


# The cell tables that also keep coarse month rows, and the dimensions those
# rows keep besides the centre (histogram values must survive the summing).
COARSE_MODELS = (TicketCell, WaitBucket, CaseCell, DurationBucket, RatingCell)
COARSE_KEEP = ("department", "minute", "workdays")


def _coarse_sql(model: Any) -> tuple[str, list[Any]]:
    """INSERT … SELECT of a month's coarse rows from its month rows: the kept
    dimensions grouped, every other dimension at its default (0 / false)."""
    dims = dims_of(model)
    kept = [d for d in dims if d in COARSE_KEEP]
    other = [d for d in dims if d not in COARSE_KEEP]
    sums = SUMS[model]
    qn = connection.ops.quote_name
    col = {
        f: qn(model._meta.get_field(f).column) for f in ("grain", "start", "centre", *dims, *sums)
    }
    table = qn(model._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({col['grain']}, {col['start']}, {col['centre']}, "
        f"{', '.join(col[d] for d in (*kept, *other))}, {', '.join(col[x] for x in sums)}) "
        f"SELECT %s, {col['start']}, {col['centre']}, {', '.join(col[d] for d in kept)}, "
        f"{', '.join('%s' for _d in other)}{', ' if other else ''}"
        f"{', '.join(f'SUM({col[x]})' for x in sums)} FROM {table} "
        f"WHERE {col['grain']} = %s AND {col['centre']} = %s AND {col['start']} = %s "
        f"GROUP BY {col['start']}, {col['centre']}, {', '.join(col[d] for d in kept)}"
    )
    defaults = [model._meta.get_field(d).get_default() for d in other]
    return sql, defaults


FAMILIES: dict[str, tuple[Any, tuple[Any, ...]]] = {
    "tickets": (recompute_tickets, (TicketCell, WaitBucket)),
    "cases": (recompute_cases, (CaseCell, DurationBucket)),
    "ratings": (recompute_ratings, (RatingCell,)),
    "rectifications": (recompute_rectifications, (RectificationCell,)),
}


def apply(dirty: dict[str, Pairs]) -> int:
    """Recompute the day cells and then the month rows of every dirty pair."""
    touched = 0
    for family, pairs in dirty.items():
        recompute, cell_models = FAMILIES[family]
        for centre, days in _by_centre(pairs).items():
            recompute(centre, days)
            months = {month_start(d) for d in days}
            for model in cell_models:
                refresh_months(model, centre, months)
            touched += len(days)
    return touched


# --- sources and cursors -----------------------------------------------------------


def _ticket_event_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    pairs = set(
        TicketEvent.objects.filter(id__gt=lo, id__lte=hi, ticket__isnull=False)
        .order_by()
        .values_list("centre_id", "ticket__day")
        .distinct()
    )
    return {"tickets": pairs}


def _case_event_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    event = source_model("cases.CaseEvent")
    ids = event.objects.filter(id__gt=lo, id__lte=hi).order_by().values_list("case_id", flat=True)
    return {"cases": refresh_facts(set(ids))}


def _case_visit_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    visit = source_model("cases.CaseVisit")
    rows = list(
        visit.objects.filter(id__gt=lo, id__lte=hi).order_by().values_list("case_id", flat=True)
    )
    return {"cases": refresh_facts(set(rows))}


def _card_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    card = source_model("cases.Card")
    rows = card.objects.filter(id__gt=lo, id__lte=hi).values_list("case__centre_id", "recorded_at")
    return {"cases": {(c, local_date(at)) for c, at in rows}}


def _rating_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    rating = source_model("feedback.Rating")
    pairs = set(
        rating.objects.filter(id__gt=lo, id__lte=hi)
        .order_by()
        .values_list("centre_id", "day")
        .distinct()
    )
    return {"ratings": pairs}


def _feedback_event_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    event = source_model("feedback.FeedbackEvent")
    rating = source_model("feedback.Rating")
    rect = source_model("feedback.Rectification")
    rows = list(
        event.objects.filter(id__gt=lo, id__lte=hi)
        .order_by()
        .values_list("rating_id", "rectification_id")
    )
    rating_ids = {r for r, _x in rows if r}
    rect_ids = {x for _r, x in rows if x}
    ratings = set(rating.objects.filter(id__in=rating_ids).values_list("centre_id", "day"))
    rects = set(
        rect.objects.filter(id__in=rect_ids, rectify_due__isnull=False).values_list(
            "centre_id", "rectify_due"
        )
    )
    rects |= set(
        rect.objects.filter(rating_id__in=rating_ids, rectify_due__isnull=False).values_list(
            "centre_id", "rectify_due"
        )
    )
    return {"ratings": ratings, "rectifications": rects}


def _rectification_dirty(lo: int, hi: int) -> dict[str, Pairs]:
    rect = source_model("feedback.Rectification")
    pairs = set(
        rect.objects.filter(id__gt=lo, id__lte=hi, rectify_due__isnull=False)
        .order_by()
        .values_list("centre_id", "rectify_due")
        .distinct()
    )
    return {"rectifications": pairs}


# source name → (model label, time field, dirty function)
SOURCES: dict[str, tuple[str, str, Any]] = {
    "ticket_event": ("queueing.TicketEvent", "at", _ticket_event_dirty),
    "case_event": ("cases.CaseEvent", "at", _case_event_dirty),
    "case_visit": ("cases.CaseVisit", "created_at", _case_visit_dirty),
    "card": ("cases.Card", "recorded_at", _card_dirty),
    "rating": ("feedback.Rating", "created_at", _rating_dirty),
    "rectification": ("feedback.Rectification", "created_at", _rectification_dirty),
    "feedback_event": ("feedback.FeedbackEvent", "at", _feedback_event_dirty),
}


def _cursor(source: str) -> Cursor:
    try:
        cursor, _created = Cursor.objects.get_or_create(source=source)
    except IntegrityError:
        cursor = Cursor.objects.get(source=source)
    return cursor


def _lock() -> bool:
    """Take the roll-up lock for this transaction; False if another holds it."""
    _cursor("lock")
    return (
        Cursor.objects.select_for_update(skip_locked=True).filter(source="lock").first() is not None
    )


def _settled_upto(model: Any, time_field: str, after: int, limit: int, settle: float) -> int | None:
    """The last id of the contiguous run of rows after ``after`` that are old
    enough to be settled (no earlier id can still be committing)."""
    cutoff = timezone.now() - dt.timedelta(seconds=settle)
    last = None
    for pk, at in (
        model.objects.filter(id__gt=after).order_by("id").values_list("id", time_field)[:limit]
    ):
        if at is not None and at >= cutoff:
            break
        last = pk
    return last


def tick_source(source: str, limit: int = BATCH, settle: float = SETTLE_SECONDS) -> int:
    """Apply one batch of one source; the number of rows read (0 = nothing/busy)."""
    label, time_field, dirty_of = SOURCES[source]
    model = source_model(label)
    if model is None:
        return 0
    cursor = _cursor(source)
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


# --- rebuild -----------------------------------------------------------------------


def _month_ranges(first: dt.date | None, last: dt.date | None) -> list[list[dt.date]]:
    if first is None or last is None:
        return []
    out = []
    m = month_start(first)
    while m <= last:
        end = min(month_end(m), last)
        out.append([m + dt.timedelta(days=i) for i in range((end - m).days + 1)])
        m = month_end(m) + dt.timedelta(days=1)
    return out


def _span(model: Any, field: str, centre_field: str = "centre_id") -> dict[int, tuple]:
    return {
        r[centre_field]: (r["lo"], r["hi"])
        for r in model.objects.order_by()
        .values(centre_field)
        .annotate(lo=Min(field), hi=Max(field))
    }


def rebuild(out: Any = None) -> dict[str, int]:
    """Recompute every roll-up from the source tables, in one transaction."""

    def say(msg: str) -> None:
        if out is not None:
            out(msg)

    counts: dict[str, int] = {}
    with transaction.atomic():
        _cursor("lock")
        Cursor.objects.select_for_update().filter(source="lock").first()
        # Cursors first: whatever arrives while we rebuild is applied afterwards.
        for source, (label, _t, _f) in SOURCES.items():
            model = source_model(label)
            top = model.objects.aggregate(m=Max("id"))["m"] if model is not None else None
            Cursor.objects.update_or_create(source=source, defaults={"last_id": top or 0})
        for model in (*SUMS, CaseFact):
            model.objects.all().delete()
        plan: list[tuple[str, Any, dict[int, tuple]]] = [
            ("tickets", recompute_tickets, _span(Ticket, "day"))
        ]
        case_model = source_model("cases.Case")
        if case_model is not None:
            ids = list(case_model.objects.order_by("id").values_list("id", flat=True))
            for chunk in _chunks(ids, 20000):
                refresh_facts(chunk)
            counts["case_facts"] = CaseFact.objects.count()
            say(f"case facts: {counts['case_facts']}")
            spans: dict[int, tuple] = {}
            for field in ("accepted_on", "completed_on"):
                for c, (lo, hi) in _span(CaseFact, field, "centre").items():
                    if lo is None:
                        continue
                    a, b = spans.get(c, (lo, hi))
                    spans[c] = (min(a, lo), max(b, hi))
            card = source_model("cases.Card")
            if card is not None:
                for c, (lo, hi) in _span(card, "recorded_at", "case__centre_id").items():
                    if lo is None:
                        continue
                    lo, hi = local_date(lo), local_date(hi)
                    a, b = spans.get(c, (lo, hi))
                    spans[c] = (min(a, lo), max(b, hi))
            plan.append(("cases", recompute_cases, spans))
        rating = source_model("feedback.Rating")
        if rating is not None:
            plan.append(("ratings", recompute_ratings, _span(rating, "day")))
            rect = source_model("feedback.Rectification")
            plan.append(("rectifications", recompute_rectifications, _span(rect, "rectify_due")))
        for family, recompute, spans in plan:
            cell_models = FAMILIES[family][1]
            for centre, (lo, hi) in sorted(spans.items()):
                for days in _month_ranges(lo, hi):
                    recompute(centre, days)
                    for model in cell_models:
                        refresh_months(model, centre, [days[0]])
            counts[family] = cell_models[0].objects.count()
            say(f"{family}: {counts[family]} cells")
    analyse()
    return counts


def analyse() -> None:
    """Refresh the planner's statistics of the roll-up tables: a rebuild
    replaces every row, and until the database samples them again it plans
    the dashboard's reads for the old (often empty) tables."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in (*SUMS, CaseFact):
            cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")


def freshness() -> dict[str, Any]:
    """When the roll-ups were last brought up to date, and whether the queue's
    events have run ahead of them (no worker running)."""
    last = Cursor.objects.exclude(source="lock").aggregate(t=Max("updated_at"))["t"]
    cursor = Cursor.objects.filter(source="ticket_event").values_list("last_id", flat=True).first()
    newest = TicketEvent.objects.aggregate(m=Max("id"))["m"] or 0
    return {"updated_at": last, "behind": newest > (cursor or 0) + BATCH}
