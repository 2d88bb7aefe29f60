"""Tickets left open at a hall's closing expire (已过期): waiting, called but
not served, and 过号 with the rejoin still open; nothing before closing,
nothing of another day or another centre, nothing twice; the worker catches up
a missed day; the screens never show an expired ticket."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yichuang.lib.errors import Conflict
from yichuang.lib.management.commands.worker import discover_tasks
from yichuang.queueing.actions import (
    ticket_call_next,
    ticket_cancel,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_start,
    tickets_expire,
    tickets_expire_due,
)
from yichuang.queueing.actions.closing import CATCH_UP_DAYS, closing_at
from yichuang.queueing.models import Ticket, TicketEvent

from .conftest import SH, clerk_user, window_of

pytestmark = pytest.mark.django_db

MONDAY = dt.date(2026, 3, 16)  # a working day: 08:30–12:00, 14:00–17:30
MON_10 = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SH)
MON_CLOSING = dt.datetime(2026, 3, 16, 17, 30, tzinfo=SH)
MAKEUP_SATURDAY = dt.date(2026, 2, 14)  # 调休上班日: Monday's hours


@pytest.fixture
def office_hours(hall, county):
    """Both halls keep the default office hours (not the demo's always open)."""
    for centre in (hall, county.town):
        centre.always_open = False
        centre.opening_hours = {}
        centre.save()
    return hall


def state():
    """Every ticket's status and the number of events: what an action changed."""
    return (
        dict(Ticket.objects.values_list("pk", "status")),
        TicketEvent.objects.count(),
    )


@pytest.fixture
def day_of_tickets(office_hours, issue, open_window):
    """Monday in the county hall: one ticket of each fate, all at 10:00."""
    with time_machine.travel(MON_10, tick=False):
        w1, w2, w3, w4 = (open_window(n) for n in (1, 2, 3, 4))
        t = {}
        t["missed"] = issue("general")
        ticket_call_next(window=w1, actor=clerk_user(1))
        ticket_no_show(window=w1, actor=clerk_user(1))
        t["missed_again"] = issue("general")
        ticket_call_next(window=w1, actor=clerk_user(1))
        ticket_no_show(window=w1, actor=clerk_user(1))
        Ticket.objects.filter(pk=t["missed_again"].pk).update(rejoined=True)  # used its rejoin
        t["done"] = issue("general")
        ticket_call_next(window=w2, actor=clerk_user(2))
        ticket_finish(window=w2, actor=clerk_user(2))
        t["serving"] = issue("general")
        ticket_call_next(window=w3, actor=clerk_user(3))
        ticket_start(window=w3, actor=clerk_user(3))
        t["called"] = issue("general")
        ticket_call_next(window=w4, actor=clerk_user(4))
        t["cancelled"] = ticket_cancel(ticket=issue("general"))
        t["waiting"] = issue("general")
        t["waiting_social"] = issue("social")
    for key, ticket in t.items():
        t[key] = Ticket.objects.get(pk=ticket.pk)
    assert {k: v.status for k, v in t.items()} == {
        "missed": "no_show",
        "missed_again": "no_show",
        "done": "done",
        "serving": "serving",
        "called": "called",
        "cancelled": "cancelled",
        "waiting": "waiting",
        "waiting_social": "waiting",
    }
    return t


def test_closing_is_the_end_of_the_last_span_of_the_day(office_hours, county):
    assert closing_at(office_hours, MONDAY) == MON_CLOSING
    sunday = dt.date(2026, 3, 15)  # a rest day: no hours, so the end of the day
    assert closing_at(office_hours, sunday) == dt.datetime(2026, 3, 16, 0, 0, tzinfo=SH)


def test_before_closing_nothing_expires(day_of_tickets, office_hours):
    before = state()
    assert (
        tickets_expire(centre=office_hours, day=MONDAY, now=MON_CLOSING - dt.timedelta(minutes=1))
        == []
    )
    assert state() == before


def test_after_closing_only_the_days_open_tickets_expire(day_of_tickets, office_hours):
    t = day_of_tickets
    events = TicketEvent.objects.count()
    now = MON_CLOSING + dt.timedelta(minutes=5)
    expired = tickets_expire(centre=office_hours, day=MONDAY, now=now)
    assert {x.pk for x in expired} == {
        t["missed"].pk,
        t["called"].pk,
        t["waiting"].pk,
        t["waiting_social"].pk,
    }
    rows = {x.pk: x for x in Ticket.objects.all()}
    assert {k: rows[v.pk].status for k, v in t.items()} == {
        "missed": "expired",
        "missed_again": "no_show",  # no rejoin left: 过号 is final
        "done": "done",
        "serving": "serving",  # the clerk finishes it
        "called": "expired",
        "cancelled": "cancelled",
        "waiting": "expired",
        "waiting_social": "expired",
    }
    # the waiting and called ones end at closing; the 过号 one keeps its time
    assert rows[t["waiting"].pk].finished_at == MON_CLOSING
    assert rows[t["called"].pk].finished_at == MON_CLOSING
    assert rows[t["missed"].pk].finished_at == t["missed"].finished_at
    # one event each, as every other change of a ticket writes
    new = list(TicketEvent.objects.filter(pk__gt=0).order_by("id")[events:])
    assert sorted((e.ticket_id, e.type, e.old_status, e.new_status) for e in new) == sorted(
        [
            (t["missed"].pk, "expired", "no_show", "expired"),
            (t["called"].pk, "expired", "called", "expired"),
            (t["waiting"].pk, "expired", "waiting", "expired"),
            (t["waiting_social"].pk, "expired", "waiting", "expired"),
        ]
    )
    called_event = next(e for e in new if e.ticket_id == t["called"].pk)
    assert called_event.window_number == 4 and called_event.at == now
    assert all(e.centre_id == office_hours.pk for e in new)


def test_expiring_twice_changes_nothing_the_second_time(day_of_tickets, office_hours):
    now = MON_CLOSING + dt.timedelta(minutes=5)
    assert len(tickets_expire(centre=office_hours, day=MONDAY, now=now)) == 4
    after = state()
    assert tickets_expire(centre=office_hours, day=MONDAY, now=now + dt.timedelta(hours=1)) == []
    assert state() == after


def test_another_day_and_another_centre_are_untouched(office_hours, county, issue):
    friday_10 = MON_10 - dt.timedelta(days=3)
    with time_machine.travel(friday_10, tick=False):
        friday = issue("general")
    with time_machine.travel(MON_10, tick=False):
        monday = issue("general")
        town = ticket_issue(centre=county.town, queue_code="general", channel="kiosk")
    expired = tickets_expire(
        centre=office_hours, day=MONDAY, now=MON_CLOSING + dt.timedelta(minutes=1)
    )
    assert [x.pk for x in expired] == [monday.pk]
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {friday.pk: "waiting", monday.pk: "expired", town.pk: "waiting"}
    assert not TicketEvent.objects.filter(ticket_id__in=[friday.pk, town.pk], type="expired")


def test_a_make_up_working_day_closes_at_its_hours(office_hours, issue):
    """On a 调休上班日 (a Saturday) the hall keeps Monday's hours: its tickets
    expire after 17:30 that Saturday, not at midnight as on a rest day."""
    with time_machine.travel(dt.datetime(2026, 2, 14, 10, 0, tzinfo=SH), tick=False):
        ticket = issue("general")
    assert ticket.day == MAKEUP_SATURDAY
    closing = dt.datetime(2026, 2, 14, 17, 30, tzinfo=SH)
    before = state()
    assert (
        tickets_expire(
            centre=office_hours, day=MAKEUP_SATURDAY, now=closing - dt.timedelta(seconds=1)
        )
        == []
    )
    assert state() == before
    assert [
        x.pk for x in tickets_expire(centre=office_hours, day=MAKEUP_SATURDAY, now=closing)
    ] == [ticket.pk]


def test_a_clerk_step_on_an_expired_ticket_is_refused(day_of_tickets, office_hours):
    tickets_expire(centre=office_hours, day=MONDAY, now=MON_CLOSING + dt.timedelta(minutes=1))
    before = state()
    with pytest.raises(Conflict) as refused:
        ticket_start(window=window_of(office_hours, 4), actor=clerk_user(4))
    assert refused.value.code == "queueing.no_current_ticket"
    assert state() == before


def test_the_worker_runs_it_and_catches_up_a_missed_day(office_hours, issue):
    (fn,) = [fn for name, _e, fn in discover_tasks() if name == "queueing.tickets_expire"]
    too_old = MON_10 - dt.timedelta(days=CATCH_UP_DAYS + 3)  # a working Friday, out of reach
    assert too_old.weekday() == 4
    with time_machine.travel(too_old, tick=False):
        old = issue("general")
    with time_machine.travel(MON_10, tick=False):
        monday = issue("general")
    tuesday_10 = MON_10 + dt.timedelta(days=1)
    with time_machine.travel(tuesday_10, tick=False):
        tuesday = issue("general")
        # the worker was down on Monday evening: Tuesday morning catches up
        assert fn() == 1
        assert fn() == 0
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert statuses == {old.pk: "waiting", monday.pk: "expired", tuesday.pk: "waiting"}
    assert tickets_expire_due(now=tuesday_10 + dt.timedelta(hours=8)) == 1
    assert Ticket.objects.get(pk=tuesday.pk).status == "expired"


def test_an_always_open_hall_expires_its_tickets_after_midnight(hall, issue):
    assert hall.always_open
    with time_machine.travel(MON_10, tick=False):
        ticket = issue("general")
    midnight = dt.datetime(2026, 3, 17, 0, 0, tzinfo=SH)
    assert tickets_expire_due(now=midnight - dt.timedelta(seconds=1)) == 0
    assert tickets_expire_due(now=midnight) == 1
    assert Ticket.objects.get(pk=ticket.pk).status == "expired"


def test_the_hall_screen_never_lists_an_expired_ticket(api, county, day_of_tickets, office_hours):
    t = day_of_tickets
    after = MON_CLOSING + dt.timedelta(minutes=10)
    with time_machine.travel(after, tick=False):
        before = api(county.director).get("/api/v1/centres/county-hall/hall").json()
        assert t["called"].number in [c["ticket_number"] for c in before["recent_calls"]]
        tickets_expire(centre=office_hours, day=MONDAY, now=after)
        from django.core.cache import cache

        cache.clear()
        body = api(county.director).get("/api/v1/centres/county-hall/hall").json()
    numbers = [c["ticket_number"] for c in body["recent_calls"]]
    expired = {x.number for x in Ticket.objects.filter(status="expired")}
    assert numbers and not expired & set(numbers)
    at_windows = [w["ticket"] for w in body["windows"] if w["ticket"]]
    assert t["serving"].number in at_windows and t["called"].number not in at_windows
    assert all(q["waiting"] == 0 for q in body["queues"])


def test_the_api_gives_the_expired_status(api, county, day_of_tickets, office_hours):
    t = day_of_tickets
    tickets_expire(centre=office_hours, day=MONDAY, now=MON_CLOSING + dt.timedelta(minutes=1))
    with time_machine.travel(MON_CLOSING + dt.timedelta(minutes=2), tick=False):
        resp = api(county.director).get(f"/api/v1/tickets/{t['waiting'].pk}")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "expired"


def test_a_waiting_ticket_cannot_be_cancelled_after_closing(day_of_tickets, office_hours):
    """Between closing and the worker's pass the ticket is the hall's to expire:
    a cancel (the phone page's form posted anyway, or the API) is refused and
    changes nothing."""
    waiting = day_of_tickets["waiting"]
    before = state()
    with pytest.raises(Conflict) as refused:
        ticket_cancel(ticket=waiting, now=MON_CLOSING + dt.timedelta(minutes=2))
    assert refused.value.code == "queueing.ticket_expired"
    assert state() == before
    tickets_expire(centre=office_hours, day=MONDAY, now=MON_CLOSING + dt.timedelta(minutes=3))
    assert Ticket.objects.get(pk=waiting.pk).status == "expired"
