"""The demo's hall history: believable, consistent with the CONTRACT invariants."""

import datetime as dt
from collections import Counter

import pytest

from yichuang.demo.base import DemoRun
from yichuang.demo.queueing import build_history
from yichuang.queueing.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_it_generates_a_month_of_traffic_with_peaks_and_valid_numbers(hall):
    n = build_history(DemoRun(seed=3), 1)
    assert n > 5000 and Ticket.objects.count() == n
    by_day = Counter()
    for day in Ticket.objects.filter(centre=hall).values_list("day", flat=True):
        by_day[day] += 1
    mondays = [c for d, c in by_day.items() if d.weekday() == 0]
    thursdays = [c for d, c in by_day.items() if d.weekday() == 3]
    assert sum(mondays) / len(mondays) > sum(thursdays) / len(thursdays)
    numbers = Counter(
        Ticket.objects.filter(seq__isnull=False).values_list("queue_id", "day", "seq")
    )
    assert max(numbers.values()) == 1
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses["done"] > 0.85 * n and statuses["no_show"] > 0
    assert TicketEvent.objects.filter(type="issued").count() == n
    done = Ticket.objects.filter(status="done").first()
    assert done.rating_code and done.finished_at > done.called_at >= done.issued_at
    # new tickets still get fresh ids after the bulk insert
    from yichuang.queueing.actions import ticket_issue

    assert ticket_issue(centre=hall, queue_code="general", channel="kiosk").pk > n


def test_it_hands_some_visits_on_and_checks_in_appointments(hall):
    from yichuang.queueing.models import Appointment

    build_history(DemoRun(seed=5), 1)
    moved = Ticket.objects.filter(status="transferred")
    assert moved.exists()
    for old in moved[:20]:
        (succ,) = old.transfers.all()
        assert succ.number == old.number and succ.queue_id != old.queue_id
        assert succ.seq is None and succ.channel == "transfer" and succ.status == "done"
        assert succ.issued_at == old.issued_at and succ.called_at >= old.finished_at
    booked = Ticket.objects.filter(channel="appointment")
    assert booked.exists() and not booked.filter(appointment__isnull=True).exists()
    t = booked.select_related("appointment__slot").first()
    assert t.appointment.status == "checked_in" and t.appointment.slot.day == t.day
    assert t.appt_from <= t.issued_at <= t.appt_until
    assert Appointment.objects.filter(status="no_show").exists()
    codes = Appointment.objects.values_list("code", flat=True)
    assert len(set(codes)) == len(codes)


def test_tickets_still_waiting_at_closing_expire_rather_than_cancel(hall):
    """Whoever still waits when the hall closes goes home: the ticket is
    written expired (as ``tickets_expire`` would), at closing, with its event;
    cancelled tickets are only those given up before closing."""
    from yichuang.demo.history import History
    from yichuang.org.opening import regular_opening
    from yichuang.queueing.actions.closing import closing_at

    # a Monday far busier than the windows can clear before closing
    History(seed=4, per_day=1500, cases=False, ratings=False).day(dt.date(2026, 3, 16))
    expired = list(Ticket.objects.filter(status="expired").select_related("centre"))
    assert expired, "nobody left at closing on an overloaded day"
    closings = {}
    for t in expired:
        key = (t.centre_id, t.day)
        if key not in closings:
            closings[key] = closing_at(t.centre, t.day, regular_opening(t.centre, t.day))
        assert t.window_id is None and t.called_at is None
        assert t.finished_at == max(closings[key], t.issued_at)
    events = Counter(
        TicketEvent.objects.filter(type="expired").values_list("ticket_id", "old_status")
    )
    assert events == Counter((t.pk, "waiting") for t in expired)
    for t in Ticket.objects.filter(status="cancelled").select_related("centre"):
        closing = closing_at(t.centre, t.day, regular_opening(t.centre, t.day))
        assert t.finished_at < closing, t
