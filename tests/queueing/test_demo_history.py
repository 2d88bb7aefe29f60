"""The demo's hall history: believable, consistent with the CONTRACT invariants."""

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
