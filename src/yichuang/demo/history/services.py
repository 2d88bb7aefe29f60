"""Cases opened at the hall: on working days, some of the day's served
tickets open a case (an item of the serving window's department drawn by the
item's weight, ``demo/item_volumes.py``, with the item's own committed limit,
accepted by the clerk who served), with its visits (a second one on an
earlier day where the item needs it), clock stops, events, the cards of the
late ones, and its completion — mostly well inside the limit, a few late,
those not finished by today left open."""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from typing import TYPE_CHECKING

from yichuang.lib.codes import new_code

from .traffic import CentreSpec, Served

if TYPE_CHECKING:
    from .generator import History

CASE_SHARE = 0.4  # a served ticket (not a transfer's follow-on) opens a case
CASE_RATED = 0.3  # a completed case is rated on the progress page
UTC = dt.UTC

CASE_FIELDS = (
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
)
VISIT_FIELDS = ("case", "ticket", "at", "created_at")
STOP_FIELDS = ("case", "kind", "started_on", "ended_on", "workdays")
CASE_EVENT_FIELDS = ("case", "type", "new_status", "at")
CARD_FIELDS = ("case", "level", "rule", "reason", "department", "staff", "recorded_at")


def open_cases(h: History, c: CentreSpec, day: dt.date, served: list[Served]) -> None:
    rnd = h.rng.random
    t = h.tables
    add = h.cal.add
    for s in served:
        if s.follow_on or rnd() >= CASE_SHARE:
            continue
        key = s.department if s.department in c.items else None
        items = c.items.get(key)
        if not items:
            return
        item, item_dept, version, committed, visits_required, _w = _weighted(c, key, rnd())
        stopped = 0 if rnd() < 0.85 else 1 + int(rnd() * 5)
        noise = rnd()
        # Most cases finish well inside the committed limit; a few run late.
        if committed == 0:
            took = 0 if noise < 0.95 else 1 + int(rnd() * 2)
        elif noise < 0.9:
            took = int(committed * (0.15 + 0.8 * rnd()))
        else:
            took = committed + 1 + int(rnd() * 4)
        due = add(day, committed + stopped)
        finish = add(day, took + stopped)
        still_open = finish is None or finish >= h.today or rnd() < 0.01
        completed_at: dt.datetime | None
        if still_open or finish is None:
            completed_at = None
        elif finish == day:
            completed_at = s.finished + dt.timedelta(seconds=int(60 + rnd() * 1800))
        else:
            local = dt.time(9 + int(rnd() * 8), int(rnd() * 60))
            completed_at = dt.datetime.combine(finish, local, tzinfo=h.tz).astimezone(UTC)
        second = h.earlier_visit(c) if visits_required >= 2 or rnd() < 0.1 else None
        case = t["case"].add(
            c.id,
            item,
            version,
            "synthetic",
            "review" if completed_at is None else "completed",
            new_code(),
            s.called,
            day,
            committed,
            stopped,
            due,
            completed_at,
            item_dept,
            s.clerk,
            2 if second else 1,
            s.started,
            completed_at or s.finished,
        )
        t["visit"].add(case, s.id, s.started, s.started)
        if second is not None:
            t["visit"].add(case, second[0], second[1], second[1])
        if stopped:
            t["stop"].add(case, "supplement", day, add(day, stopped), stopped)
        t["case_event"].add(case, "accepted", "accepted", s.started)
        if completed_at is None or finish is None:
            continue
        t["case_event"].add(case, "completed", "completed", completed_at)
        if due is not None and finish > due:
            _cards(h, case, item_dept, s.clerk, due, finish)
        if h.ratings and rnd() < CASE_RATED:
            h.rate_case(c.id, case, item, item_dept, s.clerk, completed_at)


def _weighted(c: CentreSpec, key: int | None, x: float) -> tuple:
    """The item at ``x`` (0 ≤ x < 1) of the centre's items of department
    ``key``, each taking its share by weight (``demo/item_volumes.py``)."""
    rows = c.items[key]
    cum = c.item_cum.get(key)
    if cum is None:
        cum = c.item_cum[key] = list(itertools.accumulate(row[5] for row in rows))
    return rows[min(len(rows) - 1, bisect.bisect_right(cum, x * cum[-1]))]


def _cards(
    h: History, case: int, dept: int, clerk: int | None, due: dt.date, finish: dt.date
) -> None:
    """A yellow card the working day after the due date, a red one two working
    days later if the case was still not done."""
    yellow_on = h.cal.add(due, 1)
    if yellow_on is None:
        return
    cards = h.tables["card"]
    at = dt.datetime.combine(yellow_on, dt.time(6), tzinfo=h.tz).astimezone(UTC)
    cards.add(case, "yellow", "committed", "synthetic", dept, clerk, at)
    red_on = h.cal.add(yellow_on, 2)
    if red_on is not None and finish > red_on:
        at = dt.datetime.combine(red_on, dt.time(6), tzinfo=h.tz).astimezone(UTC)
        cards.add(case, "red", "after_yellow", "synthetic", dept, clerk, at)
