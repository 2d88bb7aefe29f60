"""The pick ranks only the few tickets that can come first (``_pick_candidates``);
on random lines it must choose exactly what ranking the whole line chooses."""

import datetime as dt
import random

import pytest

from yichuang.queueing import actions
from yichuang.queueing.actions import pick_next, ticket_call_next, ticket_finish
from yichuang.queueing.models import Queue, Ticket, WindowSkill

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db

PRIORITIES = ["normal"] * 5 + ["elderly", "disabled", "pregnant", "military", "green"]


def _whole_line(window, queue_ids, day, now):
    """Every ticket the window may take, as candidates."""
    ids = ", ".join(["%s"] * len(queue_ids))
    return (
        f"SELECT {actions.CAND_COLS} FROM {Ticket._meta.db_table} c WHERE c.day = %s"
        " AND c.status = 'waiting' AND (c.target_window_id = %s"
        f" OR (c.queue_id IN ({ids}) AND c.target_window_id IS NULL))",
        [day, window.pk, *queue_ids],
    )


@pytest.mark.parametrize("seed", range(6))
def test_the_candidates_give_the_same_ticket_as_the_whole_line(
    hall, open_window, issue, at10, monkeypatch, seed
):
    rng = random.Random(seed)
    window = window_of(hall, 1)
    user = clerk_user(1)
    codes = list(
        Queue.objects.filter(pk__in=WindowSkill.objects.filter(window=window).values("queue_id"))
        .exclude(code="unsolved")
        .values_list("code", flat=True)
    )
    for q in Queue.objects.filter(code__in=codes, centre=hall):
        q.interleave_ratio = rng.choice([0, 1, 2, 3])
        q.ageing_minutes = rng.choice([0, 10, 25])
        q.save()
    for i in range(40):
        t = issue(rng.choice(codes), priority=rng.choice(PRIORITIES), at=at10(-60 + i))
        roll = rng.random()
        if roll < 0.1:  # an appointment, inside or outside its time window
            start = at10(rng.choice([-20, 5]))
            Ticket.objects.filter(pk=t.pk).update(
                appt_from=start, appt_until=start + dt.timedelta(minutes=30)
            )
        elif roll < 0.15:
            Ticket.objects.filter(pk=t.pk).update(target_window=window)
    open_window(1)
    monkeypatch.setattr(actions, "PICK_CANDIDATES", 1)  # the strictest case
    now = at10()
    order = []
    for _ in range(60):
        fast = pick_next(window, now)
        with monkeypatch.context() as m:
            m.setattr(actions, "_pick_candidates", _whole_line)
            full = pick_next(window, now)
        assert (fast and fast.pk) == (full and full.pk)
        called = ticket_call_next(window=window, actor=user, now=now)
        assert (called and called.pk) == (full and full.pk)
        if called is None:
            break
        order.append(called.number)
        ticket_finish(window=window, actor=user, now=now)
    assert len(order) == 40


def test_call_next_statements_stay_within_what_the_driver_caches(hall, open_window, issue, at10):
    """Each statement of call-next, even at a window serving every queue of the
    hall, is short enough for psycopg to convert once and remember (the limits
    raised in lib.apps); a pick that outgrew them would cost CPU on every call."""
    from django.db import connection
    from psycopg import _queries

    from yichuang.lib.apps import DRIVER_CACHED_SQL_LENGTH, DRIVER_CACHED_SQL_PARAMS

    assert _queries.MAX_CACHED_STATEMENT_LENGTH == DRIVER_CACHED_SQL_LENGTH
    assert _queries.MAX_CACHED_STATEMENT_PARAMS == DRIVER_CACHED_SQL_PARAMS
    window = window_of(hall, 1)
    queues = list(Queue.objects.filter(centre=hall))
    assert len(queues) >= 8
    for order, q in enumerate(queues, start=1):
        WindowSkill.objects.update_or_create(window=window, queue=q, defaults={"order": order})
    for q in queues:
        issue(q.code, at=at10(-30))
    open_window(1)
    seen: list[tuple[int, int]] = []

    def record(execute, sql, params, many, context):
        seen.append((len(sql), len(params or ())))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        called = ticket_call_next(window=window, actor=clerk_user(1), now=at10())
    assert called is not None
    assert len(seen) >= 3
    longest = max(n for n, _p in seen)
    assert longest > 4096  # the pick is past the driver's own limit ...
    assert longest <= DRIVER_CACHED_SQL_LENGTH  # ... and within the raised one
    assert max(p for _n, p in seen) <= DRIVER_CACHED_SQL_PARAMS
