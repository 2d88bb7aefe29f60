"""The hall's line in memory, called by the product's own calling rule.

The ranking is ``queueing.actions.picking.rank_key`` and the interleave turn
``priority_turn``, used as they are: only where the tickets come from differs.
As ``queueing.sql.pick_candidates`` reads from the database, the line here
offers, per queue and per class (normal, priority), the earliest waiting
ticket, plus the appointments inside their time window; the rule ranks them
and the window takes the first. tests/demo/test_history_hall.py checks that a
line ranks the same here as through the real pick.
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass
from typing import Any

from yichuang.queueing.actions.picking import SkillQueue, priority_turn, rank_key

NORMAL = "normal"


@dataclass(eq=False, slots=True)
class SimTicket:
    """A ticket of the simulated day: what the calling rule ranks by
    (``queueing.sql.RANK_FIELDS``) and what happened to it."""

    pk: int
    queue_id: int
    priority: str
    sort_at: dt.datetime
    issued_at: dt.datetime
    number: str
    seq: int | None
    channel: str
    # what the citizen will do: "done", "no_show" (not there when called),
    # "cancelled" (leaves at ``leave_at`` if still waiting), "transfer"
    fate: str
    minutes: float
    appt_from: dt.datetime | None = None
    appt_until: dt.datetime | None = None
    appointment: int | None = None
    target_window_id: int | None = None
    transferred_from: int | None = None
    first_ask: int | None = None
    leave_at: dt.datetime | None = None
    # a transfer's follow-on ticket: when and by which window it was handed on
    handed_at: dt.datetime | None = None
    handed_by: Any = None
    # the outcome
    status: str = "waiting"
    called_at: dt.datetime | None = None
    started_at: dt.datetime | None = None
    finished_at: dt.datetime | None = None
    window: Any = None
    clerk: int | None = None
    rating_code: str | None = None


def turns_for(tiers: list[list[SkillQueue]], recent: list[str]) -> list[bool]:
    """Whether it is the priority classes' turn in each tier (as ``pick_next``)."""
    ratios = [min(q.interleave_ratio for q in queues) if queues else 2 for queues in tiers]
    return [priority_turn(recent, ratio) for ratio in ratios]


class Line:
    """The waiting tickets of one centre's day."""

    def __init__(self) -> None:
        self.heaps: dict[tuple[int, bool], list[tuple[dt.datetime, int, SimTicket]]] = {}
        self.appointments: dict[int, list[SimTicket]] = {}
        self.waiting = 0
        self.per_queue: dict[int, int] = {}
        self.left: list[SimTicket] = []  # tickets cancelled while waiting

    def add(self, t: SimTicket) -> None:
        key = (t.queue_id, t.priority != NORMAL)
        heapq.heappush(self.heaps.setdefault(key, []), (t.sort_at, t.pk, t))
        if t.appt_until is not None:
            self.appointments.setdefault(t.queue_id, []).append(t)
        self.waiting += 1
        self.per_queue[t.queue_id] = self.per_queue.get(t.queue_id, 0) + 1

    def _gone(self, t: SimTicket, now: dt.datetime) -> bool:
        """Whether ``t`` no longer waits at ``now`` (called, or left the hall)."""
        if t.status != "waiting":
            return True
        if t.leave_at is not None and t.leave_at <= now:
            self.take(t, "cancelled")
            t.finished_at = t.leave_at
            self.left.append(t)
            return True
        return False

    def take(self, t: SimTicket, status: str) -> None:
        t.status = status
        self.waiting -= 1
        self.per_queue[t.queue_id] -= 1

    def candidates(self, queue_ids: list[int], now: dt.datetime) -> list[SimTicket]:
        """The tickets that can come first at a window serving ``queue_ids``."""
        out = []
        for queue_id in queue_ids:
            for cls in (False, True):
                heap = self.heaps.get((queue_id, cls))
                while heap and self._gone(heap[0][2], now):
                    heapq.heappop(heap)
                if heap:
                    out.append(heap[0][2])
            booked = self.appointments.get(queue_id)
            if booked:
                booked[:] = [t for t in booked if not self._gone(t, now)]
                out += [
                    t
                    for t in booked
                    if t.appt_from is not None
                    and t.appt_until is not None
                    and t.appt_from <= now <= t.appt_until
                ]
        return out

    def pick(
        self,
        tiers: list[list[SkillQueue]],
        queue_ids: list[int],
        recent: list[str],
        window_id: int,
        now: dt.datetime,
    ) -> SimTicket | None:
        """The ticket the calling rule gives this window now, or None."""
        found = self.candidates(queue_ids, now)
        if len(found) <= 1:
            return found[0] if found else None
        turns = turns_for(tiers, recent)
        # rank_key reads a ticket's rank fields by name; a SimTicket has them all
        ranked: Any = found
        return min(ranked, key=lambda t: rank_key(t, tiers, turns, window_id, now))

    def rest(self) -> list[SimTicket]:
        """Every ticket still waiting."""
        return [t for heap in self.heaps.values() for _s, _p, t in heap if t.status == "waiting"]
