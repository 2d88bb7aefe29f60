"""Writing many generated rows fast: plain tuples, their ids given here,
buffered per table and written with ``executemany`` (one statement, many
parameter sets) on either database. Values go through the database backend's
own adapters, as the ORM's would; columns the generator does not give get the
model field's default, computed once.

A demo generator may write other apps' tables directly; the apps' actions are
never bypassed in the product."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max
from django.utils import timezone

from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar


def _adapter(field: models.Field) -> Callable[[Any], Any] | None:
    """How a value of ``field`` becomes a query parameter (None: as it is)."""
    ops = connection.ops
    if isinstance(field, models.DateTimeField):
        return ops.adapt_datetimefield_value
    if isinstance(field, models.DateField):
        return ops.adapt_datefield_value
    if isinstance(field, models.TimeField):
        return ops.adapt_timefield_value
    if isinstance(field, models.JSONField):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


class Table:
    """The rows of one table, buffered until ``flush``.

    ``fields`` are the fields the generator gives, in order, after the id;
    every other concrete field gets its default. A unique field must be given."""

    def __init__(self, model: type[models.Model], fields: tuple[str, ...]) -> None:
        self.model = model
        self.count = 0
        self.next_id = (model._default_manager.aggregate(m=Max("id"))["m"] or 0) + 1
        given = [model._meta.get_field(f) for f in fields]
        rest = [f for f in model._meta.concrete_fields if f.name not in {"id", *fields}]
        self.constants = tuple(self._default(f) for f in rest)
        self.adapters = [(i + 1, a) for i, f in enumerate(given) if (a := _adapter(f))]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in (model._meta.pk, *given, *rest))
        marks = ", ".join(["%s"] * (1 + len(given) + len(rest)))
        self.sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES ({marks})"
        self.rows: list[tuple] = []

    def _default(self, field: models.Field) -> Any:
        if field.unique and not field.null:
            raise ValueError(f"{self.model.__name__}.{field.name} is unique: give it")
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = timezone.now().replace(microsecond=0)
        else:
            value = field.get_default()  # "" for a text field without a default
            if value is None and not field.null:
                raise ValueError(f"{self.model.__name__}.{field.name} needs a value")
        return field.get_db_prep_save(value, connection)

    def add(self, *values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        adapters, constants = self.adapters, self.constants
        params = []
        for row in rows:
            values = list(row)
            for i, adapt in adapters:
                if values[i] is not None:
                    values[i] = adapt(values[i])
            params.append((*values, *constants))
        with connection.cursor() as cursor:
            cursor.executemany(self.sql, params)


def sequences_reset(tables: list[Table]) -> None:
    """Move the id sequences past the rows written with their ids given
    (PostgreSQL needs it; the backend answers with nothing to do on SQLite)."""
    statements = connection.ops.sequence_reset_sql(no_style(), [t.model for t in tables])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


class Workdays:
    """The working days of a span, precomputed: ``add`` is a bisection."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        cal = get_calendar()
        self.days: list[dt.date] = []
        d = first
        while d <= last:
            try:
                if wd.is_workday(cal, d):
                    self.days.append(d)
            except wd.CalendarYearMissing:
                break
            d += dt.timedelta(days=1)
        self.known = set(self.days)

    def add(self, start: dt.date, n: int) -> dt.date | None:
        """The n-th working day after ``start``; None past the known calendar."""
        if n == 0:
            return start
        i = bisect.bisect_right(self.days, start) + n - 1
        return self.days[i] if i < len(self.days) else None
