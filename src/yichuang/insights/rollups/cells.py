"""What every roll-up family shares: the local calendar, writing a centre's day
rows, and summing them into month and coarse month rows."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import TypeVar

from django.conf import settings
from django.db import models

from .. import sql
from ..models import CaseCell, DurationBucket, Grain, RectificationCell, TicketCell, WaitBucket

TZ = zoneinfo.ZoneInfo(settings.TIME_ZONE)
BATCH_ROWS = 2000

# (centre, day) pairs whose cells must be recomputed; a pair without a day is ignored.
Pairs = set[tuple[int, dt.date | None]]
T = TypeVar("T")


def local_date(value: dt.datetime) -> dt.date:
    return value.astimezone(TZ).date()


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def by_centre(pairs: Iterable[tuple[int, dt.date | None]]) -> dict[int, list[dt.date]]:
    """{centre: its days, sorted}; pairs without a centre or a day are dropped."""
    out: dict[int, set[dt.date]] = defaultdict(set)
    for centre, day in pairs:
        if centre and day:
            out[centre].add(day)
    return {c: sorted(days) for c, days in out.items()}


def chunks(seq: list[T], size: int = BATCH_ROWS) -> Iterator[list[T]]:
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def insert_rows(model: type[models.Model], fields: tuple[str, ...], rows: list[tuple]) -> None:
    """Write plain roll-up rows (tuples in the order of ``fields``)."""
    model._default_manager.bulk_create(
        [model(**dict(zip(fields, row, strict=True))) for row in rows], batch_size=BATCH_ROWS
    )


def replace_day_cells(
    model: type[models.Model],
    centre: int,
    days: list[dt.date],
    fields: tuple[str, ...],
    rows: list[tuple],
) -> None:
    """Replace the day rows of ``centre`` on ``days``; rows start with (start, dims…)."""
    model._default_manager.filter(grain=Grain.DAY, centre=centre, start__in=days).delete()
    insert_rows(model, ("grain", "centre", *fields), [(Grain.DAY, centre, *r) for r in rows])


# The counters of each cell table; every other field but the period and the
# centre is a dimension.
SUMS: dict[type[models.Model], tuple[str, ...]] = {
    TicketCell: (
        "issued",
        "transfers_in",
        "called",
        "served",
        "no_show",
        "cancelled",
        "expired",
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
    RectificationCell: ("due", "on_time", "late", "open"),
}
# The cell tables that also keep coarse month rows, and the dimensions those
# rows keep besides the centre (histogram values must survive the summing).
COARSE_MODELS: tuple[type[models.Model], ...] = (TicketCell, WaitBucket, CaseCell, DurationBucket)
COARSE_KEEP = ("department", "minute", "workdays")


def dims_of(model: type[models.Model]) -> tuple[str, ...]:
    skip = {"id", "grain", "start", "centre", *SUMS[model]}
    return tuple(f.name for f in model._meta.concrete_fields if f.name not in skip)


def refresh_months(model: type[models.Model], centre: int, months: Iterable[dt.date]) -> None:
    """Month rows = the sums of the month's day rows, per combination of
    dimensions; coarse rows = the month rows summed over the kept dimensions."""
    dims = dims_of(model)
    sums = SUMS[model]
    coarse = model in COARSE_MODELS
    for first in sorted(set(months)):
        model._default_manager.filter(
            grain__in=(Grain.MONTH, Grain.COARSE), centre=centre, start=first
        ).delete()
        sql.month_rows_insert(
            model,
            grain=Grain.MONTH,
            day_grain=Grain.DAY,
            dims=dims,
            sums=sums,
            centre=centre,
            first=first,
            last=month_end(first),
        )
        if coarse:
            sql.coarse_rows_insert(
                model,
                grain=Grain.COARSE,
                month_grain=Grain.MONTH,
                kept=tuple(d for d in dims if d in COARSE_KEEP),
                other=tuple(d for d in dims if d not in COARSE_KEEP),
                sums=sums,
                centre=centre,
                first=first,
            )
