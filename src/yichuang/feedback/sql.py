"""The statements of feedback the ORM cannot express, one function each.

Each is plain SQL that SQLite (3.35 or later) and PostgreSQL both run as
written, so there is one code path; ``tests/feedback/test_sql.py`` compares
each with what the ORM reads or computes, on both databases.

- An additive counter upsert (``INSERT … ON CONFLICT … DO UPDATE SET n = n +
  …``): the ORM's ``bulk_create(update_conflicts=True)`` can only overwrite a
  count, and a read-then-write would lose increments between two writers.
- An insert with ``ON CONFLICT DO NOTHING RETURNING id``: whether a row came
  back is what turns a second rating of one service into 409, without a failed
  statement (no savepoint) in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
import functools

from django.db import connection
from django.utils import timezone

from .models import Rating, RatingDay, Throttle

_THROTTLE = Throttle._meta.db_table


def throttle_hit(key: str, bucket: dt.datetime) -> int:
    """Count one more hit of ``key`` in ``bucket``; the new count."""
    ops = connection.ops
    with connection.cursor() as cur:
        cur.execute(
            f'INSERT INTO {_THROTTLE} ("key", bucket, hits, created_at) VALUES (%s, %s, 1, %s) '
            f'ON CONFLICT ("key", bucket) DO UPDATE SET hits = {_THROTTLE}.hits + 1 '
            "RETURNING hits",
            [
                key,
                ops.adapt_datetimefield_value(bucket),
                ops.adapt_datetimefield_value(timezone.now()),
            ],
        )
        (hits,) = cur.fetchone()
    return int(hits)


def throttle_hit_reading(
    key: str, bucket: dt.datetime, *, other_key: str, other_bucket: dt.datetime
) -> tuple[int, int]:
    """Count one more hit of ``key`` in ``bucket`` and read another counter in
    the same statement: (the new count, the other counter's hits or 0)."""
    ops = connection.ops
    with connection.cursor() as cur:
        cur.execute(
            f'INSERT INTO {_THROTTLE} ("key", bucket, hits, created_at) VALUES (%s, %s, 1, %s) '
            f'ON CONFLICT ("key", bucket) DO UPDATE SET hits = {_THROTTLE}.hits + 1 '
            f'RETURNING hits, (SELECT x.hits FROM {_THROTTLE} x WHERE x."key" = %s '
            "AND x.bucket = %s)",
            [
                key,
                ops.adapt_datetimefield_value(bucket),
                ops.adapt_datetimefield_value(timezone.now()),
                other_key,
                ops.adapt_datetimefield_value(other_bucket),
            ],
        )
        hits, other = cur.fetchone()
    return int(hits), int(other or 0)


_RATING_FIELDS = [f for f in Rating._meta.concrete_fields if not f.primary_key]


@functools.cache
def _rating_insert_sql() -> str:
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in _RATING_FIELDS)
    values = ", ".join(["%s"] * len(_RATING_FIELDS))
    return (
        f"INSERT INTO {Rating._meta.db_table} ({columns}) VALUES ({values}) "
        f"ON CONFLICT DO NOTHING RETURNING {qn(Rating._meta.pk.column)}"
    )


def rating_insert(rating: Rating) -> bool:
    """Insert a new (unsaved) rating; False, and nothing written, when its
    service is already rated (``service_key`` is unique). On success the
    instance has its primary key, as after ``save()``."""
    values = [f.get_db_prep_save(getattr(rating, f.attname), connection) for f in _RATING_FIELDS]
    with connection.cursor() as cur:
        cur.execute(_rating_insert_sql(), values)
        row = cur.fetchone()
    if row is None:
        return False
    rating.pk = row[0]
    rating._state.adding = False
    rating._state.db = connection.alias
    return True


# The cell of a rating in the roll-up, and the counts kept per cell.
ROLLUP_KEY = (
    "day",
    "centre_id_key",
    "department_id_key",
    "window_id_key",
    "clerk_id_key",
    "item_id_key",
)
ROLLUP_COUNTS = ("n1", "n2", "n3", "n4", "n5", "n_excluded", "n_default")


def rating_day_add(rating: Rating, count: str, delta: int) -> None:
    """Add ``delta`` to ``count`` (one of ``ROLLUP_COUNTS``) of the rating's
    ``RatingDay`` cell, making the cell if it is missing (a new cell starts at
    0 for a negative delta)."""
    if count not in ROLLUP_COUNTS:
        raise ValueError(f"not a roll-up count: {count}")
    ops, qn = connection.ops, connection.ops.quote_name
    table = RatingDay._meta.db_table
    now = ops.adapt_datetimefield_value(timezone.now())
    key = [
        ops.adapt_datefield_value(rating.day),
        rating.centre_id,
        rating.department_id or 0,
        rating.window_id or 0,
        rating.clerk_id or 0,
        rating.item_id or 0,
    ]
    initial = [max(delta, 0) if name == count else 0 for name in ROLLUP_COUNTS]
    key_columns = ", ".join(qn(name) for name in ROLLUP_KEY)
    columns = ", ".join([key_columns, *(qn(name) for name in ROLLUP_COUNTS)])
    placeholders = ", ".join(["%s"] * (len(ROLLUP_KEY) + len(ROLLUP_COUNTS) + 2))
    column = qn(count)
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {table} ({columns}, created_at, updated_at) VALUES ({placeholders}) "
            f"ON CONFLICT ({key_columns}) DO UPDATE SET "
            f"{column} = {table}.{column} + %s, updated_at = %s",
            [*key, *initial, now, now, delta, now],
        )
