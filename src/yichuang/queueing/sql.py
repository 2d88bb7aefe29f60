"""The three statements of the hall queue that the ORM cannot express.

Each is plain SQL that SQLite and PostgreSQL both accept, so there is one code
path; tests/queueing/test_sql.py checks each against an ORM version on both
databases.

* ``counter_next``: the next number of a queue's day, by an upsert that
  creates the (queue, day) counter row or adds one to it and returns the new
  value (``INSERT … ON CONFLICT … DO UPDATE … RETURNING``). The row stays
  locked until commit, so numbers never repeat and never skip.
* ``pick_candidates``: the few tickets that can come first by the calling
  rule, as a ``UNION ALL`` of short ordered scans (``LIMIT`` in each part).
  Django refuses ``LIMIT`` inside a compound statement on SQLite; reading the
  parts one by one would cost a round trip each.
* ``recent_finished``: the last finished tickets of several queues, as a
  ``UNION ALL`` of the same kind (the wait estimates' service times).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection

from .models import QueueCounter, Ticket

T_TABLE = Ticket._meta.db_table

# What the calling rule ranks by (``actions.picking.rank_key``).
RANK_FIELDS = (
    "id",
    "queue_id",
    "target_window_id",
    "priority",
    "sort_at",
    "appt_from",
    "appt_until",
)
RANK_COLUMNS = ", ".join(RANK_FIELDS)  # their columns have the same names


def _when(value: dt.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


def _day(value: dt.date) -> Any:
    return connection.ops.adapt_datefield_value(value)


def counter_next(*, centre_id: int, queue_id: int, day: dt.date, now: dt.datetime) -> int:
    """Take the next number of ``queue_id`` on ``day`` (1 for the first)."""
    table = QueueCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (centre_id, queue_id, day, last_seq, created_at, updated_at)"
            " VALUES (%s, %s, %s, 1, %s, %s)"
            f" ON CONFLICT (queue_id, day) DO UPDATE SET last_seq = {table}.last_seq + 1,"
            " updated_at = excluded.updated_at RETURNING last_seq",
            [centre_id, queue_id, _day(day), _when(now), _when(now)],
        )
        return int(cursor.fetchone()[0])


def pick_candidates(
    *, window_id: int, queue_ids: list[int], day: dt.date, now: dt.datetime, per_part: int
) -> list[Ticket]:
    """The tickets that can come first at window ``window_id`` (only the
    ``RANK_COLUMNS`` loaded): in each queue, the first ``per_part`` normal
    tickets and the first ``per_part`` of the priority classes (within a
    queue and a class the earliest always ranks first: ageing only lifts the
    earliest higher), the tickets sent to this window, and the appointments
    inside their time window. Each part is an ordered scan of a small partial
    index, so the cost does not grow with the length of the line."""
    front = (
        f"SELECT x.* FROM (SELECT {RANK_COLUMNS} FROM {T_TABLE} WHERE queue_id = %s AND day = %s"
        " AND status = 'waiting' AND target_window_id IS NULL AND {cls}"
        f" ORDER BY sort_at, id LIMIT {int(per_part)}) AS x"
    )
    parts, params = [], []
    for queue_id in queue_ids:
        for cls in ("priority = 'normal'", "NOT (priority = 'normal')"):
            parts.append(front.format(cls=cls))
            params += [queue_id, _day(day)]
    parts.append(
        f"SELECT {RANK_COLUMNS} FROM {T_TABLE} WHERE target_window_id = %s AND day = %s"
        " AND status = 'waiting'"
    )
    params += [window_id, _day(day)]
    if queue_ids:
        marks = ", ".join(["%s"] * len(queue_ids))
        parts.append(
            f"SELECT {RANK_COLUMNS} FROM {T_TABLE} WHERE queue_id IN ({marks}) AND day = %s"
            " AND status = 'waiting' AND appt_until IS NOT NULL"
            " AND appt_from <= %s AND appt_until >= %s"
        )
        params += [*queue_ids, _day(day), _when(now), _when(now)]
    return list(Ticket.objects.raw(" UNION ALL ".join(parts), params))


def recent_finished(*, queue_ids: list[int], day: dt.date, n: int) -> list[Ticket]:
    """The last ``n`` tickets each queue finished on ``day`` after a call (only
    queue, called and finished times loaded), each part a short backward scan
    of the finished tickets' index."""
    if not queue_ids:
        return []
    part = (
        f"SELECT x.* FROM (SELECT id, queue_id, called_at, finished_at FROM {T_TABLE}"
        " WHERE queue_id = %s AND day = %s AND status = 'done' AND called_at IS NOT NULL"
        f" ORDER BY finished_at DESC LIMIT {int(n)}) AS x"
    )
    params: list = []
    for queue_id in queue_ids:
        params += [queue_id, _day(day)]
    return list(Ticket.objects.raw(" UNION ALL ".join([part] * len(queue_ids)), params))
