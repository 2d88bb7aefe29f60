"""One centre's day in the hall: arrivals by the half hour (busiest mid-morning
and mid-afternoon, closed over lunch), each window calling its queue's next
ticket when it is free, services whose length depends on the queue, no-shows,
cancellations, transfers (the citizen keeps the number and is served at a
window of another queue) and appointments (a slot per half hour used, the
check-ins that became tickets, and bookings nobody came for)."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .writer import Table

if TYPE_CHECKING:
    from .generator import History

# Relative arrivals per half hour from 08:30 to 17:30 (lunch closed 12:00–14:00).
HALF_HOURS = [
    (8, 30, 1.3),
    (9, 0, 1.8),
    (9, 30, 1.9),
    (10, 0, 1.7),
    (10, 30, 1.4),
    (11, 0, 1.1),
    (11, 30, 0.7),
    (14, 0, 1.0),
    (14, 30, 1.3),
    (15, 0, 1.3),
    (15, 30, 1.1),
    (16, 0, 0.9),
    (16, 30, 0.6),
    (17, 0, 0.3),
]
HALF_HOUR_WEIGHTS = [w for *_x, w in HALF_HOURS]
# How many citizens each queue draws, relative to the others (1 when not listed).
QUEUE_WEIGHTS = {
    "general": 5,
    "social": 4,
    "medical": 3,
    "household": 3,
    "civil": 1.5,
    "health": 1,
    "disability": 0.6,
    "veterans": 0.5,
}
PRIORITY_MIX = [
    ("normal", 0.88),
    ("elderly", 0.07),
    ("disabled", 0.02),
    ("pregnant", 0.01),
    ("military", 0.01),
    ("green", 0.01),
]
CHANNEL_MIX = [("kiosk", 0.8), ("greeter", 0.1), ("appointment", 0.07), ("mobile", 0.03)]
NO_SHOW, CANCELLED = 0.04, 0.02  # shares of the tickets taken
TRANSFER_SHARE = 0.03  # finished visits that were handed on to another queue
APPOINTMENT_NO_SHOW_SHARE = 0.12  # bookings nobody checked in for
CLERK_SWAP = 0.1  # a window's regular clerk is elsewhere that day

TICKET_FIELDS = (
    "centre",
    "queue",
    "day",
    "seq",
    "number",
    "status",
    "priority",
    "channel",
    "track_code",
    "rating_code",
    "issued_at",
    "sort_at",
    "called_at",
    "started_at",
    "finished_at",
    "window",
    "clerk",
    "first_ask",
    "transferred_from",
    "appointment",
    "appt_from",
    "appt_until",
    "created_at",
    "updated_at",
)
EVENT_FIELDS = (
    "centre",
    "ticket",
    "type",
    "old_status",
    "new_status",
    "window",
    "ticket_number",
    "window_number",
    "reason",
    "at",
)
SLOT_FIELDS = ("queue", "day", "start", "end", "capacity", "booked", "created_at", "updated_at")
APPOINTMENT_FIELDS = (
    "slot",
    "code",
    "phone_hash",
    "status",
    "checked_in_at",
    "created_at",
    "updated_at",
)


@dataclass(frozen=True)
class QueueSpec:
    id: int
    code: str
    prefix: str
    service_minutes: float
    # (window id, window number, window's department id) of the windows serving it first
    windows: tuple[tuple[int, int, int | None], ...]


@dataclass
class CentreSpec:
    id: int
    county: bool
    queues: list[QueueSpec]
    staff: list[int]
    # window id → its regular clerk
    regular: dict[int, int | None]
    # department id (None: any) → (item, department, version, committed days, visits required)
    items: dict[int | None, list[tuple[int, int, int, int, int]]] = field(default_factory=dict)


@dataclass(frozen=True)
class Served:
    """A ticket served to the end (the follow-on ticket of a transfer too)."""

    id: int
    centre: int
    queue: int
    window: int
    department: int | None
    clerk: int | None
    started: dt.datetime
    finished: dt.datetime
    follow_on: bool
    rating_code: str


def _pick(rng: Any, mix: list[tuple[str, float]]) -> str:
    x = rng.random()
    for value, p in mix:
        x -= p
        if x <= 0:
            return value
    return mix[0][0]


class HallDay:
    """Writes one centre's day of tickets (with their events and appointments)."""

    def __init__(self, history: History, centre: CentreSpec, day: dt.date, opening: dt.datetime):
        self.h = history
        self.c = centre
        self.day = day
        self.opening = opening
        self.tickets: Table = history.tables["ticket"]
        self.free_at: dict[tuple[int, int], dt.datetime] = {}
        self.slots: dict[tuple[int, dt.datetime], int] = {}
        rnd = history.rng.random
        self.clerk_of = {
            w: (centre.staff[int(rnd() * len(centre.staff))] if rnd() < CLERK_SWAP else clerk)
            for w, clerk in centre.regular.items()
        }

    # -- rows ----------------------------------------------------------------------------

    def _event(self, tid: int, type_: str, old: str, new: str, window, number, at, reason=""):
        if not self.h.events:
            return
        self.h.tables["ticket_event"].add(
            self.c.id,
            tid,
            type_,
            old,
            new,
            window[0] if window else None,
            number,
            window[1] if window else None,
            reason,
            at,
        )

    def _ticket(self, q: QueueSpec, seq, number, status, priority, channel, issued, **kw) -> int:
        called = kw.get("called")
        window = kw.get("window")
        clerk = kw.get("clerk") if called else None
        finished = kw.get("finished")
        appt = kw.get("appt")
        return self.tickets.add(
            self.c.id,
            q.id,
            self.day,
            seq,
            number,
            status,
            priority,
            channel,
            secrets.token_urlsafe(12),
            kw.get("rating_code"),
            issued,
            kw.get("sort_at", issued),
            called,
            kw.get("started"),
            finished,
            window[0] if window and called else None,
            clerk,
            clerk,
            kw.get("transferred_from"),
            appt[0] if appt else None,
            appt[1] if appt else None,
            appt[2] if appt else None,
            issued,
            finished or issued,
        )

    def _slot_for(self, q: QueueSpec, issued: dt.datetime) -> tuple[int, dt.datetime, dt.datetime]:
        """The checked-in booking behind an appointment ticket (its slot made on first use)."""
        t = self.h.tables
        begin = issued.replace(minute=0 if issued.minute < 30 else 30, second=0, microsecond=0)
        key = (q.id, begin)
        if key not in self.slots:
            made = begin - dt.timedelta(days=2)
            no_shows = 1 if self.h.rng.random() < APPOINTMENT_NO_SHOW_SHARE else 0
            self.slots[key] = sid = t["slot"].add(
                q.id,
                self.day,
                begin.time(),
                (begin + dt.timedelta(minutes=30)).time(),
                4,
                no_shows,
                made,
                made,
            )
            for _n in range(no_shows):
                t["appointment"].add(sid, self.h.new_code(), "demo", "no_show", None, made, made)
        booked = begin - dt.timedelta(days=1)
        aid = t["appointment"].add(
            self.slots[key], self.h.new_code(), "demo", "checked_in", issued, booked, booked
        )
        return aid, begin - dt.timedelta(minutes=15), begin + dt.timedelta(minutes=30)

    def _serve(self, q: QueueSpec, issued: dt.datetime):
        """The window that serves ``q`` next, and when it calls."""
        wins = q.windows
        k = min(range(len(wins)), key=lambda i: self.free_at.get((q.id, wins[i][0]), self.opening))
        window = wins[k]
        called = max(issued, self.free_at.get((q.id, window[0]), self.opening))
        if called.hour in (12, 13):
            called = called.replace(hour=14, minute=0)
        return window, called

    # -- the day -------------------------------------------------------------------------

    def run(self, n: int) -> list[Served]:
        rng = self.h.rng
        queues = self.c.queues
        arrivals: dict[int, list[dt.datetime]] = {q.id: [] for q in queues}
        midnight = self.opening.replace(hour=0, minute=0)
        halves = rng.choices(HALF_HOURS, weights=HALF_HOUR_WEIGHTS, k=n)
        picked = rng.choices(queues, weights=[QUEUE_WEIGHTS.get(q.code, 1) for q in queues], k=n)
        for (h, m, _w), q in zip(halves, picked, strict=True):
            at = midnight + dt.timedelta(hours=h, minutes=m, seconds=rng.randrange(1800))
            arrivals[q.id].append(at)
        served: list[Served] = []
        for q in queues:
            for seq, issued in enumerate(sorted(arrivals[q.id]), start=1):
                one = self._ticket_of(q, seq, issued)
                if one is not None:
                    served.append(one)
        return served

    def _ticket_of(self, q: QueueSpec, seq: int, issued: dt.datetime) -> Served | None:
        rng = self.h.rng
        r = rng.random()
        status = "cancelled" if r < CANCELLED else "no_show" if r < CANCELLED + NO_SHOW else "done"
        priority = _pick(rng, PRIORITY_MIX)
        channel = _pick(rng, CHANNEL_MIX)
        number = f"{q.prefix}{seq:03d}"
        tid = self.tickets.next_id
        appt = self._slot_for(q, issued) if channel == "appointment" else None
        self._event(tid, "issued", "", "waiting", None, number, issued, channel)
        if status == "cancelled":
            left = issued + dt.timedelta(minutes=5)
            self._event(tid, "cancelled", "waiting", "cancelled", None, number, left)
            self._ticket(
                q, seq, number, status, priority, channel, issued, finished=left, appt=appt
            )
            return None
        window, called = self._serve(q, issued)
        clerk = self.clerk_of.get(window[0])
        self._event(tid, "called", "waiting", "called", window, number, called)
        if status == "no_show":
            left = called + dt.timedelta(minutes=2)
            self._event(tid, "no_show", "called", "no_show", window, number, left)
            self.free_at[(q.id, window[0])] = left
            self._ticket(
                q, seq, number, status, priority, channel, issued,
                called=called, finished=left, window=window, clerk=clerk, appt=appt,
            )  # fmt: skip
            return None
        started = called + dt.timedelta(seconds=30)
        service = max(1.0, rng.lognormvariate(math.log(q.service_minutes) - 0.08, 0.4))
        others = [o for o in self.c.queues if o.code != "general" and o.id != q.id]
        if others and rng.random() < TRANSFER_SHARE:
            return self._transfer(
                (q, seq, number),
                priority,
                channel,
                issued,
                called,
                started,
                service,
                window,
                clerk,
                appt,
                others,
            )
        finished = called + dt.timedelta(minutes=service)
        self._event(tid, "finished", "serving", "done", window, number, finished)
        self.free_at[(q.id, window[0])] = finished
        code = secrets.token_urlsafe(9)
        self._ticket(
            q, seq, number, status, priority, channel, issued,
            called=called, started=started, finished=finished, window=window, clerk=clerk,
            rating_code=code, appt=appt,
        )  # fmt: skip
        return Served(
            tid, self.c.id, q.id, window[0], window[2], clerk, started, finished, False, code
        )

    def _transfer(
        self, head, priority, channel, issued, called, started, service, window, clerk, appt, others
    ) -> Served:
        """Asked the wrong window: handed on after a short talk, keeping the number."""
        q, seq, number = head
        tid = self.tickets.next_id
        handed = called + dt.timedelta(minutes=min(3.0, service / 2))
        self._event(tid, "started", "called", "serving", window, number, started)
        self._event(tid, "transferred", "serving", "transferred", window, number, handed)
        self.free_at[(q.id, window[0])] = handed
        self._ticket(
            q, seq, number, "transferred", priority, channel, issued,
            called=called, started=started, finished=handed, window=window, clerk=clerk,
            appt=appt,
        )  # fmt: skip
        rng = self.h.rng
        target = rng.choice(others)
        succ = self.tickets.next_id
        self._event(succ, "issued", "", "waiting", window, number, handed, "transfer")
        window2, called2 = self._serve(target, handed)
        clerk2 = self.clerk_of.get(window2[0])
        started2 = called2 + dt.timedelta(seconds=30)
        minutes = max(1.0, rng.lognormvariate(math.log(target.service_minutes), 0.4))
        finished2 = called2 + dt.timedelta(minutes=minutes)
        self._event(succ, "called", "waiting", "called", window2, number, called2)
        self._event(succ, "finished", "serving", "done", window2, number, finished2)
        self.free_at[(target.id, window2[0])] = finished2
        code = secrets.token_urlsafe(9)
        self._ticket(
            target, None, number, "done", priority, "transfer", issued,
            called=called2, started=started2, finished=finished2, window=window2, clerk=clerk2,
            rating_code=code, transferred_from=tid,
        )  # fmt: skip
        return Served(
            succ,
            self.c.id,
            target.id,
            window2[0],
            window2[2],
            clerk2,
            started2,
            finished2,
            True,
            code,
        )


def queue_windows(rows: list[tuple[int, int, int, int | None]]) -> dict[int, list[Any]]:
    """{queue: [(window, number, department)]} from (queue, window, number, department) rows."""
    out: dict[int, list[Any]] = defaultdict(list)
    for queue, window, number, dept in rows:
        out[queue].append((window, number, dept))
    return out
