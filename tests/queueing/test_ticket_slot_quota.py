"""Per-time-slot quotas: at most ``slot_quota`` walk-in numbers per slot of
``slot_minutes``; the next slot opens again; appointments are not counted."""

import pytest

from yichuang.queueing.actions import slot_bounds
from yichuang.queueing.models import Queue, QueueCounter

from .test_ticket_issue import assert_refused

pytestmark = pytest.mark.django_db


def test_it_refuses_when_the_slot_quota_is_reached_and_reopens_next_slot(hall, issue, at10):
    Queue.objects.filter(centre=hall, code="general").update(slot_quota=2, slot_minutes=30)
    issue("general", at=at10(1))
    issue("general", at=at10(2))
    assert_refused("queueing.slot_quota_reached", lambda: issue("general", at=at10(29)))
    # the refused number was never taken
    assert QueueCounter.objects.get(queue__code="general", queue__centre=hall).last_seq == 2
    assert issue("general", at=at10(30)).number == "A003"


def test_it_counts_each_queue_on_its_own(hall, issue, at10):
    Queue.objects.filter(centre=hall, code="general").update(slot_quota=1)
    issue("general", at=at10())
    assert issue("social", at=at10(1)).number == "B001"


def test_it_cuts_slots_from_local_midnight(hall, at10):
    queue = Queue.objects.get(centre=hall, code="general")
    queue.slot_minutes = 90
    start, end = slot_bounds(queue, at10(5))
    assert (f"{start:%H:%M}", f"{end:%H:%M}") == ("09:00", "10:30")
