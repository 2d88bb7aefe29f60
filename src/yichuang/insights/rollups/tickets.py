"""Queue tickets rolled up by the ticket's day: ``TicketCell`` and the
per-minute wait histogram ``WaitBucket``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from yichuang.queueing.models import Ticket

from ..models import TicketCell, WaitBucket
from .cells import TZ, replace_day_cells

# Waits are bucketed by whole minutes; anything longer falls in the last bucket.
WAIT_CAP_MINUTES = 600
# Local hours whose tickets count as issued at peak time (09:00–11:00, 14:00–16:00).
PEAK_HOURS = frozenset({9, 10, 14, 15})

TICKET_FIELDS = (
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
)
WAIT_FIELDS = ("start", "department", "queue", "peak", "minute", "n")


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
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 8)
    buckets: dict[tuple, int] = defaultdict(int)
    for (
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
    ) in (
        Ticket.objects.filter(centre_id=centre, day__gte=days[0], day__lte=days[-1])
        .order_by()
        .values_list(
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
    ):
        if day not in wanted:
            continue
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
    replace_day_cells(
        TicketCell, centre, days, TICKET_FIELDS, [(*key, *v) for key, v in cells.items()]
    )
    replace_day_cells(
        WaitBucket, centre, days, WAIT_FIELDS, [(*key, n) for key, n in buckets.items()]
    )
