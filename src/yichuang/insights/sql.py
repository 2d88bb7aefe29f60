"""The statements of the roll-ups that the ORM cannot express.

Django has no INSERT … SELECT: summing a month's day rows into month rows (and
month rows into coarse rows) through the ORM would carry every group through
Python and back. These statements keep the summing inside the database, on
SQLite and PostgreSQL alike; ``tests/insights/test_sql.py`` compares each with
the same rows built through the ORM.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import connection, models


def _columns(model: type[models.Model], names: Iterable[str]) -> dict[str, str]:
    qn = connection.ops.quote_name
    return {name: qn(model._meta.get_field(name).column) for name in names}


def month_rows_insert(
    model: type[models.Model],
    *,
    grain: str,
    day_grain: str,
    dims: tuple[str, ...],
    sums: tuple[str, ...],
    centre: int,
    first: dt.date,
    last: dt.date,
) -> None:
    """Insert the month rows of ``centre`` for the month starting ``first``:
    the day rows from ``first`` to ``last`` summed per combination of ``dims``."""
    col = _columns(model, ("grain", "start", "centre", *dims, *sums))
    table = connection.ops.quote_name(model._meta.db_table)
    keys = ", ".join(col[d] for d in ("centre", *dims))
    totals = ", ".join(f"SUM({col[s]})" for s in sums)
    sql = (
        f"INSERT INTO {table} ({col['grain']}, {col['start']}, {keys}, "
        f"{', '.join(col[s] for s in sums)}) "
        f"SELECT %s, %s, {keys}, {totals} FROM {table} "
        f"WHERE {col['grain']} = %s AND {col['centre']} = %s "
        f"AND {col['start']} >= %s AND {col['start']} <= %s GROUP BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [grain, first, day_grain, centre, first, last])


def coarse_rows_insert(
    model: type[models.Model],
    *,
    grain: str,
    month_grain: str,
    kept: tuple[str, ...],
    other: tuple[str, ...],
    sums: tuple[str, ...],
    centre: int,
    first: dt.date,
) -> None:
    """Insert the coarse rows of ``centre`` for the month ``first`` from its
    month rows: the ``kept`` dimensions grouped, the ``other`` ones at their
    field default."""
    col = _columns(model, ("grain", "start", "centre", *kept, *other, *sums))
    table = connection.ops.quote_name(model._meta.db_table)
    keys = ", ".join(col[d] for d in ("start", "centre", *kept))
    defaults: list[Any] = [model._meta.get_field(d).get_default() for d in other]
    other_cols = "".join(f"{col[d]}, " for d in other)
    other_marks = "".join("%s, " for _d in other)
    totals = ", ".join(f"SUM({col[s]})" for s in sums)
    sql = (
        f"INSERT INTO {table} ({col['grain']}, {keys}, {other_cols}"
        f"{', '.join(col[s] for s in sums)}) "
        f"SELECT %s, {keys}, {other_marks}{totals} FROM {table} "
        f"WHERE {col['grain']} = %s AND {col['centre']} = %s AND {col['start']} = %s "
        f"GROUP BY {keys}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [grain, *defaults, month_grain, centre, first])


def tables_analyse(tables: Iterable[type[models.Model]]) -> None:
    """Refresh the planner's statistics of these tables (``ANALYZE`` means the
    same on both databases)."""
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model in tables:
            cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")
