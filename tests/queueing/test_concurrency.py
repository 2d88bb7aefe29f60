"""Many windows calling and kiosks issuing at once, on real threads and real
connections (run on SQLite and on PostgreSQL): no ticket is called twice, no
number repeats, nothing issued is lost."""

import threading
import time
from collections import Counter

from django.db import connection

from yichuang.queueing import actions as a
from yichuang.queueing.models import Ticket, TicketEvent

from .conftest import clerk_user, window_of

WINDOWS = [1, 2, 3, 4, 5, 9, 18, 19, 20]
KIOSKS = 4
PER_KIOSK = 15
QUEUES = ["general", "social", "medical"]


def test_it_never_double_calls_duplicates_or_loses_under_load(transactional_db, hall):
    for n in WINDOWS:
        a.window_open(window=window_of(hall, n), actor=clerk_user(n))
    errors: list[BaseException] = []
    issued: list[str] = []
    kiosks_done = threading.Event()

    def kiosk(k):
        try:
            for i in range(PER_KIOSK):
                q = QUEUES[(k + i) % len(QUEUES)]
                prio = "elderly" if i % 5 == 0 else "normal"
                t = a.ticket_issue(centre=hall, queue_code=q, channel="kiosk", priority=prio)
                issued.append(t.number)
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    def clerk(n):
        window, user = window_of(hall, n), clerk_user(n)
        try:
            idle_after_done = 0
            while idle_after_done < 3:
                t = a.ticket_call_next(window=window, actor=user)
                if t is None:
                    if kiosks_done.is_set():
                        idle_after_done += 1
                    time.sleep(0.01)  # a clerk glances at the screen, not a busy loop
                    continue
                a.ticket_finish(window=window, actor=user)
        except BaseException as e:
            errors.append(e)
        finally:
            connection.close()

    clerks = [threading.Thread(target=clerk, args=(n,)) for n in WINDOWS]
    kiosk_threads = [threading.Thread(target=kiosk, args=(k,)) for k in range(KIOSKS)]
    for t in clerks + kiosk_threads:
        t.start()
    for t in kiosk_threads:
        t.join()
    kiosks_done.set()
    for t in clerks:
        t.join(timeout=120)
    assert not errors, errors
    total = KIOSKS * PER_KIOSK
    assert len(issued) == total
    tickets = list(Ticket.objects.filter(centre=hall).values("id", "queue_id", "number", "status"))
    assert len(tickets) == total  # nothing lost
    numbers = Counter((t["queue_id"], t["number"]) for t in tickets)
    assert max(numbers.values()) == 1  # no duplicate numbers
    assert {t["status"] for t in tickets} == {"done"}  # everyone was served
    calls = Counter(TicketEvent.objects.filter(type="called").values_list("ticket_id", flat=True))
    assert len(calls) == total and set(calls.values()) == {1}  # each called exactly once


def _race(window, user, steps) -> list[str]:
    """Run ``steps`` at ``window`` at the same moment on threads of their own;
    what each did: the step's name, or the code it was refused with."""
    from yichuang.lib.errors import Conflict

    start = threading.Barrier(len(steps))
    outcomes: list[str] = []

    def step(fn):
        try:
            start.wait()
            fn(window=window, actor=user)
            outcomes.append(fn.__name__)
        except Conflict as e:
            outcomes.append(e.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=step, args=(fn,)) for fn in steps]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return outcomes


def test_a_double_clicked_step_changes_the_ticket_once(transactional_db, hall):
    """Finish twice at once, and recall racing finish, at one window: one
    finish wins, the other is refused with 409; each change has one event."""
    window, user = window_of(hall, 1), clerk_user(1)
    a.window_open(window=window, actor=user)
    for steps in ((a.ticket_finish, a.ticket_finish), (a.ticket_recall, a.ticket_finish)):
        a.ticket_issue(centre=hall, queue_code="general", channel="kiosk")
        ticket = a.ticket_call_next(window=window, actor=user)
        outcomes = _race(window, user, steps)
        ticket.refresh_from_db()
        assert ticket.status == "done"
        events = Counter(TicketEvent.objects.filter(ticket=ticket).values_list("type", flat=True))
        assert events["finished"] == 1
        if steps[0] is a.ticket_finish:
            assert sorted(outcomes) == ["queueing.no_current_ticket", "ticket_finish"]
        else:  # either order is fine; a recall after the finish is refused
            assert outcomes.count("ticket_finish") == 1
            assert events["recalled"] == outcomes.count("ticket_recall")
            assert ticket.recalls == events["recalled"]
