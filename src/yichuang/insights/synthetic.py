"""A seeded, synthetic hall history written with bulk inserts: tickets (with
their events), cases with visits, clock stops and cards, ratings and
rectifications. The tests use it to check the roll-ups and the KPIs against the
raw rows. The benchmark's large county comes from ``synthetic_bulk.py``, which
writes plain tuples instead of model instances (minutes instead of hours for
3 M tickets).

It writes rows of other apps directly (``bulk_create``), as a data generator
must; the apps' actions are never bypassed in the product. Parts whose app is
not installed yet (cases, feedback) are skipped.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre, Staff, Window
from yichuang.queueing.models import Queue, Ticket, TicketEvent, WindowSkill

from .rollups import TZ, source_model


@dataclass
class HistoryStats:
    tickets: int = 0
    events: int = 0
    cases: int = 0
    visits: int = 0
    cards: int = 0
    ratings: int = 0
    rectifications: int = 0
    ticket_ids: list[int] = field(default_factory=list)

    def add(self, other: HistoryStats) -> None:
        for name in ("tickets", "events", "cases", "visits", "cards", "ratings", "rectifications"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _at(day: dt.date, minutes: float) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(8, 30), tzinfo=TZ) + dt.timedelta(minutes=minutes)


class History:
    """Generates day after day of traffic for every active centre."""

    def __init__(self, *, seed: int = 1, per_day: int = 40, events: bool = True) -> None:
        self.rng = random.Random(seed)
        self.per_day = per_day
        self.events = events
        self.cal = get_calendar()
        self.case_model = source_model("cases.Case")
        self.rating_model = source_model("feedback.Rating")
        self.centres: list[dict[str, Any]] = []
        item_model = source_model("catalog.Item")
        for centre in Centre.objects.filter(is_active=True).order_by("id"):
            queues = list(Queue.objects.filter(centre=centre, is_active=True))
            if not queues:
                continue
            windows: dict[int, list[Window]] = {}
            for skill in WindowSkill.objects.filter(queue__in=queues).select_related("window"):
                windows.setdefault(skill.queue_id, []).append(skill.window)
            staff = list(Staff.objects.filter(centre=centre).values_list("id", flat=True))
            items = list(
                item_model.objects.published()
                .filter(centres=centre)
                .values_list("id", "department_id", "current_version_id")
            )
            self.centres.append(
                {
                    "centre": centre,
                    "queues": [q for q in queues if q.id in windows],
                    "windows": windows,
                    "staff": staff or [None],
                    "items": items,
                }
            )

    # -- tickets ----------------------------------------------------------------------

    def day(self, day: dt.date, *, now: dt.datetime | None = None) -> HistoryStats:
        """One day of history; rows dated after ``now`` are not written."""
        stats = HistoryStats()
        for spec in self.centres:
            stats.add(self._centre_day(spec, day))
        return stats

    def _centre_day(self, spec: dict[str, Any], day: dt.date) -> HistoryStats:
        rng = self.rng
        centre = spec["centre"]
        n = max(1, int(self.per_day * (1.0 if centre.kind == "county" else 0.3)))
        tickets: list[Ticket] = []
        seq: dict[int, int] = {}
        for _i in range(n):
            queue = rng.choice(spec["queues"])
            seq[queue.id] = seq.get(queue.id, 0) + 1
            minute = rng.uniform(0, 480)
            issued = _at(day, minute)
            peak = issued.astimezone(TZ).hour in (9, 10, 14, 15)
            wait = rng.expovariate(1 / (18 if peak else 8))
            window = rng.choice(spec["windows"][queue.id])
            clerk = window.clerk_id or rng.choice(spec["staff"])
            roll = rng.random()
            status = (
                "done"
                if roll < 0.86
                else "no_show"
                if roll < 0.92
                else "cancelled"
                if roll < 0.96
                else "transferred"
            )
            t = Ticket(
                centre=centre,
                queue=queue,
                day=day,
                seq=seq[queue.id],
                number=f"{queue.prefix}{seq[queue.id]:03d}",
                status=status,
                channel=rng.choice(["kiosk", "kiosk", "mobile", "greeter"]),
                issued_at=issued,
                sort_at=issued,
            )
            if status != "cancelled":
                called = issued + dt.timedelta(minutes=wait)
                t.called_at = called
                t.window_id = window.id
                t.clerk_id = clerk
                if status in ("done", "transferred"):
                    started = called + dt.timedelta(seconds=rng.randint(20, 120))
                    t.started_at = started
                    t.finished_at = started + dt.timedelta(minutes=rng.expovariate(1 / 8))
            tickets.append(t)
        Ticket.objects.bulk_create(tickets, batch_size=2000)
        follow = []
        for t in tickets:
            if t.status == "transferred":
                q = rng.choice(spec["queues"])
                w = rng.choice(spec["windows"][q.id])
                left: Any = t.finished_at
                called = left + dt.timedelta(minutes=rng.uniform(1, 20))
                started = called + dt.timedelta(seconds=30)
                f = Ticket(
                    centre=centre,
                    queue=q,
                    day=day,
                    number=t.number,
                    status="done",
                    channel="transfer",
                    issued_at=left,
                    sort_at=t.issued_at,
                    called_at=called,
                    started_at=started,
                    finished_at=started + dt.timedelta(minutes=rng.expovariate(1 / 8)),
                    window_id=w.id,
                    clerk_id=w.clerk_id or rng.choice(spec["staff"]),
                    transferred_from_id=t.id,
                )
                follow.append(f)
        Ticket.objects.bulk_create(follow, batch_size=2000)
        tickets += follow
        stats = HistoryStats(tickets=len(tickets), ticket_ids=[t.id for t in tickets])
        if self.events:
            stats.events = self._events(tickets)
        done = [t for t in tickets if t.status == "done"]
        if self.case_model is not None and spec["items"]:
            stats.add(self._cases(spec, day, done))
        if self.rating_model is not None:
            stats.add(self._ticket_ratings(done))
        return stats

    def _events(self, tickets: list[Ticket]) -> int:
        rows = []
        for t in tickets:
            rows.append(TicketEvent(centre_id=t.centre_id, ticket=t, type="issued", at=t.issued_at))
            if t.called_at:
                rows.append(
                    TicketEvent(
                        centre_id=t.centre_id,
                        ticket=t,
                        type="called",
                        window_id=t.window_id,
                        at=t.called_at,
                    )
                )
            end = {"done": "finished", "no_show": "no_show", "transferred": "transferred"}
            at = t.finished_at or t.called_at or t.issued_at
            if t.status in end:
                rows.append(TicketEvent(centre_id=t.centre_id, ticket=t, type=end[t.status], at=at))
            elif t.status == "cancelled":
                rows.append(TicketEvent(centre_id=t.centre_id, ticket=t, type="cancelled", at=at))
        TicketEvent.objects.bulk_create(rows, batch_size=2000)
        return len(rows)

    # -- cases ------------------------------------------------------------------------

    def _cases(self, spec: dict[str, Any], day: dt.date, done: list[Ticket]) -> HistoryStats:
        rng = self.rng
        Case = self.case_model
        visit_model = source_model("cases.CaseVisit")
        stop_model = source_model("cases.ClockStop")
        event_model = source_model("cases.CaseEvent")
        card_model = source_model("cases.Card")
        stats = HistoryStats()
        if not wd.is_workday(self.cal, day):
            return stats
        chosen = [t for t in done if t.channel != "transfer" and rng.random() < 0.4]
        cases = []
        for t in chosen:
            item_id, dept_id, version_id = rng.choice(spec["items"])
            committed = rng.choice([0, 3, 5, 10, 15, 20])
            accepted = day
            due = wd.add_workdays(self.cal, accepted, committed)
            stopped = rng.choice([0] * 8 + [1, 3])
            took = max(0, committed + rng.choice([-3, -2, -1, -1, 0, 0, 0, 1, 3, 6]))
            finish = wd.add_workdays(self.cal, accepted, took + stopped)
            completed_at = dt.datetime.combine(finish, dt.time(15, 0), tzinfo=TZ)
            c = Case(
                centre_id=t.centre_id,
                item_id=item_id,
                version_id=version_id,
                title="synthetic",
                status="completed" if rng.random() < 0.97 else "review",
                received_at=t.started_at,
                accepted_on=accepted,
                committed_days=committed,
                stopped_days=stopped,
                due_date=wd.add_workdays(self.cal, due, stopped),
                department_id=dept_id,
                accepted_by_id=t.clerk_id,
            )
            if c.status == "completed":
                c.completed_at = completed_at
            cases.append((c, t, stopped))
        Case.objects.bulk_create([c for c, _t, _s in cases], batch_size=2000)
        stats.cases = len(cases)
        visits, stops, events, cards = [], [], [], []
        for c, t, stopped in cases:
            visits.append(visit_model(case=c, ticket=t, at=t.started_at))
            if rng.random() < 0.15:
                other = rng.choice(done)
                if other.id != t.id:
                    visits.append(visit_model(case=c, ticket=other, at=other.started_at))
            if stopped:
                stops.append(
                    stop_model(
                        case=c,
                        kind="supplement",
                        started_on=c.accepted_on,
                        ended_on=wd.add_workdays(self.cal, c.accepted_on, stopped),
                        workdays=stopped,
                    )
                )
            events.append(
                event_model(case=c, type="accepted", new_status="accepted", at=c.received_at)
            )
            if c.completed_at:
                events.append(
                    event_model(case=c, type="completed", new_status="completed", at=c.completed_at)
                )
                finish = c.completed_at.astimezone(TZ).date()
                if c.due_date and finish > c.due_date:
                    yellow_on = wd.add_workdays(self.cal, c.due_date, 1)
                    cards.append(
                        card_model(
                            case=c,
                            level="yellow",
                            rule="committed",
                            reason="synthetic",
                            department_id=c.department_id,
                            staff_id=c.accepted_by_id,
                            recorded_at=dt.datetime.combine(yellow_on, dt.time(6), tzinfo=TZ),
                        )
                    )
                    red_on = wd.add_workdays(self.cal, yellow_on, 2)
                    if finish > red_on:
                        cards.append(
                            card_model(
                                case=c,
                                level="red",
                                rule="after_yellow",
                                reason="synthetic",
                                department_id=c.department_id,
                                staff_id=c.accepted_by_id,
                                recorded_at=dt.datetime.combine(red_on, dt.time(6), tzinfo=TZ),
                            )
                        )
        visit_model.objects.bulk_create(visits, batch_size=2000)
        stop_model.objects.bulk_create(stops, batch_size=2000)
        event_model.objects.bulk_create(events, batch_size=2000)
        card_model.objects.bulk_create(cards, batch_size=2000)
        stats.visits, stats.cards = len(visits), len(cards)
        if self.rating_model is not None:
            stats.add(self._case_ratings([c for c, _t, _s in cases if c.completed_at]))
        return stats

    # -- ratings ----------------------------------------------------------------------

    def _level(self) -> int:
        return self.rng.choices([5, 4, 3, 2, 1], weights=[70, 18, 7, 3, 2])[0]

    def _ticket_ratings(self, done: list[Ticket]) -> HistoryStats:
        rng = self.rng
        Rating = self.rating_model
        window_dept = dict(
            Window.objects.filter(id__in={t.window_id for t in done}).values_list(
                "id", "department_id"
            )
        )
        rows = []
        for t in done:
            if rng.random() > 0.6:
                continue
            finished: Any = t.finished_at
            at = finished + dt.timedelta(minutes=1)
            rows.append(
                Rating(
                    service_kind="ticket",
                    service_key=f"ticket:{t.id}",
                    ticket=t,
                    rating_code=f"t{t.id}",
                    level=self._level(),
                    channel="pad",
                    is_default=rng.random() < 0.01,
                    excluded=rng.random() < 0.01,
                    centre_id=t.centre_id,
                    department_id=window_dept.get(t.window_id),
                    window_id=t.window_id,
                    clerk_id=t.clerk_id,
                    queue_id=t.queue_id,
                    day=at.astimezone(TZ).date(),
                    created_at=at,
                )
            )
        return self._save_ratings(rows)

    def _case_ratings(self, cases: list[Any]) -> HistoryStats:
        rng = self.rng
        Rating = self.rating_model
        rows = []
        for c in cases:
            if rng.random() > 0.3:
                continue
            at = c.completed_at + dt.timedelta(hours=2)
            rows.append(
                Rating(
                    service_kind="case",
                    service_key=f"case:{c.id}",
                    rating_code=f"c{c.id}",
                    level=self._level(),
                    channel="progress",
                    centre_id=c.centre_id,
                    department_id=c.department_id,
                    clerk_id=c.accepted_by_id,
                    item_id=c.item_id,
                    day=at.astimezone(TZ).date(),
                    created_at=at,
                )
            )
        return self._save_ratings(rows)

    def _save_ratings(self, rows: list[Any]) -> HistoryStats:
        rng = self.rng
        self.rating_model.objects.bulk_create(rows, batch_size=2000)
        rect_model = source_model("feedback.Rectification")
        rects = []
        for r in rows:
            if r.level > 2 or r.excluded or r.is_default:
                continue
            due = wd.add_workdays(self.cal, r.day, 15)
            roll = rng.random()
            fb = None
            if roll < 0.8:
                fb = wd.add_workdays(self.cal, r.day, rng.randint(2, 14))
            elif roll < 0.9:
                fb = wd.add_workdays(self.cal, r.day, rng.randint(16, 20))
            rects.append(
                rect_model(
                    rating=r,
                    status="closed" if fb else "assigned",
                    centre_id=r.centre_id,
                    department_id=r.department_id,
                    rectify_due=due,
                    callback_due=wd.add_workdays(self.cal, r.day, 1),
                    feedback_at=dt.datetime.combine(fb, dt.time(10), tzinfo=TZ) if fb else None,
                    closed_at=dt.datetime.combine(fb, dt.time(11), tzinfo=TZ) if fb else None,
                )
            )
        rect_model.objects.bulk_create(rects, batch_size=2000)
        return HistoryStats(ratings=len(rows), rectifications=len(rects))


def generate(start: dt.date, days: int, **kwargs: Any) -> HistoryStats:
    history = History(**kwargs)
    stats = HistoryStats()
    for i in range(days):
        stats.add(history.day(start + dt.timedelta(days=i)))
    return stats
