"""The queue's raw statements (``queueing/sql.py``) against ORM versions of
the same reads, on whichever database the suite runs on."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from yichuang.queueing import sql
from yichuang.queueing.models import Queue, QueueCounter, Ticket

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db

PRIORITIES = ["normal"] * 4 + ["elderly", "military"]


def test_the_counter_upsert_numbers_a_day_from_one_without_gaps(hall, at10):
    queue = Queue.objects.get(centre=hall, code="general")
    day = timezone.localdate(at10())
    got = [
        sql.counter_next(centre_id=hall.pk, queue_id=queue.pk, day=day, now=at10(i))
        for i in range(5)
    ]
    other_day = sql.counter_next(
        centre_id=hall.pk, queue_id=queue.pk, day=day + dt.timedelta(days=1), now=at10()
    )
    assert got == [1, 2, 3, 4, 5] and other_day == 1
    stored = QueueCounter.objects.get(queue=queue, day=day)
    assert (stored.last_seq, stored.updated_at) == (5, at10(4))


@pytest.mark.parametrize("seed", range(3))
def test_the_candidates_are_the_first_of_each_queue_and_class(hall, issue, at10, seed):
    rng = random.Random(seed)
    window = window_of(hall, 1)
    codes = ["general", "social", "medical"]
    queues = {q.code: q.pk for q in Queue.objects.filter(centre=hall, code__in=codes)}
    for i in range(30):
        t = issue(rng.choice(codes), priority=rng.choice(PRIORITIES), at=at10(-60 + i))
        if rng.random() < 0.1:
            Ticket.objects.filter(pk=t.pk).update(target_window=window)
        elif rng.random() < 0.1:
            start = at10(rng.choice([-20, 5]))
            Ticket.objects.filter(pk=t.pk).update(
                appt_from=start, appt_until=start + dt.timedelta(minutes=30)
            )
    now, day = at10(), timezone.localdate(at10())
    per_part = 3
    got = sql.pick_candidates(
        window_id=window.pk, queue_ids=list(queues.values()), day=day, now=now, per_part=per_part
    )
    waiting = Ticket.objects.filter(day=day, status="waiting").order_by("sort_at", "id")
    expected: set[int] = set(waiting.filter(target_window=window).values_list("pk", flat=True))
    for queue_id in queues.values():
        line = waiting.filter(queue_id=queue_id, target_window__isnull=True)
        expected |= set(line.filter(priority="normal").values_list("pk", flat=True)[:per_part])
        expected |= set(line.exclude(priority="normal").values_list("pk", flat=True)[:per_part])
        expected |= set(
            waiting.filter(queue_id=queue_id, appt_from__lte=now, appt_until__gte=now).values_list(
                "pk", flat=True
            )
        )
    assert {t.pk for t in got} == expected
    by_id = {t.pk: t for t in Ticket.objects.filter(pk__in=expected)}
    for t in got:  # the rank columns come back as the ORM reads them
        full = by_id[t.pk]
        assert (t.queue_id, t.priority, t.sort_at, t.appt_from, t.target_window_id) == (
            full.queue_id,
            full.priority,
            full.sort_at,
            full.appt_from,
            full.target_window_id,
        )


def test_recent_finished_is_each_queues_last_finished_tickets(hall, open_window, issue, at10):
    from yichuang.queueing.actions import ticket_call_next, ticket_finish

    open_window(1)
    window, user = window_of(hall, 1), clerk_user(1)
    for i in range(6):
        issue("general", at=at10(i))
    for i in range(6):
        ticket_call_next(window=window, actor=user, now=at10(10 + 2 * i))
        ticket_finish(window=window, actor=user, now=at10(11 + 2 * i) + dt.timedelta(seconds=i))
    queue = Queue.objects.get(centre=hall, code="general")
    day = timezone.localdate(at10())
    got = sql.recent_finished(queue_ids=[queue.pk], day=day, n=4)
    expected = list(
        Ticket.objects.filter(queue=queue, day=day, status="done", called_at__isnull=False)
        .order_by("-finished_at")
        .values_list("pk", "called_at", "finished_at")[:4]
    )
    assert [(t.pk, t.called_at, t.finished_at) for t in got] == expected
    assert len(expected) == 4
