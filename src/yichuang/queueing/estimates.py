"""Wait estimates and peak-alert advice (method in docs/queueing.md, "Estimates").

estimated wait = ceil(people ahead × mean service minutes ÷ serving windows)

* people ahead: waiting tickets of the same queue with an earlier place in line;
* mean service minutes: the mean call-to-finish time of the queue's last 20
  finished tickets of the day, or the queue's configured ``service_minutes``
  (kept up to date from history by the demo and by administrators) before that;
* serving windows: open windows that have the queue among their skills (at least 1).

Every read is bounded to today's rows of one queue, so it costs the same in
year five as on day one.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import sql
from .models import Queue, Ticket, WindowSkill

RECENT_FINISHED = 20
# An alert is resolved only when the line is clearly back: under this share of
# every threshold, so a line hovering at its threshold does not raise and
# resolve an alert with every ticket issued and called (docs/queueing.md).
RESOLVE_SHARE = 0.8


def clearly_under(value: float, threshold: int) -> bool:
    """``value`` is under RESOLVE_SHARE of ``threshold`` (0: no threshold)."""
    return not threshold or value < threshold * RESOLVE_SHARE


def service_minutes(queue: Queue, day=None) -> float:
    """The queue's mean service minutes now (see the module's docstring)."""
    return service_minutes_by_queue([queue], day or timezone.localdate())[queue.pk]


# (queue id, day) -> (monotonic time it expires, minutes), per worker
_ISSUING_MINUTES: dict[tuple[int, Any], tuple[float, float]] = {}


def service_minutes_for_issue(queue: Queue, day) -> float:
    """``service_minutes`` as issuing reads it: each worker keeps a queue's
    figure for ``settings.QUEUE_SERVICE_TIMES_SECONDS``, so a busy hall reads
    it a few times a minute instead of with every ticket (0: every time)."""
    keep = settings.QUEUE_SERVICE_TIMES_SECONDS
    if keep <= 0:
        return service_minutes(queue, day)
    key = (queue.pk, day)
    now = time.monotonic()
    hit = _ISSUING_MINUTES.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    minutes = service_minutes(queue, day)
    if len(_ISSUING_MINUTES) > 10_000:  # old days and removed queues
        _ISSUING_MINUTES.clear()
    _ISSUING_MINUTES[key] = (now + keep, minutes)
    return minutes


def minutes_each(queue: Queue, recent: int, mean_seconds: float | None) -> float:
    """``service_minutes`` from the count and mean length of the queue's
    recent finished tickets, rounded to the millisecond."""
    if recent < 3 or mean_seconds is None:
        return float(queue.service_minutes)
    return max(0.5, round(float(mean_seconds), 3) / 60)


def serving_windows(queue: Queue) -> int:
    return WindowSkill.objects.filter(
        queue=queue, window__state="open", window__is_active=True
    ).count()


def estimate_minutes(*, ahead: int, minutes_each: float, windows: int) -> int:
    return math.ceil(ahead * minutes_each / max(1, windows))


def waiting_ahead(ticket: Ticket) -> int:
    if ticket.status != Ticket.Status.WAITING:
        return 0
    return (
        Ticket.objects.filter(queue_id=ticket.queue_id, day=ticket.day, status="waiting")
        .filter(Q(sort_at__lt=ticket.sort_at) | Q(sort_at=ticket.sort_at, id__lt=ticket.id))
        .count()
    )


def ticket_estimate(ticket: Ticket) -> tuple[int, int]:
    """(people ahead, estimated minutes) for a waiting ticket."""
    ahead = waiting_ahead(ticket)
    if ticket.status != Ticket.Status.WAITING:
        return 0, 0
    minutes = estimate_minutes(
        ahead=ahead,
        minutes_each=service_minutes(ticket.queue, ticket.day),
        windows=serving_windows(ticket.queue),
    )
    return ahead, minutes


@dataclass
class QueueState:
    queue: Queue
    waiting: int
    open_windows: int
    minutes_each: float
    estimated_wait_minutes: int
    longest_wait_minutes: int

    @property
    def over_threshold(self) -> bool:
        q = self.queue
        return bool(
            (q.alert_waiting and self.waiting >= q.alert_waiting)
            or (q.alert_wait_minutes and self.estimated_wait_minutes >= q.alert_wait_minutes)
        )

    @property
    def back_under(self) -> bool:
        """Clearly back under every threshold: an open alert may be resolved."""
        q = self.queue
        return clearly_under(self.waiting, q.alert_waiting) and clearly_under(
            self.estimated_wait_minutes, q.alert_wait_minutes
        )

    def windows_needed(self) -> int:
        """Extra windows that bring the estimate back under the minutes threshold
        (and the waiting count under its threshold within that time)."""
        q = self.queue
        target = q.alert_wait_minutes or 30
        needed = math.ceil(self.waiting * self.minutes_each / max(1, target - 1))
        return max(0, needed - self.open_windows)


def service_minutes_by_queue(queues: list[Queue], day) -> dict[int, float]:
    """``service_minutes`` for several queues in one query: for each queue, the
    count and mean length of its last RECENT_FINISHED finished tickets of the
    day (``sql.recent_finished``), so the cost does not grow with the number
    of tickets the day has finished."""
    lengths: dict[int, list[float]] = {}
    for t in sql.recent_finished(queue_ids=[q.pk for q in queues], day=day, n=RECENT_FINISHED):
        if t.finished_at is None or t.called_at is None:  # excluded by the query
            continue
        seconds = (t.finished_at - t.called_at).total_seconds()
        lengths.setdefault(t.queue_id, []).append(seconds)
    out = {}
    for q in queues:
        found = lengths.get(q.pk, [])
        out[q.pk] = minutes_each(q, len(found), sum(found) / len(found) if found else None)
    return out


def queue_states(centre, queues=None) -> list[QueueState]:
    """Waiting counts, open windows and estimates for every queue of a centre
    (a Centre or its id) in a fixed number of queries: one grouped count, one
    skills read and one ranked read of recent service times."""
    from django.db.models import Count, Min

    queues = list(
        queues if queues is not None else Queue.objects.filter(centre=centre, is_active=True)
    )
    if not queues:
        return []
    day = timezone.localdate()
    now = timezone.now()
    waiting = {
        row["queue_id"]: row
        for row in Ticket.objects.filter(centre=centre, day=day, status="waiting")
        .values("queue_id")
        .annotate(n=Count("id"), oldest=Min("sort_at"))
    }
    open_by_queue: dict[int, int] = {}
    for queue_id in WindowSkill.objects.filter(
        queue__in=queues,
        window__state="open",
        window__is_active=True,
    ).values_list("queue_id", flat=True):
        open_by_queue[queue_id] = open_by_queue.get(queue_id, 0) + 1
    minutes = service_minutes_by_queue(queues, day)
    states = []
    for q in queues:
        row: dict[str, Any] = dict(waiting.get(q.id) or {"n": 0, "oldest": None})
        each = minutes[q.pk]
        n_open = open_by_queue.get(q.id, 0)
        longest = int((now - row["oldest"]).total_seconds() // 60) if row["oldest"] else 0
        states.append(
            QueueState(
                queue=q,
                waiting=row["n"],
                open_windows=n_open,
                minutes_each=each,
                estimated_wait_minutes=estimate_minutes(
                    ahead=row["n"], minutes_each=each, windows=n_open
                ),
                longest_wait_minutes=longest,
            )
        )
    return states
