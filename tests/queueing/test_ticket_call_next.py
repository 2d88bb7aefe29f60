"""The fair-calling rule (docs/queueing.md): FIFO within a class, priority
interleaved at the queue's ratio, ageing, appointments first, skill tiers."""

import pytest

from yichuang.queueing.actions import (
    ticket_call_next,
    ticket_finish,
    ticket_transfer,
)
from yichuang.queueing.models import Queue, Ticket, TicketEvent

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db


def serve_all(hall, number, now):
    """Call and finish at window ``number`` until nobody waits; the numbers called."""
    window = window_of(hall, number)
    user = clerk_user(number)
    called = []
    for _ in range(50):
        t = ticket_call_next(window=window, actor=user, now=now)
        if t is None:
            return called
        called.append(t.number)
        ticket_finish(window=window, actor=user, now=now)
    raise AssertionError("queue never emptied")


def test_it_calls_first_come_first_served_among_equals(hall, open_window, issue, at10):
    for m in (1, 2, 3):
        issue("general", at=at10(-10 + m))
    open_window(1)
    assert serve_all(hall, 1, at10()) == ["A001", "A002", "A003"]


def test_it_interleaves_priority_at_the_queue_ratio(hall, open_window, issue, at10):
    for m in range(1, 5):
        issue("general", at=at10(-20 + m))  # A001..A004
    issue("general", priority="elderly", at=at10(-15))  # A005
    issue("general", priority="disabled", at=at10(-14))  # A006
    open_window(1)
    # ratio 2: two normal, one priority, two normal, one priority
    assert serve_all(hall, 1, at10()) == ["A001", "A002", "A005", "A003", "A004", "A006"]


def test_it_never_lets_priority_starve_or_jump_everyone(hall, open_window, issue, at10):
    Queue.objects.filter(centre=hall, code="general").update(interleave_ratio=3)
    for m in range(1, 8):
        issue("general", at=at10(-30 + m))
    for m in range(1, 3):
        issue("general", priority="pregnant", at=at10(-10 + m))
    open_window(1)
    order = serve_all(hall, 1, at10())
    assert order.index("A008") == 3 and order.index("A009") == 7


def test_it_interleaves_a_ratio_longer_than_the_calls_read_ahead(hall, open_window, issue, at10):
    """The call reads the window's last RECENT_PREFETCH calls with its first
    query; a larger ratio reads them again under the lock."""
    from yichuang.queueing.actions import RECENT_PREFETCH

    ratio = RECENT_PREFETCH + 2
    Queue.objects.filter(centre=hall, code="general").update(interleave_ratio=ratio)
    for m in range(1, 2 * ratio + 1):
        issue("general", at=at10(-40 + m))  # normal A001..
    for m in range(1, 3):
        issue("general", priority="military", at=at10(-10 + m))
    open_window(1)
    order = serve_all(hall, 1, at10())
    first, second = (f"A{2 * ratio + k:03d}" for k in (1, 2))
    assert order.index(first) == ratio and order.index(second) == 2 * ratio + 1


def test_it_calls_priority_first_when_the_ratio_is_zero(hall, open_window, issue, at10):
    Queue.objects.filter(centre=hall, code="general").update(interleave_ratio=0)
    issue("general", at=at10(-10))
    issue("general", priority="military", at=at10(-5))
    open_window(1)
    assert serve_all(hall, 1, at10()) == ["A002", "A001"]


def test_it_ages_a_long_waiting_normal_ticket_ahead_of_priority(hall, open_window, issue, at10):
    Queue.objects.filter(centre=hall, code="general").update(interleave_ratio=0, ageing_minutes=45)
    issue("general", at=at10(-50))
    issue("general", at=at10(-40))
    issue("general", priority="elderly", at=at10(-5))
    open_window(1)
    # A001 waited 50 > 45 minutes: aged ahead; A002 (40 min) is not.
    assert serve_all(hall, 1, at10()) == ["A001", "A003", "A002"]


def test_it_calls_an_appointment_inside_its_time_window_first(hall, open_window, issue, at10):
    from yichuang.queueing.actions import appointment_book, appointment_check_in
    from yichuang.queueing.models import AppointmentSlot

    queue = Queue.objects.get(centre=hall, code="general")
    slot = AppointmentSlot.objects.create(
        queue=queue, day=at10().date(), start=at10(-10).time(), end=at10(20).time()
    )
    appt = appointment_book(slot=slot, phone="13800138000", now=at10(-600))
    issue("general", at=at10(-30))
    issue("general", at=at10(-20))
    ticket = appointment_check_in(centre=hall, code=appt.code, now=at10(-1))
    assert ticket.channel == "appointment"
    open_window(1)
    assert serve_all(hall, 1, at10()) == [ticket.number, "A001", "A002"]


def test_it_serves_a_windows_first_order_queues_before_its_overflow(hall, open_window, issue, at10):
    issue("general", at=at10(-30))
    issue("social", at=at10(-5))
    open_window(5)  # 社保 window: social at order 1, general at order 2
    assert serve_all(hall, 5, at10()) == ["B001", "A001"]


def test_it_merges_queues_of_the_same_order_by_place_in_line(hall, open_window, issue, at10):
    issue("social", at=at10(-30))
    issue("medical", at=at10(-20))
    issue("social", at=at10(-10))
    open_window(19)  # flexible: every queue at order 1
    assert serve_all(hall, 19, at10()) == ["B001", "C001", "B002"]


def test_it_gives_a_ticket_transferred_to_a_window_only_to_that_window(
    hall, open_window, issue, at10
):
    issue("general", at=at10(-30))
    issue("general", at=at10(-20))
    open_window(1)
    open_window(2)
    open_window(5)
    w1 = window_of(hall, 1)
    ticket_call_next(window=w1, actor=clerk_user(1), now=at10())
    moved = ticket_transfer(
        window=w1, actor=clerk_user(1), to_window_id=window_of(hall, 5).pk, now=at10(1)
    )
    assert moved.number == "A001" and moved.target_window.number == 5
    # window 2 serves general too but must not take the ticket aimed at window 5
    assert serve_all(hall, 2, at10(2)) == ["A002"]
    assert serve_all(hall, 5, at10(3)) == ["A001"]


def test_it_returns_none_and_writes_nothing_when_nobody_waits(hall, open_window, at10):
    open_window(1)
    before = TicketEvent.objects.count()
    assert ticket_call_next(window=window_of(hall, 1), actor=clerk_user(1), now=at10()) is None
    assert TicketEvent.objects.count() == before
    assert not Ticket.objects.filter(status="called").exists()
