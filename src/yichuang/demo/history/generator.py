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
from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre, OpeningException, Post, StaffAbsence, Window
from yichuang.org.opening import Opening, calendar_hours, regular_opening
from yichuang.queueing.actions.picking import window_queues
from yichuang.queueing.models import Appointment, AppointmentSlot, Queue, Ticket, TicketEvent

from ..item_volumes import item_weight
from . import ratings as r
from . import seasons
from . import services as s
from . import traffic as tr
from .writer import Table, Workdays, sequences_reset

# Tickets a centre takes on an ordinary day, relative to the county hall.
TOWNSHIP_SHARE = 0.3
# Monday … Sunday: an ordinary working week; a make-up working day (调休上班日)
# at an ordinary weekday's volume; a weekend the hall opens on by exception
# (周末轮值) at WEEKEND_DUTY.
WEEKDAY_FACTOR = (1.35, 1.0, 0.95, 0.9, 1.05)
MAKEUP_DAY, WEEKEND_DUTY = 1.0, 0.3
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
        specs = [
            tr.QueueSpec(
                q.id, q.code, q.prefix, float(q.service_minutes or 8), q.alert_waiting or 0
            )
            for q in queues.order_by("sort_order", "id")
        ]
        simulated = {q.id for q in specs}
        posts = {
            w: (a, b)
            for w, a, b in Post.objects.filter(centre=centre, window__isnull=False)
            .order_by("id")
            .values_list("window_id", "a_staff_id", "b_staff_id")
        }
        windows = []
        for w in Window.objects.filter(centre=centre, is_active=True).order_by("number"):
            tiers = [[q for q in tier if q.pk in simulated] for tier in window_queues(w.pk)]
            tiers = [tier for tier in tiers if tier]
            if not tiers:
                continue
            a, b = posts.get(w.pk, (w.clerk_id, None))
            windows.append(
                tr.WindowSpec(
                    id=w.pk,
                    number=w.number,
                    department=w.department_id,
                    flexible=w.kind == "flexible",
                    tiers=tiers,
                    queue_ids=[q.pk for tier in tiers for q in tier],
                    a=a,
                    b=b,
                )
            )
        if not specs or not windows:
            continue
        staff = sorted({x for w in windows for x in (w.a, w.b) if x})
        items: dict[int | None, list[tuple[int, int, int, int, int, float]]] = defaultdict(list)
        for item, name, dept, version, committed, visits in (
            Item.objects.published()
            .filter(centres=centre)
            .order_by("id")
            .values_list(
                "id",
                "current_version__name",
                "department_id",
                "current_version_id",
                "current_version__committed_limit",
                "current_version__visits_required",
            )
        ):
            row = (item, dept, version, int(committed or 0), visits, item_weight(name, centre.kind))
            items[dept].append(row)
            items[None].append(row)
        out.append(
            tr.CentreSpec(
                id=centre.id,
                county=centre.kind == "county",
                centre=centre,
                queues=specs,
                windows=windows,
                staff=staff,
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
        self.rater = r.Rater(self, sorted({x for c in self.centres for x in c.staff}))
        self.used_codes: set[str] = set()
        # The served tickets of each centre's previous working day: earlier visits.
        self.recent: dict[int, list[tuple[int, dt.datetime]]] = {}
        self.previous_workday: dt.date | None = None
        self.since_break: int | None = None  # working days since a long break
        self.absences: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
        for staff, start, end in StaffAbsence.objects.filter(cancelled_at__isnull=True).values_list(
            "staff_id", "start", "end"
        ):
            self.absences[staff].append((start, end))
        self.exceptions: set[tuple[int, dt.date]] = set()
        self._calendar = get_calendar()

    # -- plans ------------------------------------------------------------------------

    def away(self, staff: int | None, day: dt.date) -> bool:
        """Whether ``staff`` is on a dated absence on ``day``."""
        return staff is None or any(a <= day <= b for a, b in self.absences.get(staff, ()))

    def holder(self, a: int | None, b: int | None, day: dt.date) -> int | None:
        """The clerk of a post on ``day`` (AB岗): A, B while A is away, else nobody."""
        for staff in (a, b):
            if not self.away(staff, day):
                return staff
        return None

    def opening(self, c: tr.CentreSpec, day: dt.date) -> Opening:
        """The hours ``c`` keeps on ``day`` by the calendar and its dated
        exceptions (``org.opening``; a demonstration's ``always_open`` aside:
        the history is of the hours the hall really keeps)."""
        if (c.id, day) in self.exceptions:
            return regular_opening(c.centre, day)
        return calendar_hours(c.centre, day, self._calendar)

    def spans(self, c: tr.CentreSpec, day: dt.date) -> list[tuple[dt.datetime, dt.datetime]]:
        out = []
        for start, end in self.opening(c, day).hours:
            h1, m1 = map(int, start.split(":"))
            h2, m2 = map(int, end.split(":"))
            midnight = dt.datetime.combine(day, dt.time(0), tzinfo=self.tz)
            out.append(
                (midnight + dt.timedelta(hours=h1, minutes=m1),
                 midnight + dt.timedelta(hours=h2, minutes=m2))
            )  # fmt: skip
        return out

    def weight(self, day: dt.date) -> float:
        """How busy ``day`` is, relative to an ordinary day, before the seasons
        (advances the count of working days since a long break: call it once
        per day, in order)."""
        try:
            working = wd.is_workday(self._calendar, day)
        except wd.CalendarYearMissing:
            working = day.weekday() < 5
        if not working:
            return WEEKEND_DUTY
        previous, self.previous_workday = self.previous_workday, day
        if previous is not None and (day - previous).days > 3:
            self.since_break = 0
        elif self.since_break is not None:
            self.since_break += 1
        base = WEEKDAY_FACTOR[day.weekday()] if day.weekday() < 5 else MAKEUP_DAY
        return base * seasons.after_break(self.since_break)

    def volume(self, c: tr.CentreSpec, day: dt.date) -> tuple[float, dict[int, float]]:
        """The season's factor of ``c``'s whole day, and of each of its queues."""
        factors = {q.id: seasons.queue_factor(day, q.code, county=c.county) for q in c.queues}
        weights = [tr.QUEUE_WEIGHTS.get(q.code, 1) for q in c.queues]
        mean = sum(w * factors[q.id] for w, q in zip(weights, c.queues, strict=True)) / sum(weights)
        return mean, factors

    def _days(self, first: dt.date, last: dt.date):
        """(day, weight) of every day from ``first`` to ``last`` (the working
        days before ``first`` counted for the breaks)."""
        day = first - dt.timedelta(days=10)
        while day <= last:
            weight = self.weight(day)
            if day >= first:
                yield day, weight
            day += dt.timedelta(days=1)

    def per_day_for(self, tickets: int, first: dt.date, last: dt.date) -> float:
        """The county hall's ordinary day that makes about ``tickets`` tickets
        taken from ``first`` to ``last``."""
        self._load(first, last)
        total = 0.0
        for day, weight in self._days(first, last):
            for c in self.centres:
                if self.opening(c, day).open:
                    share = 1.0 if c.county else self.township_share
                    total += share * weight * self.volume(c, day)[0]
        self.previous_workday = self.since_break = None
        return tickets / max(1.0, total)

    def _load(self, first: dt.date, last: dt.date) -> None:
        self._calendar = get_calendar()
        self.exceptions = set(
            OpeningException.objects.filter(date__gte=first, date__lte=last).values_list(
                "centre_id", "date"
            )
        )

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
        """Write the days from ``first`` to ``last``, in one transaction."""
        self.cal = Workdays(first - dt.timedelta(days=10), last + dt.timedelta(days=400))
        self._load(first, last)
        with transaction.atomic():
            self._open()
            if self.previous_workday is None:
                days = self._days(first, last)
            else:  # a later call on the same history goes on from where it stopped
                days = ((d, self.weight(d)) for d in _span(first, last))
            for day, weight in days:
                self._day(day, weight)
                if len(self.tables["ticket"].rows) >= FLUSH_ROWS:
                    self._flush()
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
        working = day in self.cal.known
        for c in self.centres:
            spans = self.spans(c, day)
            if not spans:
                continue
            volume, factors = self.volume(c, day)
            mean = self.per_day * (1.0 if c.county else self.township_share) * weight * volume
            n = int(mean * (0.85 + 0.3 * rnd()) + rnd())
            if n <= 0:
                continue
            served = tr.HallDay(self, c, day, spans, factors).run(n)
            if self.cases and working:
                s.open_cases(self, c, day, served)
            if self.ratings:
                for one in served:
                    if rnd() < r.TICKET_RATED:
                        self.rate_ticket(one)
            if working:
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


def _span(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)
