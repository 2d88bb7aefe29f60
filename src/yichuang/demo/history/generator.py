"""The history generator: day after day of hall traffic for every active
centre, and, when asked, the cases and ratings that follow from it. Seeded and
deterministic up to the secret codes (the same arguments give the same
figures on either database)."""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from yichuang.cases.models import Card, Case, CaseEvent, CaseVisit, ClockStop
from yichuang.catalog.models import Item
from yichuang.feedback.models import Rating, Rectification
from yichuang.org.models import Centre, Staff
from yichuang.queueing.models import (
    Appointment,
    AppointmentSlot,
    Queue,
    Ticket,
    TicketEvent,
    WindowSkill,
)

from . import ratings as r
from . import services as s
from . import traffic as tr
from .writer import Table, Workdays, sequences_reset

# Tickets a centre takes on an ordinary day, relative to the county hall.
TOWNSHIP_SHARE = 0.3
# Monday … Sunday (weekend days only when they are make-up working days).
WEEKDAY_FACTOR = (1.35, 1.0, 0.95, 0.9, 1.05, 0.3, 0.3)
# The first working day after a holiday of more than three days is busier.
AFTER_HOLIDAY = 1.5
FLUSH_ROWS = 20000


@dataclass
class HistoryStats:
    tickets: int = 0
    events: int = 0
    cases: int = 0
    visits: int = 0
    cards: int = 0
    ratings: int = 0
    rectifications: int = 0


def _centres() -> list[tr.CentreSpec]:
    out = []
    for centre in Centre.objects.filter(is_active=True).order_by("id"):
        queues = Queue.objects.filter(centre=centre, is_active=True).exclude(code="unsolved")
        first: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
        every: dict[int, list[tuple[int, int, int | None]]] = defaultdict(list)
        regular: dict[int, int | None] = {}
        for skill in (
            WindowSkill.objects.filter(queue__in=queues, window__is_active=True)
            .select_related("window")
            .order_by("window__number", "queue_id")
        ):
            w = skill.window
            spec = (w.id, w.number, w.department_id)
            every[skill.queue_id].append(spec)
            if skill.order == 1 and w.kind != "flexible":
                first[skill.queue_id].append(spec)
            regular[w.id] = None
        specs = [
            tr.QueueSpec(q.id, q.code, q.prefix, float(q.service_minutes or 8), tuple(windows))
            for q in queues.order_by("sort_order", "id")
            if (windows := first.get(q.id) or every.get(q.id))
        ]
        if not specs:
            continue
        staff = list(
            Staff.objects.filter(centre=centre).order_by("id").values_list("id", flat=True)
        )
        for i, window in enumerate(regular):
            regular[window] = staff[i % len(staff)] if staff else None
        items: dict[int | None, list[tuple[int, int, int, int, int]]] = defaultdict(list)
        for item, dept, version, committed, visits in (
            Item.objects.published()
            .filter(centres=centre)
            .order_by("id")
            .values_list(
                "id",
                "department_id",
                "current_version_id",
                "current_version__committed_limit",
                "current_version__visits_required",
            )
        ):
            row = (item, dept, version, int(committed or 0), visits)
            items[dept].append(row)
            items[None].append(row)
        out.append(
            tr.CentreSpec(
                id=centre.id,
                county=centre.kind == "county",
                queues=specs,
                staff=staff or [None],  # type: ignore[list-item]
                regular=regular,
                items=dict(items),
            )
        )
    return out


class History:
    """Writes history day by day (``days``) for every active centre.

    ``per_day``: the county hall's tickets on an ordinary day (a township
    centre takes ``township_share`` of it); ``events``: the tickets' events
    too; ``cases`` / ``ratings``: the cases and ratings that follow; ``today``:
    nothing is completed or given feedback on or after it."""

    def __init__(
        self,
        *,
        seed: int = 1,
        per_day: float = 420,
        township_share: float = TOWNSHIP_SHARE,
        events: bool = True,
        cases: bool = True,
        ratings: bool = True,
        today: dt.date | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.tz = timezone.get_default_timezone()
        self.per_day = per_day
        self.township_share = township_share
        self.events = events
        self.cases = cases
        self.ratings = ratings
        self.today = today or timezone.localdate()
        self.centres = _centres()
        self.stats = HistoryStats()
        self.tables: dict[str, Table] = {}
        self.cal = Workdays(self.today, self.today)
        self.rater = r.Rater(self, sorted({x for c in self.centres for x in c.staff if x}))
        self.used_codes: set[str] = set()
        # The served tickets of each centre's previous working day: earlier visits.
        self.recent: dict[int, list[tuple[int, dt.datetime]]] = {}
        self.previous_workday: dt.date | None = None

    # -- plans ------------------------------------------------------------------------

    def weight(self, day: dt.date, previous: dt.date | None) -> float:
        """How busy ``day`` is, relative to an ordinary day."""
        gap = (day - previous).days if previous else 1
        return WEEKDAY_FACTOR[day.weekday()] * (AFTER_HOLIDAY if gap > 3 else 1.0)

    def per_day_for(self, tickets: int, first: dt.date, last: dt.date) -> float:
        """The county hall's ordinary day that makes about ``tickets`` tickets
        taken from ``first`` to ``last``."""
        cal = Workdays(first - dt.timedelta(days=10), last)
        share = sum(1.0 if c.county else self.township_share for c in self.centres)
        total, previous = 0.0, None
        for day in cal.days:
            if day >= first:
                total += self.weight(day, previous)
            previous = day
        return tickets / max(1.0, share * total)

    # -- writing ----------------------------------------------------------------------

    def _open(self) -> None:
        t = {
            "ticket": Table(Ticket, tr.TICKET_FIELDS),
            "slot": Table(AppointmentSlot, tr.SLOT_FIELDS),
            "appointment": Table(Appointment, tr.APPOINTMENT_FIELDS),
        }
        if self.events:
            t["ticket_event"] = Table(TicketEvent, tr.EVENT_FIELDS)
        if self.cases:
            t["case"] = Table(Case, s.CASE_FIELDS)
            t["visit"] = Table(CaseVisit, s.VISIT_FIELDS)
            t["stop"] = Table(ClockStop, s.STOP_FIELDS)
            t["case_event"] = Table(CaseEvent, s.CASE_EVENT_FIELDS)
            t["card"] = Table(Card, s.CARD_FIELDS)
        if self.ratings:
            t["rating"] = Table(Rating, r.RATING_FIELDS)
            t["rect"] = Table(Rectification, r.RECTIFICATION_FIELDS)
        self.tables = t
        if not self.used_codes:
            self.used_codes = set(Appointment.objects.values_list("code", flat=True))

    def _flush(self) -> None:
        for table in self.tables.values():
            table.flush()
        self.rater.flush()

    def days(self, first: dt.date, last: dt.date) -> HistoryStats:
        """Write the working days from ``first`` to ``last``, in one transaction."""
        self.cal = Workdays(first - dt.timedelta(days=10), last + dt.timedelta(days=400))
        with transaction.atomic():
            self._open()
            for day in self.cal.days:
                if day > last:
                    break
                if day >= first:
                    self._day(day, self.weight(day, self.previous_workday))
                    if len(self.tables["ticket"].rows) >= FLUSH_ROWS:
                        self._flush()
                self.previous_workday = day
            self._flush()
            sequences_reset(list(self.tables.values()))
        return self._count()

    def day(self, day: dt.date) -> HistoryStats:
        """Write one day (nothing if it is not a working day)."""
        return self.days(day, day)

    def _count(self) -> HistoryStats:
        t = self.tables
        counted = HistoryStats()
        for name, key in (
            ("tickets", "ticket"),
            ("events", "ticket_event"),
            ("cases", "case"),
            ("visits", "visit"),
            ("cards", "card"),
            ("ratings", "rating"),
            ("rectifications", "rect"),
        ):
            n = t[key].count if key in t else 0
            setattr(counted, name, n)
            setattr(self.stats, name, getattr(self.stats, name) + n)
        return counted

    def _day(self, day: dt.date, weight: float) -> None:
        rnd = self.rng.random
        opening = dt.datetime.combine(day, dt.time(8, 30), tzinfo=self.tz)
        for c in self.centres:
            mean = self.per_day * (1.0 if c.county else self.township_share) * weight
            n = int(mean * (0.85 + 0.3 * rnd()) + rnd())
            if n <= 0:
                continue
            served = tr.HallDay(self, c, day, opening).run(n)
            if self.cases:
                s.open_cases(self, c, day, served)
            if self.ratings:
                for one in served:
                    if rnd() < r.TICKET_RATED:
                        self.rate_ticket(one)
            self.recent[c.id] = [(x.id, x.started) for x in served if not x.follow_on]

    # -- what the parts share -----------------------------------------------------------

    def new_code(self) -> str:
        """A fresh appointment code."""
        while True:
            code = f"{self.rng.randrange(10**8):08d}"
            if code not in self.used_codes:
                self.used_codes.add(code)
                return code

    def earlier_visit(self, c: tr.CentreSpec) -> tuple[int, dt.datetime] | None:
        """A ticket of the same centre on its previous working day (the citizen
        came before), or None on the first day."""
        past = self.recent.get(c.id)
        if not past:
            return None
        return past[int(self.rng.random() * len(past))]

    def rate_ticket(self, one: tr.Served) -> None:
        at = one.finished + dt.timedelta(seconds=20 + int(self.rng.random() * 100))
        self.rater.rate(
            "ticket",
            one.id,
            one.rating_code,
            "pad",
            at,
            centre=one.centre,
            department=one.department,
            window=one.window,
            clerk=one.clerk,
            queue=one.queue,
        )

    def rate_case(
        self,
        centre: int,
        case: int,
        item: int,
        dept: int,
        clerk: int | None,
        completed_at: dt.datetime,
    ) -> None:
        at = completed_at + dt.timedelta(seconds=int(600 + self.rng.random() * 20000))
        self.rater.rate(
            "case",
            case,
            f"c{case}",
            "progress",
            at,
            centre=centre,
            department=dept,
            clerk=clerk,
            item=item,
        )


def generate(
    *,
    days: int,
    start: dt.date | None = None,
    end: dt.date | None = None,
    per_day: float | None = None,
    tickets: int | None = None,
    seed: int = 1,
    events: bool = True,
    cases: bool = True,
    ratings: bool = True,
    today: dt.date | None = None,
    township_share: float = TOWNSHIP_SHARE,
) -> HistoryStats:
    """``days`` days of history from ``start`` (or up to ``end``), with the
    county hall taking ``per_day`` tickets on an ordinary day, or about
    ``tickets`` tickets in all (transfers' follow-on tickets come on top)."""
    if start is None:
        if end is None:
            raise ValueError("give start or end")
        start = end - dt.timedelta(days=days - 1)
    last = start + dt.timedelta(days=days - 1)
    history = History(
        seed=seed,
        per_day=per_day or 0,
        township_share=township_share,
        events=events,
        cases=cases,
        ratings=ratings,
        today=today,
    )
    if per_day is None:
        history.per_day = history.per_day_for(tickets or 0, start, last)
    return history.days(start, last)
