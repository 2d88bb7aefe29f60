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
