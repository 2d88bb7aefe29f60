"""Every transition of a ticket and a window, each with its event; refusals
change nothing."""

import pytest

from yichuang.lib.audit import AuditEntry
from yichuang.lib.errors import DomainError
from yichuang.lib.sms import MemoryBackend
from yichuang.org.models import Window
from yichuang.queueing import actions as a
from yichuang.queueing.models import Ticket, TicketEvent

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def w1(hall, open_window):
    open_window(1)
    return window_of(hall, 1)


@pytest.fixture
def u1():
    return clerk_user(1)


def types(ticket):
    return list(TicketEvent.objects.filter(ticket=ticket).values_list("type", flat=True))


def refused(code, fn):
    snapshot = (
        list(Ticket.objects.values_list("id", "status", "window_id").order_by("id")),
        TicketEvent.objects.count(),
        list(Window.objects.values_list("id", "state", "clerk_id").order_by("id")),
    )
    with pytest.raises(DomainError) as err:
        fn()
    assert err.value.code == code
    assert snapshot == (
        list(Ticket.objects.values_list("id", "status", "window_id").order_by("id")),
        TicketEvent.objects.count(),
        list(Window.objects.values_list("id", "state", "clerk_id").order_by("id")),
    )


def test_it_calls_starts_and_finishes_with_a_rating_code(w1, u1, issue, at10):
    t = issue("general", at=at10())
    called = a.ticket_call_next(window=w1, actor=u1, now=at10(1))
    assert called.pk == t.pk and called.status == "called" and called.window_id == w1.pk
    assert called.clerk.user == u1 and called.first_ask.user == u1
    a.ticket_start(window=w1, actor=u1, now=at10(2))
    done = a.ticket_finish(window=w1, actor=u1, now=at10(9))
    assert done.status == "done" and len(done.rating_code) >= 12
    assert types(t) == ["issued", "called", "started", "finished"]
    e = TicketEvent.objects.filter(ticket=t, type="finished").get()
    assert (e.old_status, e.new_status, e.actor, e.window_number) == ("serving", "done", u1, 1)


def test_it_recalls_a_called_ticket_and_announces_again(w1, u1, issue, at10):
    t = issue("general", at=at10())
    a.ticket_call_next(window=w1, actor=u1, now=at10(1))
    assert a.ticket_recall(window=w1, actor=u1, now=at10(2)).recalls == 1
    assert types(t)[-1] == "recalled"
    a.ticket_start(window=w1, actor=u1, now=at10(3))
    refused("queueing.already_serving", lambda: a.ticket_recall(window=w1, actor=u1))


def test_it_marks_a_no_show_who_may_rejoin_once_at_the_back(w1, u1, issue, at10):
    t = issue("general", at=at10())
    later = issue("general", at=at10(1))
    a.ticket_call_next(window=w1, actor=u1, now=at10(2))
    assert a.ticket_no_show(window=w1, actor=u1, now=at10(3)).status == "no_show"
    back = a.ticket_rejoin(ticket=t, now=at10(4))
    assert back.status == "waiting" and back.sort_at > later.sort_at
    assert a.ticket_call_next(window=w1, actor=u1, now=at10(5)).pk == later.pk
    a.ticket_finish(window=w1, actor=u1, now=at10(6))
    assert a.ticket_call_next(window=w1, actor=u1, now=at10(7)).pk == t.pk
    a.ticket_no_show(window=w1, actor=u1, now=at10(8))
    refused("queueing.rejoin_used", lambda: a.ticket_rejoin(ticket=t, now=at10(9)))
    assert types(t) == ["issued", "called", "no_show", "rejoined", "called", "no_show"]


def test_it_transfers_keeping_number_and_place_in_line(hall, w1, u1, issue, open_window, at10):
    first = issue("general", at=at10(-30))
    social_early = issue("social", at=at10(-40))
    social_late = issue("social", at=at10(-10))
    a.ticket_call_next(window=w1, actor=u1, now=at10())
    a.ticket_start(window=w1, actor=u1, now=at10(1))
    moved = a.ticket_transfer(window=w1, actor=u1, queue_code="social", now=at10(2))
    first.refresh_from_db()
    assert first.status == "transferred" and moved.transferred_from == first
    assert moved.number == "A001" and moved.sort_at == first.sort_at
    assert moved.first_ask.user == u1 and moved.status == "waiting"
    assert first.latest() == moved
    open_window(5)
    w5, u5 = window_of(hall, 5), clerk_user(5)
    got = []
    for _ in range(3):
        got.append(a.ticket_call_next(window=w5, actor=u5, now=at10(3)).pk)
        a.ticket_finish(window=w5, actor=u5, now=at10(3))
    assert got == [social_early.pk, moved.pk, social_late.pk]


def test_it_refuses_transfer_targets_that_make_no_sense(hall, w1, u1, issue, at10):
    issue("general", at=at10())
    a.ticket_call_next(window=w1, actor=u1, now=at10(1))
    refused(
        "queueing.unknown_queue", lambda: a.ticket_transfer(window=w1, actor=u1, queue_code="nope")
    )
    refused("queueing.bad_transfer_target", lambda: a.ticket_transfer(window=w1, actor=u1))
    refused(
        "queueing.bad_transfer_target",
        lambda: a.ticket_transfer(window=w1, actor=u1, to_window_id=w1.pk),
    )
    refused(
        "queueing.window_not_open",
        lambda: a.ticket_transfer(window=w1, actor=u1, to_window_id=window_of(hall, 7).pk),
    )


def test_it_cancels_only_waiting_tickets(w1, u1, issue, at10):
    t = issue("general", at=at10())
    assert a.ticket_cancel(ticket=t, now=at10(1)).status == "cancelled"
    refused("queueing.not_waiting", lambda: a.ticket_cancel(ticket=t))
    assert a.ticket_call_next(window=w1, actor=u1, now=at10(2)) is None


def test_it_refuses_calling_while_a_ticket_is_at_the_window(w1, u1, issue, at10):
    issue("general", at=at10())
    issue("general", at=at10(1))
    a.ticket_call_next(window=w1, actor=u1, now=at10(2))
    refused("queueing.window_busy", lambda: a.ticket_call_next(window=w1, actor=u1))


def test_it_refuses_finishing_or_starting_nothing(w1, u1):
    for fn in (a.ticket_finish, a.ticket_start, a.ticket_recall, a.ticket_no_show):
        refused("queueing.no_current_ticket", lambda fn=fn: fn(window=w1, actor=u1))


def test_it_opens_pauses_resumes_and_closes_windows_with_events(hall, u1, at10):
    w = window_of(hall, 1)
    refused("queueing.window_not_open", lambda: a.ticket_call_next(window=w, actor=u1))
    a.window_open(window=w, actor=u1)
    refused("queueing.window_already_open", lambda: a.window_open(window=w, actor=u1))
    refused("queueing.window_taken", lambda: a.window_open(window=w, actor=clerk_user(2)))
    refused("queueing.clerk_elsewhere", lambda: a.window_open(window=window_of(hall, 2), actor=u1))
    a.window_pause(window=w, actor=u1)
    refused("queueing.window_paused", lambda: a.ticket_call_next(window=w, actor=u1))
    a.window_resume(window=w, actor=u1)
    a.window_close(window=w, actor=u1)
    w.refresh_from_db()
    assert (w.state, w.clerk) == ("closed", None)
    assert list(TicketEvent.objects.filter(window=w).values_list("type", flat=True)) == [
        "window_opened",
        "window_paused",
        "window_resumed",
        "window_closed",
    ]


def test_it_refuses_closing_a_window_with_a_ticket_at_it(w1, u1, issue, at10):
    issue("general", at=at10())
    a.ticket_call_next(window=w1, actor=u1, now=at10(1))
    refused("queueing.window_busy", lambda: a.window_close(window=w1, actor=u1))
    refused("queueing.window_busy", lambda: a.window_pause(window=w1, actor=u1))


def test_it_refuses_another_clerk_working_a_signed_in_window(w1, issue, at10):
    issue("general", at=at10())
    refused("queueing.not_your_window", lambda: a.ticket_call_next(window=w1, actor=clerk_user(2)))


def test_it_lets_only_directors_call_a_specific_ticket_and_audits_it(county, w1, u1, issue, at10):
    issue("general", at=at10())
    pick = issue("general", at=at10(1))
    refused(
        "queueing.call_specific_forbidden",
        lambda: a.ticket_call_specific(window=w1, ticket_id=pick.pk, actor=u1, reason="急事"),
    )
    refused(
        "queueing.reason_required",
        lambda: a.ticket_call_specific(
            window=w1, ticket_id=pick.pk, actor=county.director, reason=" "
        ),
    )
    t = a.ticket_call_specific(
        window=w1, ticket_id=pick.pk, actor=county.director, reason="群众突发身体不适", now=at10(2)
    )
    assert t.status == "called" and t.window_id == w1.pk
    entry = AuditEntry.objects.get(event="queueing.call_specific")
    assert entry.actor_name == "director" and entry.detail["reason"] == "群众突发身体不适"


def test_it_texts_a_citizen_three_places_from_the_front(
    settings, w1, u1, issue, at10, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    for i in range(5):
        issue("general", at=at10(i))
    far = issue("general", at=at10(6), phone="13900139000")
    with django_capture_on_commit_callbacks(execute=True):
        a.ticket_call_next(window=w1, actor=u1, now=at10(10))
    assert MemoryBackend.outbox == []  # A006 still has 4 ahead
    a.ticket_finish(window=w1, actor=u1, now=at10(11))
    with django_capture_on_commit_callbacks(execute=True):
        a.ticket_call_next(window=w1, actor=u1, now=at10(20))
    # A003, A004, A005 ahead of far's A006
    assert MemoryBackend.outbox and MemoryBackend.outbox[0][0] == "13900139000"
    assert far.number in MemoryBackend.outbox[0][1]
    with django_capture_on_commit_callbacks(execute=True):
        a.ticket_finish(window=w1, actor=u1, now=at10(21))
        a.ticket_call_next(window=w1, actor=u1, now=at10(22))
    assert len(MemoryBackend.outbox) == 1  # only once


def test_a_call_out_of_turn_texts_whoever_it_brings_near_the_front(
    settings, county, w1, issue, at10, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    tickets = [issue("general", at=at10(i)) for i in range(4)]
    far = issue("general", at=at10(5), phone="13900139001")  # 4 ahead
    with django_capture_on_commit_callbacks(execute=True):
        a.ticket_call_specific(
            window=w1, ticket_id=tickets[1].pk, actor=county.director, reason="急事", now=at10(9)
        )
    # A001, A003, A004 are ahead of A005 now
    assert [p for p, _text in MemoryBackend.outbox] == ["13900139001"]
    assert far.number in MemoryBackend.outbox[0][1]


STEPS = {
    "recall": (a.ticket_recall, "recalled", "called"),
    "start": (a.ticket_start, "started", "serving"),
    "finish": (a.ticket_finish, "finished", "done"),
    "no_show": (a.ticket_no_show, "no_show", "no_show"),
}


@pytest.mark.parametrize("step", STEPS)
def test_a_clerk_step_takes_three_statements_and_refuses_others(county, w1, u1, issue, at10, step):
    """Recall, start, finish and no-show read the ticket at the window while
    locking the window (within the actor's scope), write the change guarded
    by the status read, and append its event: three statements on either
    database. Another clerk is refused and changes nothing; a director may."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    fn, event, status = STEPS[step]
    t = issue("general", at=at10())
    a.ticket_call_next(window=w1, actor=u1, now=at10(1))
    refused("queueing.not_your_window", lambda: fn(window=w1, actor=clerk_user(2)))
    with CaptureQueriesContext(connection) as ctx:
        changed = fn(window=Window(pk=w1.pk), actor=u1, now=at10(2))
    statements = [
        q["sql"]
        for q in ctx.captured_queries
        if "SAVEPOINT" not in q["sql"] and q["sql"] not in ("BEGIN", "COMMIT")
    ]
    assert len(statements) == 3, statements
    assert "FOR NO KEY UPDATE" in statements[0] or connection.vendor != "postgresql"
    stored = Ticket.objects.get(pk=t.pk)
    assert (changed.pk, changed.status, stored.status) == (t.pk, status, status)
    assert changed.number == "A001" and changed.queue.code == "general"
    assert changed.window.number == 1 and changed.first_ask.user == u1
    assert stored.updated_at == at10(2) and changed.updated_at == at10(2)
    e = TicketEvent.objects.filter(ticket=t).latest("id")
    assert (e.type, e.old_status, e.new_status, e.actor, e.window, e.at) == (
        event,
        "called",
        status,
        u1,
        w1,
        at10(2),
    )
    assert (e.centre_id, e.ticket_number, e.window_number, e.device, e.reason) == (
        w1.centre_id,
        "A001",
        1,
        None,
        "",
    )
    if step == "finish":
        assert stored.started_at == stored.finished_at == at10(2)
        assert stored.rating_code == changed.rating_code and len(stored.rating_code) >= 12
    if step == "recall":
        assert stored.recalls == changed.recalls == 1
        assert fn(window=w1, actor=county.director, now=at10(3)).recalls == 2


def test_start_and_no_show_refuse_a_ticket_being_served(w1, u1, issue, at10):
    issue("general", at=at10())
    a.ticket_call_next(window=w1, actor=u1, now=at10(1))
    a.ticket_start(window=w1, actor=u1, now=at10(2))
    refused("queueing.already_serving", lambda: a.ticket_start(window=w1, actor=u1))
    refused("queueing.already_serving", lambda: a.ticket_no_show(window=w1, actor=u1))
    done = a.ticket_finish(window=w1, actor=u1, now=at10(9))
    assert (done.started_at, done.finished_at) == (at10(2), at10(9))
    assert TicketEvent.objects.filter(ticket=done).latest("id").old_status == "serving"
