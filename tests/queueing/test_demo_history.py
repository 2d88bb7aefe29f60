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
    numbers = Counter(Ticket.objects.values_list("queue_id", "day", "seq"))
    assert max(numbers.values()) == 1
    statuses = Counter(Ticket.objects.values_list("status", flat=True))
    assert statuses["done"] > 0.9 * n and statuses["no_show"] > 0
    assert TicketEvent.objects.filter(type="issued").count() == n
    done = Ticket.objects.filter(status="done").first()
    assert done.rating_code and done.finished_at > done.called_at >= done.issued_at
    # new tickets still get fresh ids after the bulk insert
    from yichuang.queueing.actions import ticket_issue

    assert ticket_issue(centre=hall, queue_code="general", channel="kiosk").pk > n
