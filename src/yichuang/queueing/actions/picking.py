"""The fair-calling rule (docs/queueing.md, "Fair calling"): which waiting
ticket a window calls next.

Every ticket the window may take is ranked by (skill tier, rule rank, place in
line). The rule rank is 0 for an appointment inside its time window, 1 for a
normal ticket aged past its queue's limit, 2 for the class whose turn it is by
the interleave ratio and 3 for the other class. Only the few tickets that can
come first are ranked (``sql.pick_candidates``), so a call costs the same with
5 or 5,000 people waiting; the whole line only when every one of those is
being called by another window at this very moment.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db.models import (
    Case,
    IntegerField,
    Q,
    Value,
    When,
)
from django.utils import timezone

from .. import sql
from ..models import Priority, Ticket, TicketEvent, WindowSkill
from .common import S

# How many tickets of each (queue, class) the pick reads: the earliest always
# ranks first within a queue and a class, so a few are enough unless as many
# windows are calling that queue at the same instant.
PICK_CANDIDATES = 8
# How many of a window's last calls the first read of a call takes (interleave
# ratios above this read them again).
RECENT_PREFETCH = 8


class SkillQueue(NamedTuple):
    """What the calling rule needs of a queue a window serves."""

    pk: int
    interleave_ratio: int
    ageing_minutes: int


def window_queues(window_id: int) -> list[list[SkillQueue]]:
    """The window's active queues grouped by skill tier, first tier first."""
    tiers: dict[int, list[SkillQueue]] = {}
    for order, *queue in (
        WindowSkill.objects.filter(window_id=window_id, queue__is_active=True)
        .order_by("order", "queue_id")
        .values_list("order", "queue_id", "queue__interleave_ratio", "queue__ageing_minutes")
    ):
        tiers.setdefault(order, []).append(SkillQueue(*queue))
    return [tiers[k] for k in sorted(tiers)]


def recent_calls(window_id: int, n: int) -> list[str]:
    """The priority classes of the window's last ``n`` calls, newest first."""
    if n <= 0:
        return []
    return list(
        TicketEvent.objects.filter(window_id=window_id, type=TicketEvent.Type.CALLED)
        .order_by("-id")
        .values_list("ticket__priority", flat=True)[:n]
    )


def priority_turn(recent: list[str], ratio: int) -> bool:
    """True when the window has called ``ratio`` normal tickets in a row."""
    if ratio == 0:
        return True
    last = recent[:ratio]
    return len(last) == ratio and all(p == Priority.NORMAL for p in last)


def rank_key(
    t: Ticket, tiers: list[list[SkillQueue]], turns: list[bool], window_id: int, now: dt.datetime
) -> tuple:
    """The calling rule's sort key of one waiting ticket (lower calls first):
    (skill tier, rule rank, place in line). ``turns[i]`` says whether it is
    the priority classes' turn in tier ``i``."""
    tier = len(tiers)
    for i, queues in enumerate(tiers):
        mine = t.target_window_id is None and any(q.pk == t.queue_id for q in queues)
        if mine or (i == 0 and t.target_window_id == window_id):
            tier = i
            break
    if t.appt_from is not None and t.appt_until is not None and t.appt_from <= now <= t.appt_until:
        rule = 0
    elif tier == len(tiers):
        rule = 3
    else:
        aged = next((q for q in tiers[tier] if q.pk == t.queue_id and q.ageing_minutes), None)
        if (
            t.priority == Priority.NORMAL
            and aged is not None
            and t.sort_at <= now - dt.timedelta(minutes=aged.ageing_minutes)
        ):
            rule = 1
        elif (t.priority != Priority.NORMAL) == turns[tier]:
            rule = 2
        else:
            rule = 3
    return (tier, rule, t.sort_at, t.pk)


def candidates(window, queue_ids: list[int], day: dt.date, now: dt.datetime):
    """The tickets that can come first (``sql.pick_candidates``)."""
    return sql.pick_candidates(
        window_id=window.pk, queue_ids=queue_ids, day=day, now=now, per_part=PICK_CANDIDATES
    )


def whole_line(window, queue_ids: list[int], day: dt.date, now: dt.datetime):
    """Every ticket the window may take (the rare fallback of the pick), with
    the columns the rule ranks by."""
    return (
        Ticket.objects.filter(centre_id=window.centre_id, day=day, status=S.WAITING)
        .filter(
            Q(target_window_id=window.pk) | Q(queue_id__in=queue_ids, target_window__isnull=True)
        )
        .only(*sql.RANK_FIELDS)
    )


def _lock_first_free(ranked: list[int]) -> Ticket | None:
    """Lock the first of ``ranked`` (ticket ids, best first) still waiting and
    not locked by another window (``SKIP LOCKED``), with its queue and
    first-ask clerk. The first is nearly always free, so it is tried alone;
    then the rest at once, in the rule's order."""
    if not ranked:
        return None
    locking = Ticket.objects.select_for_update(skip_locked=True, of=("self",), no_key=True)
    waiting = locking.select_related("queue", "first_ask").filter(status=S.WAITING)
    ticket = waiting.filter(pk=ranked[0]).first()
    if ticket is None and len(ranked) > 1:
        position = Case(
            *[When(pk=pk, then=Value(i)) for i, pk in enumerate(ranked)],
            output_field=IntegerField(),
        )
        ticket = waiting.filter(pk__in=ranked[1:]).order_by(position).first()
    return ticket


def pick_next(
    window,
    now: dt.datetime,
    tiers: list[list[SkillQueue]] | None = None,
    recent: list[str] | None = None,
) -> Ticket | None:
    """The ticket the fair-calling rule gives this window now (locked), or
    None."""
    ordered = (window_queues(window.pk) if tiers is None else tiers) or [[]]
    ratios = [min(q.interleave_ratio for q in queues) if queues else 2 for queues in ordered]
    if recent is None or max(ratios) > len(recent) == RECENT_PREFETCH:
        recent = recent_calls(window.pk, max(ratios))
    turns = [priority_turn(recent, ratio) for ratio in ratios]
    queue_ids = [q.pk for queues in ordered for q in queues]
    day = timezone.localdate(now)

    def ranked(found) -> list[int]:
        return [
            t.pk for t in sorted(found, key=lambda t: rank_key(t, ordered, turns, window.pk, now))
        ]

    found = candidates(window, queue_ids, day, now)
    ticket = _lock_first_free(ranked(found))
    if ticket is None and found:  # every candidate is being called right now
        ticket = _lock_first_free(ranked(whole_line(window, queue_ids, day, now)))
    return ticket
