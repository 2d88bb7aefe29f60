"""A fast generator of a large synthetic county history, for the benchmark at
the issue's full size (2 years, 3 million tickets) and for tests of that path.

It writes the same kinds of rows as ``synthetic.py`` — tickets (optionally with
their events), cases with visits, clock stops, events and cards, ratings and
rectifications — but never builds model instances: every row is a plain tuple
with its id assigned here, buffered per table and written with ``COPY`` on
PostgreSQL or ``executemany`` on SQLite, all in one transaction. Columns the
generator does not set get the model field's default (computed once), and the
id sequences are moved past the new rows at the end (PostgreSQL; SQLite's
AUTOINCREMENT follows explicit ids by itself).

The hall is believable rather than uniform: tickets only on working days, busier
on Mondays and at the morning and afternoon peaks, one clerk per window and day
(the window's regular clerk on most days), items matching the window's
department with the item's own committed limit, and clerks whose ratings differ.
It is seeded and deterministic: the same arguments give the same rows on either
database.
"""

from __future__ import annotations

import bisect
import datetime as dt
import json
import math
import random
from collections import defaultdict
from typing import Any

from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max

from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre, Staff
from yichuang.queueing.models import Queue, Ticket, TicketEvent, WindowSkill

from .rollups import TZ, source_model
from .synthetic import HistoryStats

UTC = dt.UTC
FLUSH = 20000
# Shares of the outcome of a ticket: done, no-show, cancelled, transferred.
DONE, NO_SHOW, CANCELLED = 0.86, 0.92, 0.96
# A township centre takes this share of the county hall's traffic.
TOWNSHIP_SHARE = 0.3
# Per done ticket (not a transfer's follow-on): it opens a case.
CASE_SHARE = 0.4
# Per done ticket: rated on the pad; per completed case: rated on the progress page.
TICKET_RATED, CASE_RATED = 0.45, 0.3
LEVEL_WEIGHTS = (70, 18, 7, 3, 2)  # levels 5, 4, 3, 2, 1
WEEKDAY_LOAD = (1.25, 1.05, 1.0, 0.95, 0.9, 0.6, 0.6)  # Monday … Sunday (make-up days)


class Table:
    """The rows of one table, buffered and written in batches.

    ``fields`` are the columns the generator gives (after the id); every other
    concrete field gets its default. A unique field must be given."""

    def __init__(self, model: Any, fields: tuple[str, ...]) -> None:
        self.model = model
        self.count = 0
        self.next_id = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        given = {"id", *fields}
        rest = [f for f in model._meta.concrete_fields if f.name not in given]
        self.constants = tuple(self._default(f) for f in rest)
        columns = ["id", *(model._meta.get_field(f).column for f in fields)]
        columns += [f.column for f in rest]
        qn = connection.ops.quote_name
        self.table = qn(model._meta.db_table)
        self.columns = ", ".join(qn(c) for c in columns)
        self.rows: list[tuple] = []
        # SQLite stores datetimes and dates as text: these positions are converted.
        kinds = [model._meta.get_field(f) for f in fields]
        self.datetimes = [i + 1 for i, f in enumerate(kinds) if isinstance(f, models.DateTimeField)]
        self.dates = [
            i + 1
            for i, f in enumerate(kinds)
            if isinstance(f, models.DateField) and not isinstance(f, models.DateTimeField)
        ]

    def _default(self, field: Any) -> Any:
        if field.unique and not field.null:
            raise ValueError(f"{self.model.__name__}.{field.name} is unique: give it")
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            value: Any = NOW
        else:
            value = field.get_default()  # "" for a text field without a default
            if value is None and not field.null:
                raise ValueError(f"{self.model.__name__}.{field.name} needs a value")
        if isinstance(field, models.JSONField):
            return json.dumps(value)
        if connection.vendor == "sqlite" and isinstance(value, dt.datetime):
            return _sqlite_datetime(value)
        return field.get_db_prep_save(value, connection)

    def add(self, *values: Any) -> int:
        pk = self.next_id
        self.next_id += 1
        self.rows.append((pk, *values))
        if len(self.rows) >= FLUSH:
            self.flush()
        return pk

    def flush(self) -> None:
        if not self.rows:
            return
        rows, self.rows = self.rows, []
        self.count += len(rows)
        constants = self.constants
        if connection.vendor == "postgresql":
            with (
                connection.cursor() as cursor,
                cursor.cursor.copy(f"COPY {self.table} ({self.columns}) FROM STDIN") as copy,
            ):
                for row in rows:
                    copy.write_row(row + constants)
            return
        stamps, dates = self.datetimes, self.dates
        out = []
        for row in rows:
            r = list(row)
            for i in stamps:
                if r[i] is not None:
                    r[i] = _sqlite_datetime(r[i])
            for i in dates:
                if r[i] is not None:
                    r[i] = r[i].isoformat()
            out.append((*r, *constants))
        marks = ", ".join(["?"] * (len(rows[0]) + len(constants)))
        connection.connection.executemany(
            f"INSERT INTO {self.table} ({self.columns}) VALUES ({marks})", out
        )


NOW = dt.datetime.now(UTC).replace(microsecond=0)


def _sqlite_datetime(value: dt.datetime) -> str:
    """Django's SQLite form: naive UTC, ``YYYY-MM-DD HH:MM:SS[.ffffff]``."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


class Workdays:
    """``add_workdays`` over a precomputed list of the working days of the span."""

    def __init__(self, first: dt.date, last: dt.date) -> None:
        cal = get_calendar()
        self.days: list[dt.date] = []
        d = first
        while d <= last:
            try:
                if wd.is_workday(cal, d):
                    self.days.append(d)
            except wd.CalendarYearMissing:
                break
            d += dt.timedelta(days=1)
        self.known = set(self.days)

    def add(self, start: dt.date, n: int) -> dt.date | None:
        """The n-th working day after ``start``; None past the known calendar."""
        if n == 0:
            return start
        i = bisect.bisect_right(self.days, start) + n - 1
        return self.days[i] if i < len(self.days) else None


def _local(day: dt.date, minutes: float) -> dt.datetime:
    """``minutes`` after 08:30 local time on ``day``, in UTC, whole seconds."""
    base = dt.datetime.combine(day, dt.time(8, 30), tzinfo=TZ).astimezone(UTC)
    return base + dt.timedelta(seconds=int(minutes * 60))


def _issue_minute(r: float, u: float) -> float:
    """Minutes after 08:30: a morning (08:30–12:00) and an afternoon (13:30–17:00)
    session, each busiest in its middle hours."""
    tri = (u + r) / 2  # a triangle on 0–1 peaking at 0.5
    return tri * 210 if r < 0.6 else 300 + tri * 210


class BulkHistory:
    """Writes ``days`` of history ending ``end`` for every active centre."""

    def __init__(
        self,
        *,
        tickets: int,
        end: dt.date,
        days: int,
        seed: int = 1,
        events: bool = False,
        today: dt.date | None = None,
    ) -> None:
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - dt.timedelta(days=days - 1)
        self.events = events
        self.today = today or dt.datetime.now(TZ).date()
        self.cal = Workdays(self.start - dt.timedelta(days=10), end + dt.timedelta(days=400))
        self.case_model = source_model("cases.Case")
        self.rating_model = source_model("feedback.Rating")
        self.centres = self._centres()
        weight = sum(1.0 if c["county"] else TOWNSHIP_SHARE for c in self.centres)
        open_days = sum(WEEKDAY_LOAD[d.weekday()] for d in self.cal.days if self.start <= d <= end)
        self.per_day = tickets / max(1.0, weight * open_days)
        self.stats = HistoryStats()
        # The done tickets of each centre's previous working day: earlier visits.
        self._recent: dict[int, list[tuple[int, dt.datetime]]] = {}

    def _centres(self) -> list[dict[str, Any]]:
        item_model = source_model("catalog.Item")
        out = []
        for centre in Centre.objects.filter(is_active=True).order_by("id"):
            queues = list(Queue.objects.filter(centre=centre, is_active=True).order_by("id"))
            windows: dict[int, list[tuple[int, int | None]]] = defaultdict(list)
            all_windows: dict[int, int | None] = {}
            for s in (
                WindowSkill.objects.filter(queue__in=queues, window__is_active=True)
                .select_related("window")
                .order_by("window_id", "queue_id")
            ):
                windows[s.queue_id].append((s.window_id, s.window.department_id))
                all_windows[s.window_id] = s.window.department_id
            queues = [q for q in queues if windows[q.id]]
            if not queues:
                continue
            staff = list(
                Staff.objects.filter(centre=centre).order_by("id").values_list("id", flat=True)
            )
            items: dict[int | None, list[tuple[int, int, int, int, int]]] = defaultdict(list)
            if item_model is not None:
                for item, dept, version, committed, visits in (
                    item_model.objects.published()
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
                    row = (item, dept, version, committed or 0, visits)
                    items[dept].append(row)
                    items[None].append(row)
            regular = {
                w: staff[i % len(staff)] if staff else None for i, w in enumerate(all_windows)
            }
            out.append(
                {
                    "id": centre.id,
                    "county": centre.kind == "county",
                    "queues": [(q.id, q.prefix) for q in queues],
                    "windows": dict(windows),
                    "regular": regular,
                    "staff": staff,
                    "items": items,
                }
            )
        return out

    # -- writing ----------------------------------------------------------------------

    def run(self) -> HistoryStats:
        with transaction.atomic():
            self._open_tables()
            d = self.start
            while d <= self.end:
                if d in self.cal.known:
                    for centre in self.centres:
                        self._centre_day(centre, d)
                d += dt.timedelta(days=1)
            for table in self.tables.values():
                table.flush()
            self._reset_sequences()
        s, t = self.stats, self.tables
        s.tickets = t["ticket"].count
        s.events = t["ticket_event"].count if "ticket_event" in t else 0
        for name, key in (
            ("cases", "case"),
            ("visits", "visit"),
            ("cards", "card"),
            ("ratings", "rating"),
            ("rectifications", "rect"),
        ):
            setattr(s, name, t[key].count if key in t else 0)
        return s

    def _open_tables(self) -> None:
        t = {
            "ticket": Table(
                Ticket,
                (
                    "centre",
                    "queue",
                    "day",
                    "seq",
                    "number",
                    "status",
                    "channel",
                    "track_code",
                    "issued_at",
                    "sort_at",
                    "called_at",
                    "started_at",
                    "finished_at",
                    "window",
                    "clerk",
                    "transferred_from",
                    "created_at",
                    "updated_at",
                ),
            )
        }
        if self.events:
            t["ticket_event"] = Table(
                TicketEvent,
                ("centre", "ticket", "type", "new_status", "window", "ticket_number", "at"),
            )
        if self.case_model is not None:
            m = source_model
            t["case"] = Table(
                self.case_model,
                (
                    "centre",
                    "item",
                    "version",
                    "title",
                    "status",
                    "receipt_code",
                    "received_at",
                    "accepted_on",
                    "committed_days",
                    "stopped_days",
                    "due_date",
                    "completed_at",
                    "department",
                    "accepted_by",
                    "visit_count",
                    "created_at",
                    "updated_at",
                ),
            )
            t["visit"] = Table(m("cases.CaseVisit"), ("case", "ticket", "at", "created_at"))
            t["stop"] = Table(
                m("cases.ClockStop"), ("case", "kind", "started_on", "ended_on", "workdays")
            )
            t["case_event"] = Table(m("cases.CaseEvent"), ("case", "type", "new_status", "at"))
            t["card"] = Table(
                m("cases.Card"),
                ("case", "level", "rule", "reason", "department", "staff", "recorded_at"),
            )
        if self.rating_model is not None:
            t["rating"] = Table(
                self.rating_model,
                (
                    "service_kind",
                    "service_key",
                    "ticket",
                    "case",
                    "rating_code",
                    "level",
                    "channel",
                    "is_default",
                    "excluded",
                    "centre",
                    "department",
                    "window",
                    "clerk",
                    "item",
                    "queue",
                    "day",
                    "created_at",
                ),
            )
            t["rect"] = Table(
                source_model("feedback.Rectification"),
                (
                    "rating",
                    "status",
                    "centre",
                    "department",
                    "callback_due",
                    "rectify_due",
                    "feedback_at",
                    "closed_at",
                    "followup_code",
                    "created_at",
                    "updated_at",
                ),
            )
        self.tables = t
        # Each clerk's share of bad ratings, so that windows and clerks differ.
        self.bad_factor: dict[int | None, float] = {None: 1.0}
        for c in self.centres:
            for s in c["staff"]:
                self.bad_factor[s] = 0.4 + 2.2 * self.rng.random() ** 2

    def _reset_sequences(self) -> None:
        if connection.vendor != "postgresql":
            return
        sql = connection.ops.sequence_reset_sql(no_style(), [t.model for t in self.tables.values()])
        with connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)

    # -- one centre, one day ------------------------------------------------------------

    def _centre_day(self, c: dict[str, Any], day: dt.date) -> None:
        r = self.rng.random
        share = 1.0 if c["county"] else TOWNSHIP_SHARE
        mean = self.per_day * share * WEEKDAY_LOAD[day.weekday()]
        n = max(1, int(mean * (0.85 + 0.3 * r()) + 0.5))
        queues = c["queues"]
        staff = c["staff"]
        clerk_of = {
            w: (staff[int(r() * len(staff))] if staff and r() < 0.1 else clerk)
            for w, clerk in c["regular"].items()
        }
        minutes = sorted(_issue_minute(r(), r()) for _i in range(n))
        seq: dict[int, int] = defaultdict(int)
        tickets = self.tables["ticket"]
        done: list[tuple] = []
        for minute in minutes:
            queue, prefix = queues[int(r() * len(queues))]
            seq[queue] += 1
            number = f"{prefix}{seq[queue]:03d}"
            issued = _local(day, minute)
            hour = 8 + (30 + int(minute)) // 60
            wait = -math.log(1.0 - r()) * (18 if hour in (9, 10, 14, 15) else 8)
            windows = c["windows"][queue]
            window, dept = windows[int(r() * len(windows))]
            clerk = clerk_of[window]
            roll = r()
            status = (
                "done"
                if roll < DONE
                else "no_show"
                if roll < NO_SHOW
                else "cancelled"
                if roll < CANCELLED
                else "transferred"
            )
            called = started = finished = None
            if status == "cancelled":
                window_id, clerk_id = None, None
                left = issued + dt.timedelta(seconds=int(60 + r() * wait * 60))
            else:
                window_id, clerk_id = window, clerk
                called = issued + dt.timedelta(seconds=int(wait * 60))
                left = called
                if status != "no_show":
                    started = called + dt.timedelta(seconds=20 + int(r() * 100))
                    service = -math.log(1.0 - r()) * 8 + 1
                    finished = started + dt.timedelta(seconds=int(service * 60))
                    left = finished
            code = f"b{tickets.next_id:011d}"
            tid = tickets.add(
                c["id"],
                queue,
                day,
                seq[queue],
                number,
                status,
                "kiosk" if r() < 0.55 else "mobile" if r() < 0.7 else "greeter",
                code,
                issued,
                issued,
                called,
                started,
                finished,
                window_id,
                clerk_id,
                None,
                issued,
                left,
            )
            self._ticket_events(c["id"], tid, status, number, window_id, issued, called, left)
            if status == "done":
                done.append((tid, queue, window, dept, clerk, started, finished, False))
            elif status == "transferred":
                done.append(self._follow_on(c, day, tid, number, issued, finished))
        first = [t for t in done if not t[7]]
        if self.case_model is not None:
            self._cases(c, day, first)
        if self.rating_model is not None:
            for t in done:
                if r() < TICKET_RATED:
                    self._ticket_rating(c, t)
        self._recent[c["id"]] = [(t[0], t[5]) for t in first]

    def _follow_on(
        self,
        c: dict[str, Any],
        day: dt.date,
        source: int,
        number: str,
        issued: dt.datetime,
        left: Any,
    ) -> tuple:
        r = self.rng.random
        queue, _prefix = c["queues"][int(r() * len(c["queues"]))]
        windows = c["windows"][queue]
        window, dept = windows[int(r() * len(windows))]
        clerk = c["regular"][window]
        called = left + dt.timedelta(seconds=int(60 + r() * 1140))
        started = called + dt.timedelta(seconds=30)
        finished = started + dt.timedelta(seconds=int((-math.log(1.0 - r()) * 8 + 1) * 60))
        tickets = self.tables["ticket"]
        code = f"b{tickets.next_id:011d}"
        tid = tickets.add(
            c["id"],
            queue,
            day,
            None,
            number,
            "done",
            "transfer",
            code,
            left,
            issued,
            called,
            started,
            finished,
            window,
            clerk,
            source,
            left,
            finished,
        )
        self._ticket_events(c["id"], tid, "done", number, window, left, called, finished)
        return (tid, queue, window, dept, clerk, started, finished, True)

    def _ticket_events(
        self,
        centre: int,
        ticket: int,
        status: str,
        number: str,
        window: int | None,
        issued: dt.datetime,
        called: dt.datetime | None,
        left: dt.datetime,
    ) -> None:
        if not self.events:
            return
        events = self.tables["ticket_event"]
        events.add(centre, ticket, "issued", "waiting", None, number, issued)
        if called is not None:
            events.add(centre, ticket, "called", "called", window, number, called)
        end = {"done": "finished", "no_show": "no_show", "transferred": "transferred"}
        events.add(centre, ticket, end.get(status, "cancelled"), status, window, number, left)

    # -- cases ---------------------------------------------------------------------------

    def _cases(self, c: dict[str, Any], day: dt.date, done: list[tuple]) -> None:
        r = self.rng.random
        t = self.tables
        add = self.cal.add
        for tid, _queue, _window, dept, clerk, started, finished, _f in done:
            if r() >= CASE_SHARE:
                continue
            items = c["items"].get(dept) or c["items"].get(None)
            if not items:
                return
            item, item_dept, version, committed, visits_required = items[int(r() * len(items))]
            stopped = 0 if r() < 0.85 else 1 + int(r() * 5)
            noise = r()
            # Most cases finish well inside the committed limit; a few run late.
            if committed == 0:
                took = 0 if noise < 0.95 else 1 + int(r() * 2)
            elif noise < 0.9:
                took = int(committed * (0.15 + 0.8 * r()))
            else:
                took = committed + 1 + int(r() * 4)
            due = add(day, committed + stopped)
            finish = add(day, took + stopped)
            open_now = finish is None or finish >= self.today or r() < 0.01
            if open_now:
                completed_at = None
            elif finish == day:
                completed_at = finished + dt.timedelta(seconds=int(60 + r() * 1800))
            else:
                completed_at = dt.datetime.combine(
                    finish, dt.time(9 + int(r() * 8), int(r() * 60)), tzinfo=TZ
                ).astimezone(UTC)
            second = None
            if visits_required >= 2 or r() < 0.1:
                second = self._other_visit(c)
            code = f"r{t['case'].next_id:011d}"
            case = t["case"].add(
                c["id"],
                item,
                version,
                "synthetic",
                "review" if open_now else "completed",
                code,
                started,
                day,
                committed,
                stopped,
                due,
                completed_at,
                item_dept,
                clerk,
                2 if second else 1,
                started,
                completed_at or finished,
            )
            t["visit"].add(case, tid, started, started)
            if second is not None:
                t["visit"].add(case, second[0], second[1], second[1])
            if stopped:
                t["stop"].add(case, "supplement", day, add(day, stopped), stopped)
            t["case_event"].add(case, "accepted", "accepted", started)
            if completed_at is None:
                continue
            t["case_event"].add(case, "completed", "completed", completed_at)
            if due is not None and finish is not None and finish > due:
                self._cards(case, item_dept, clerk, due, finish)
            if self.rating_model is not None and r() < CASE_RATED:
                self._case_rating(c["id"], case, item, item_dept, clerk, completed_at)

    def _other_visit(self, c: dict[str, Any]) -> tuple[int, dt.datetime] | None:
        """A second visit: a ticket of the same centre on its previous working
        day (the citizen came before), or None on the first day."""
        past = self._recent.get(c["id"])
        if not past:
            return None
        return past[int(self.rng.random() * len(past))]

    def _cards(
        self, case: int, dept: int, clerk: int | None, due: dt.date, finish: dt.date
    ) -> None:
        yellow_on = self.cal.add(due, 1)
        if yellow_on is None:
            return
        cards = self.tables["card"]
        at = dt.datetime.combine(yellow_on, dt.time(6), tzinfo=TZ).astimezone(UTC)
        cards.add(case, "yellow", "committed", "synthetic", dept, clerk, at)
        red_on = self.cal.add(yellow_on, 2)
        if red_on is not None and finish > red_on:
            at = dt.datetime.combine(red_on, dt.time(6), tzinfo=TZ).astimezone(UTC)
            cards.add(case, "red", "after_yellow", "synthetic", dept, clerk, at)

    # -- ratings --------------------------------------------------------------------------

    def _level(self, clerk: int | None) -> int:
        r = self.rng.random() * 100
        bad = self.bad_factor.get(clerk, 1.0)
        if r < LEVEL_WEIGHTS[4] * bad:
            return 1
        if r < (LEVEL_WEIGHTS[4] + LEVEL_WEIGHTS[3]) * bad:
            return 2
        r = self.rng.random() * 95
        return 3 if r < LEVEL_WEIGHTS[2] else 4 if r < 25 else 5

    def _ticket_rating(self, c: dict[str, Any], t: tuple) -> None:
        tid, queue, window, dept, clerk, _started, finished, _f = t
        r = self.rng.random
        at = finished + dt.timedelta(seconds=20 + int(r() * 100))
        self._rating(
            "ticket",
            f"ticket:{tid}",
            tid,
            None,
            f"t{tid}",
            "pad",
            c["id"],
            dept,
            window,
            clerk,
            None,
            queue,
            at,
        )

    def _case_rating(
        self,
        centre: int,
        case: int,
        item: int,
        dept: int,
        clerk: int | None,
        completed_at: dt.datetime,
    ) -> None:
        at = completed_at + dt.timedelta(seconds=int(600 + self.rng.random() * 20000))
        self._rating(
            "case",
            f"case:{case}",
            None,
            case,
            f"c{case}",
            "progress",
            centre,
            dept,
            None,
            clerk,
            item,
            None,
            at,
        )

    def _rating(
        self,
        kind: str,
        key: str,
        ticket: int | None,
        case: int | None,
        code: str,
        channel: str,
        centre: int,
        dept: int | None,
        window: int | None,
        clerk: int | None,
        item: int | None,
        queue: int | None,
        at: dt.datetime,
    ) -> None:
        r = self.rng.random
        level = self._level(clerk)
        default = r() < 0.01
        excluded = level <= 2 and r() < 0.15  # an upheld appeal
        day = at.astimezone(TZ).date()
        rating = self.tables["rating"].add(
            kind,
            key,
            ticket,
            case,
            code,
            level,
            channel,
            default,
            excluded,
            centre,
            dept,
            window,
            clerk,
            item,
            queue,
            day,
            at,
        )
        if level > 2 or excluded or default:
            return
        due = self.cal.add(day, 15)
        roll = r()
        fb = None
        if roll < 0.8:
            fb = self.cal.add(day, 2 + int(r() * 13))
        elif roll < 0.9:
            fb = self.cal.add(day, 16 + int(r() * 5))
        if fb is not None and fb >= self.today:
            fb = None
        fb_at = dt.datetime.combine(fb, dt.time(10), tzinfo=TZ).astimezone(UTC) if fb else None
        rects = self.tables["rect"]
        rects.add(
            rating,
            "closed" if fb else "assigned",
            centre,
            dept,
            self.cal.add(day, 1),
            due,
            fb_at,
            fb_at + dt.timedelta(hours=1) if fb_at else None,
            f"f{rects.next_id:011d}",
            at,
            fb_at or at,
        )


def generate(
    *,
    end: dt.date,
    days: int,
    tickets: int,
    seed: int = 1,
    events: bool = False,
    today: dt.date | None = None,
) -> HistoryStats:
    """``days`` of history up to ``end`` with about ``tickets`` tickets taken
    (transfers' follow-on tickets come on top); rows dated after ``today`` are
    left open (cases not completed, rectifications without feedback)."""
    return BulkHistory(
        tickets=tickets, end=end, days=days, seed=seed, events=events, today=today
    ).run()
