"""The pick ranks only the few tickets that can come first (``sql.pick_candidates``,
one statement); on random lines it must choose exactly what ranking the whole
line, read through the ORM, chooses."""

import datetime as dt
import random

import pytest

from yichuang.queueing.actions import pick_next, picking, ticket_call_next, ticket_finish
from yichuang.queueing.models import Queue, Ticket, WindowSkill

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db

PRIORITIES = ["normal"] * 5 + ["elderly", "disabled", "pregnant", "military", "green"]


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
    monkeypatch.setattr(picking, "PICK_CANDIDATES", 1)  # the strictest case
    now = at10()
    order = []
    for _ in range(60):
        fast = pick_next(window, now)
        with monkeypatch.context() as m:
            m.setattr(picking, "candidates", picking.whole_line)
            full = pick_next(window, now)
        assert (fast and fast.pk) == (full and full.pk)
        called = ticket_call_next(window=window, actor=user, now=now)
        assert (called and called.pk) == (full and full.pk)
        if called is None:
            break
        order.append(called.number)
        ticket_finish(window=window, actor=user, now=now)
    assert len(order) == 40
