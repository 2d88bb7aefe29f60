"""Queue tickets rolled up by the ticket's day: ``TicketCell`` and the
per-minute wait histogram ``WaitBucket``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from yichuang.cases.models import CaseVisit
from yichuang.org.models import Staff
from yichuang.queueing.models import Queue, Ticket, TicketEvent

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
    "expired",
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


def queue_departments(centre: int) -> dict[int, int]:
    """{queue: department} of the centre's queues whose items all belong to one
    department; a queue serving several departments has no entry."""
    seen: dict[int, set[int]] = defaultdict(set)
    for queue, dept in (
        Queue.items.through.objects.filter(queue__centre_id=centre)
        .order_by()
        .values_list("queue_id", "item__department_id")
    ):
        seen[queue].add(dept)
    return {queue: depts.pop() for queue, depts in seen.items() if len(depts) == 1}


def case_departments(centre: int, lo: dt.date, hi: dt.date) -> dict[int, int]:
    """{ticket: department of the item of the first case it was a visit for}."""
    out: dict[int, int] = {}
    for ticket, dept in (
        CaseVisit.objects.filter(
            ticket__centre_id=centre,
            ticket__day__gte=lo,
            ticket__day__lte=hi,
            case__item__isnull=False,
        )
        .order_by("ticket_id", "id")
        .values_list("ticket_id", "case__item__department_id")
    ):
        out.setdefault(ticket, dept)
    return out


def ticket_department(
    window_dept: int | None, queue: int, ticket: int, clerk: int | None, known: dict[str, dict]
) -> int:
    """The department a ticket counts for: its window's; at a comprehensive
    window (no department) the department of the queue's items, else of the
    case it was a visit for, else the serving clerk's; 0 only when none is
    known (a general queue at a comprehensive window, nothing handled)."""
    return (
        window_dept
        or known["queue"].get(queue)
        or known["case"].get(ticket)
        or known["clerk"].get(clerk)
        or 0
    )


def expired_no_shows(tickets: list[int]) -> set[int]:
    """Those of the expired ``tickets`` that were 过号 when they expired: the
    citizen was called and not there, so they count as no-shows, not as
    tickets the hall left unserved (the expiry must not move the 过号率)."""
    out: set[int] = set()
    for i in range(0, len(tickets), 500):
        out.update(
            TicketEvent.objects.filter(
                ticket_id__in=tickets[i : i + 500],
                type=TicketEvent.Type.EXPIRED,
                old_status=Ticket.Status.NO_SHOW,
            ).values_list("ticket_id", flat=True)
        )
    return out


def recompute_tickets(centre: int, days: list[dt.date]) -> None:
    if not days:
        return
    wanted = set(days)
    known = {
        "queue": queue_departments(centre),
        "case": case_departments(centre, days[0], days[-1]),
        "clerk": dict(
            Staff.objects.filter(department__isnull=False).values_list("id", "department_id")
        ),
    }
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 9)
    expired: list[tuple[int, list[int]]] = []
    buckets: dict[tuple, int] = defaultdict(int)
    for (
        ticket,
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
    ):
        if day not in wanted:
            continue
        dept = ticket_department(dept, queue, ticket, clerk, known)
        c = cells[(day, dept, window or 0, queue, clerk or 0)]
        if channel == "transfer":
            c[1] += 1
        else:
            c[0] += 1
        if called is not None:
            c[2] += 1
            wait = ticket_wait(issued, called)
            c[7] += wait
            buckets[(day, dept, queue, is_peak(issued), wait_minute(wait))] += 1
        if status == "done":
            c[3] += 1
            if done is not None:
                c[8] += max(0, int((done - (started or called or issued)).total_seconds()))
        elif status == "no_show":
            c[4] += 1
        elif status == "cancelled":
            c[5] += 1
        elif status == "expired":
            expired.append((ticket, c))
    missed = expired_no_shows([t for t, _c in expired])
    for ticket, c in expired:
        c[4 if ticket in missed else 6] += 1
    replace_day_cells(
        TicketCell, centre, days, TICKET_FIELDS, [(*key, *v) for key, v in cells.items()]
    )
    replace_day_cells(
        WaitBucket, centre, days, WAIT_FIELDS, [(*key, n) for key, n in buckets.items()]
    )
