"""One centre's day in the hall, simulated as a hall works.

Citizens arrive through the day's opening hours (``org.opening``: none over
the lunch closure, none in the last half hour, busiest mid-morning and
mid-afternoon), each taking a number of one queue: how busy each queue is
follows the weekday, the season (``seasons.py``) and the days after a long
holiday. Each window has its own clerk for the day — the A clerk of the
window's post, the B clerk while A is on a dated absence (``org.StaffAbsence``),
closed when both are away — and serves one citizen at a time: when free and
inside the hours it calls the next ticket by the product's calling rule
(``calling.py``: its skill tiers, the interleave of the priority classes,
ageing, appointments inside their time window), and waits when nobody it may
take is waiting; after each citizen the clerk takes a moment to finish the
record, and once in each half-day a short pause. Flexible windows open when
the line grows long. Some citizens are not there when called (过号), some
leave before (cancelled), some asked the wrong line and are handed on to
another queue keeping their number (转办); whoever still waits when the hall
closes goes home, the ticket expired (已过期, as ``tickets_expire`` records
it). Appointment check-ins come with their slot and booking, and some
bookings nobody came for."""

from __future__ import annotations

import datetime as dt
import heapq
import math
import secrets
from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from yichuang.queueing.actions.closing import EXPIRE_REASON as EXPIRED
from yichuang.queueing.actions.picking import SkillQueue

from .calling import Line, SimTicket
from .writer import Table

if TYPE_CHECKING:
    from .generator import History

# Relative arrivals per half hour, by the hour it starts in (the rest: 0.5).
HOUR_PROFILE = {
    8: 1.3,
    9: 1.85,
    10: 1.55,
    11: 0.9,
    12: 0.5,
    13: 0.9,
    14: 1.15,
    15: 1.2,
    16: 0.75,
    17: 0.3,
}
LAST_TICKET = dt.timedelta(minutes=30)  # the kiosk stops issuing before closing
# How many citizens each queue draws, relative to the others (1 when not listed).
QUEUE_WEIGHTS = {
    "general": 5,
    "social": 4,
    "medical": 3,
    "household": 3,
    "civil": 1.5,
    "tax": 1.2,
    "health": 1,
    "disability": 0.6,
    "veterans": 0.5,
}
PRIORITY_MIX = [
    ("normal", 0.86),
    ("elderly", 0.09),
    ("disabled", 0.02),
    ("pregnant", 0.01),
    ("military", 0.01),
    ("green", 0.01),
]
CHANNEL_MIX = [("kiosk", 0.8), ("greeter", 0.1), ("appointment", 0.07), ("mobile", 0.03)]
NO_SHOW, CANCELLED = 0.04, 0.02  # shares of the tickets taken
TRANSFER_SHARE = 0.03  # visits handed on to another queue
APPOINTMENT_NO_SHOW_SHARE = 0.12  # bookings nobody checked in for
# A flexible window opens when a queue's line passes its alert threshold
# (``Queue.alert_waiting``), or when this many wait per staffed window (at
# least FLEX_MIN) — the emergency plan's first step (DOMAIN §13).
FLEX_PER_WINDOW, FLEX_MIN = 1.5, 8
CALL_TO_START = dt.timedelta(seconds=30)
WRAP_UP_MINUTES = 1.2  # mean time a clerk takes after a citizen leaves (entering, filing)
# A clerk's short pause (暂停) in each span of two hours or more, in minutes.
PAUSE_MINUTES = (8, 20)

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
    alert_waiting: int = 0  # the queue's alert: this many waiting (0: none)


@dataclass
class WindowSpec:
    id: int
    number: int
    department: int | None
    flexible: bool
    tiers: list[list[SkillQueue]]  # the calling rule's skill tiers
    queue_ids: list[int]  # the queues it may call, tier by tier
    a: int | None  # the A and B clerks of its post
    b: int | None


@dataclass
class CentreSpec:
    id: int
    county: bool
    centre: Any  # the org.Centre, for its hours
    queues: list[QueueSpec]
    windows: list[WindowSpec]
    staff: list[int]
    # department id (None: any) → (item, department, version, committed days, visits
    # required, weight)
    items: dict[int | None, list[tuple[int, int, int, int, int, float]]] = field(
        default_factory=dict
    )
    item_cum: dict[int | None, list[float]] = field(default_factory=dict)


@dataclass(frozen=True)
class Served:
    """A ticket served to the end (the follow-on ticket of a transfer too)."""

    id: int
    centre: int
    queue: int
    window: int
    department: int | None
    clerk: int | None
    called: dt.datetime
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


class _Desk:
    """A window during the day: its clerk, whether it is open, what it did."""

    __slots__ = ("clerk", "idle_since", "open", "pauses", "recent", "spec")

    def __init__(self, spec: WindowSpec, clerk: int | None) -> None:
        self.spec = spec
        self.clerk = clerk
        self.open = False
        self.idle_since: dt.datetime | None = None  # None: busy or closed
        self.recent: list[str] = []  # priority classes of its calls, newest first
        self.pauses: list[tuple[dt.datetime, float]] = []  # (from, minutes), in order


FREE, ARRIVE, SPAN = 0, 1, 2


class HallDay:
    """Simulates one centre's day and writes its tickets, events and appointments."""

    def __init__(
        self,
        history: History,
        centre: CentreSpec,
        day: dt.date,
        spans: list[tuple[dt.datetime, dt.datetime]],
        factors: dict[int, float],
    ) -> None:
        self.h = history
        self.c = centre
        self.day = day
        self.spans = spans
        self.factors = factors  # queue id → its season's factor
        self.tickets: Table = history.tables["ticket"]
        self.slots: dict[tuple[int, dt.datetime], int] = {}
        self.line = Line()
        self.made: list[SimTicket] = []
        self.heap: list[tuple[dt.datetime, int, int, Any]] = []
        self.order = 0
        self.desks = [
            _Desk(w, clerk)
            for w in centre.windows
            if (clerk := history.holder(w.a, w.b, day)) is not None
        ]
        self.by_queue: dict[int, list[tuple[int, _Desk]]] = defaultdict(list)
        for desk in self.desks:
            for tier, queues in enumerate(desk.spec.tiers):
                for q in queues:
                    self.by_queue[q.pk].append((tier, desk))
        self.queue_of = {q.id: q for q in centre.queues}

    # -- the simulation ---------------------------------------------------------------

    def _push(self, at: dt.datetime, kind: int, what: Any) -> None:
        self.order += 1
        heapq.heappush(self.heap, (at, self.order, kind, what))

    def _span_at(self, at: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
        for start, end in self.spans:
            if start <= at < end:
                return start, end
        return None

    def _next_start(self, at: dt.datetime) -> dt.datetime | None:
        return next((start for start, _end in self.spans if start > at), None)

    def run(self, n: int) -> list[Served]:
        for t in self._arrivals(n):
            self._push(t.issued_at, ARRIVE, t)
        first = self.spans[0][0]
        rng = self.h.rng
        for desk in self.desks:
            for start, end in self.spans:
                length = (end - start).total_seconds()
                if length >= 7200:
                    at = start + dt.timedelta(seconds=length * (0.3 + 0.4 * rng.random()))
                    desk.pauses.append((at, rng.uniform(*PAUSE_MINUTES)))
            if not desk.spec.flexible:
                desk.open = True
                self._push(first, FREE, desk)
        for start, _end in self.spans[1:]:
            self._push(start, SPAN, None)
        while self.heap:
            at, _o, kind, what = heapq.heappop(self.heap)
            if kind == FREE:
                self._free(what, at)
            elif kind == ARRIVE:
                self._arrive(what, at)
            else:
                for desk in self.desks:
                    if desk.open and desk.idle_since is not None:
                        desk.idle_since = None
                        self._push(at, FREE, desk)
        closing = self.spans[-1][1]
        for t in self.line.rest():
            if t.leave_at is not None and t.leave_at < closing:
                # gave up before closing, though no window looked for them since
                self.line.take(t, "cancelled")
                t.finished_at = max(t.leave_at, t.handed_at or t.issued_at)
                self.line.left.append(t)
            else:
                # still waiting at closing: the ticket expires (tickets_expire)
                self.line.take(t, "expired")
                t.finished_at = max(closing, t.handed_at or t.issued_at)
        return self._write()

    def _free(self, desk: _Desk, at: dt.datetime) -> None:
        """The window is free at ``at``: it calls the next ticket, or waits."""
        if self._span_at(at) is None:
            nxt = self._next_start(at)
            if nxt is not None:
                self._push(nxt, FREE, desk)
            else:
                desk.open = False  # the day is over
            return
        if desk.pauses and desk.pauses[0][0] <= at:
            _from, minutes = desk.pauses.pop(0)
            self._push(at + dt.timedelta(minutes=minutes), FREE, desk)
            return
        t = self.line.pick(desk.spec.tiers, desk.spec.queue_ids, desk.recent, desk.spec.id, at)
        if t is None:
            desk.idle_since = at
            return
        desk.idle_since = None
        self._call(desk, t, at)

    def _arrive(self, t: SimTicket, at: dt.datetime) -> None:
        self.line.add(t)
        if self._span_at(at) is None:
            return  # handed on after the hours: it waits for the next span
        self._flex(at, self.queue_of.get(t.queue_id))
        best, desk = None, None
        for tier, d in self.by_queue[t.queue_id]:
            if d.open and d.idle_since is not None:
                key = (tier, d.idle_since, d.spec.number)
                if best is None or key < best:
                    best, desk = key, d
        if desk is not None:
            desk.idle_since = None
            self._free(desk, at)

    def _flex(self, at: dt.datetime, q: QueueSpec | None) -> None:
        """Open a flexible window when the line has grown long."""
        alert = q is not None and 0 < q.alert_waiting < self.line.per_queue.get(q.id, 0)
        if not alert and self.line.waiting <= max(FLEX_MIN, FLEX_PER_WINDOW * len(self.desks)):
            return
        for desk in self.desks:
            if desk.spec.flexible and not desk.open:
                desk.open = True
                self._push(at, FREE, desk)
                return

    def _call(self, desk: _Desk, t: SimTicket, at: dt.datetime) -> None:
        rng = self.h.rng
        self.line.take(t, "called")
        desk.recent.insert(0, t.priority)
        del desk.recent[10:]
        t.called_at, t.window, t.clerk = at, desk.spec, desk.clerk
        if t.first_ask is None:
            t.first_ask = desk.clerk
        if t.fate == "no_show":
            t.status = "no_show"
            t.finished_at = at + dt.timedelta(minutes=2 + rng.random())
            self._push(t.finished_at, FREE, desk)
            return
        t.started_at = at + CALL_TO_START
        others = [q for q in self.c.queues if q.code != "general" and q.id != t.queue_id]
        if t.fate == "transfer" and others:
            t.status = "transferred"
            t.finished_at = at + dt.timedelta(minutes=min(3.0, t.minutes / 2))
            target = others[int(rng.random() * len(others))]
            follow = self._ticket(
                target,
                None,
                t.number,
                t.priority,
                "transfer",
                t.issued_at,
                fate="done",
                sort_at=t.sort_at,
                transferred_from=t.pk,
                first_ask=t.first_ask,
            )
            follow.handed_at, follow.handed_by = t.finished_at, desk.spec
            self._push(t.finished_at, ARRIVE, follow)
            self._push(t.finished_at, FREE, desk)
            return
        t.status = "done"
        t.finished_at = at + dt.timedelta(minutes=t.minutes)
        t.rating_code = secrets.token_urlsafe(9)
        wrap = min(5.0, rng.expovariate(1 / WRAP_UP_MINUTES))
        self._push(t.finished_at + dt.timedelta(minutes=wrap), FREE, desk)

    # -- arrivals ---------------------------------------------------------------------

    def _ticket(self, q: QueueSpec, seq, number, priority, channel, issued, **kw) -> SimTicket:
        rng = self.h.rng
        minutes = max(1.0, rng.lognormvariate(math.log(q.service_minutes) - 0.08, 0.4))
        t = SimTicket(
            pk=self.tickets.next_id + len(self.made),
            queue_id=q.id,
            priority=priority,
            sort_at=kw.pop("sort_at", issued),
            issued_at=issued,
            number=number,
            seq=seq,
            channel=channel,
            minutes=minutes,
            **kw,
        )
        self.made.append(t)
        return t

    def _arrivals(self, n: int) -> list[SimTicket]:
        """``n`` citizens taking a number through the day's hours, in order."""
        rng = self.h.rng
        last = self.spans[-1][1] - LAST_TICKET
        pieces: list[tuple[dt.datetime, float]] = []  # (start, seconds)
        weights: list[float] = []
        for start, end in self.spans:
            end = min(end, last)
            at = start
            while at < end:
                floor = at.replace(minute=0 if at.minute < 30 else 30, second=0, microsecond=0)
                nxt = min(end, floor + dt.timedelta(minutes=30))
                seconds = (nxt - at).total_seconds()
                pieces.append((at, seconds))
                weights.append(HOUR_PROFILE.get(at.hour, 0.5) * seconds / 1800)
                at = nxt
        if not pieces or n <= 0:
            return []
        queues = self.c.queues
        qw = [QUEUE_WEIGHTS.get(q.code, 1) * self.factors.get(q.id, 1.0) for q in queues]
        times = sorted(
            start + dt.timedelta(seconds=rng.random() * seconds)
            for start, seconds in rng.choices(pieces, weights=weights, k=n)
        )
        picked = rng.choices(queues, weights=qw, k=n)
        seqs: dict[int, int] = defaultdict(int)
        out = []
        for issued, q in zip(times, picked, strict=True):
            seqs[q.id] += 1
            seq = seqs[q.id]
            r = rng.random()
            fate = (
                "cancelled"
                if r < CANCELLED
                else "no_show"
                if r < CANCELLED + NO_SHOW
                else "transfer"
                if r < CANCELLED + NO_SHOW + TRANSFER_SHARE
                else "done"
            )
            channel = _pick(rng, CHANNEL_MIX)
            t = self._ticket(
                q,
                seq,
                f"{q.prefix}{seq:03d}",
                _pick(rng, PRIORITY_MIX),
                channel,
                issued,
                fate=fate,
                leave_at=issued + dt.timedelta(minutes=3 + 20 * rng.random())
                if fate == "cancelled"
                else None,
            )
            if channel == "appointment":
                t.appointment, t.appt_from, t.appt_until = self._slot_for(q, issued)
            out.append(t)
        return out

    def _slot_for(self, q: QueueSpec, issued: dt.datetime) -> tuple[int, dt.datetime, dt.datetime]:
        """The checked-in booking behind an appointment ticket (its slot made on
        first use), and the ticket's time window (``issuing``: from 15 minutes
        before the slot to its end)."""
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

    # -- rows -------------------------------------------------------------------------

    def _write(self) -> list[Served]:
        events: list[tuple] = []
        cid = self.c.id
        served: list[Served] = []
        for t in self.made:
            w = t.window
            wid, wnum = (w.id, w.number) if w is not None else (None, None)
            by = t.handed_by
            events.append(
                (
                    t.handed_at or t.issued_at,
                    t.pk,
                    0,
                    "issued",
                    "",
                    "waiting",
                    by.id if by is not None else None,
                    by.number if by is not None else None,
                    "transfer" if t.transferred_from else t.channel,
                )
            )
            if t.called_at is not None:
                events.append((t.called_at, t.pk, 1, "called", "waiting", "called", wid, wnum, ""))
            if t.status == "cancelled":
                events.append(
                    (t.finished_at, t.pk, 4, "cancelled", "waiting", "cancelled", None, None, "")
                )
            elif t.status == "expired":
                events.append(
                    (t.finished_at, t.pk, 4, "expired", "waiting", "expired", None, None, EXPIRED)
                )
            elif t.status == "no_show":
                events.append(
                    (t.finished_at, t.pk, 4, "no_show", "called", "no_show", wid, wnum, "")
                )
            elif t.status == "transferred":
                events.append(
                    (t.started_at, t.pk, 2, "started", "called", "serving", wid, wnum, "")
                )
                events.append(
                    (t.finished_at, t.pk, 4, "transferred", "serving", "transferred", wid, wnum, "")
                )
            elif t.status == "done":
                events.append(
                    (t.finished_at, t.pk, 4, "finished", "serving", "done", wid, wnum, "")
                )
                served.append(
                    Served(
                        t.pk,
                        cid,
                        t.queue_id,
                        wid,
                        w.department,
                        t.clerk,
                        t.called_at,  # type: ignore[arg-type]
                        t.started_at,  # type: ignore[arg-type]
                        t.finished_at,  # type: ignore[arg-type]
                        t.transferred_from is not None,
                        t.rating_code or "",
                    )
                )
            pk = self.tickets.add(
                cid,
                t.queue_id,
                self.day,
                t.seq,
                t.number,
                t.status,
                t.priority,
                t.channel,
                secrets.token_urlsafe(12),
                t.rating_code,
                t.issued_at,
                t.sort_at,
                t.called_at,
                t.started_at,
                t.finished_at,
                wid,
                t.clerk,
                t.first_ask,
                t.transferred_from,
                t.appointment,
                t.appt_from,
                t.appt_until,
                t.issued_at,
                t.finished_at or t.issued_at,
            )
            assert pk == t.pk
        if self.h.events:
            add = self.h.tables["ticket_event"].add
            events.sort(key=lambda e: (e[0], e[2], e[1]))
            for at, tid, _rank, type_, old, new, wid, wnum, reason in events:
                number = self.made[tid - self.made[0].pk].number
                add(cid, tid, type_, old, new, wid, number, wnum, reason, at)
        return served
