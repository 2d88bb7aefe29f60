"""A hypothesis state machine of the ticket's life: any sequence of issues,
calls, recalls, starts, finishes, no-shows, rejoins, transfers, cancels and
window changes keeps the CONTRACT invariants and matches a simple model."""

from collections import Counter

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from yichuang.lib.errors import DomainError
from yichuang.queueing import actions as a
from yichuang.queueing.models import Ticket, TicketEvent, WindowSkill

from .conftest import clerk_user, window_of

WINDOWS = [1, 5, 19]
QUEUES = ["general", "social", "medical"]
PRIORITIES = ["normal", "normal", "elderly", "disabled"]


class TicketLife(RuleBasedStateMachine):
    hall = None

    def __init__(self):
        super().__init__()
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.windows = {n: window_of(self.hall, n) for n in WINDOWS}
        self.users = {n: clerk_user(n) for n in WINDOWS}
        self.skills = {
            n: set(WindowSkill.objects.filter(window=w).values_list("queue__code", flat=True))
            for n, w in self.windows.items()
        }
        self.state = {n: "closed" for n in WINDOWS}
        self.at_window: dict[int, int | None] = {n: None for n in WINDOWS}
        self.status: dict[int, str] = {}  # ticket id -> status (the model)
        self.queue_of: dict[int, str] = {}
        self.target: dict[int, int | None] = {}
        self.rejoined: set[int] = set()

    def teardown(self):
        transaction.set_rollback(True)
        self.atomic.__exit__(None, None, None)

    def try_(self, fn, expect_error):
        events = TicketEvent.objects.count()
        try:
            result = fn()
        except DomainError:
            assert expect_error, "refused an allowed step"
            assert TicketEvent.objects.count() == events
            return None
        assert not expect_error, "allowed a step the model refuses"
        return result

    @rule(q=st.sampled_from(QUEUES), p=st.sampled_from(PRIORITIES))
    def issue(self, q, p):
        t = a.ticket_issue(centre=self.hall, queue_code=q, channel="kiosk", priority=p)
        self.status[t.pk] = "waiting"
        self.queue_of[t.pk] = q
        self.target[t.pk] = None

    @rule(n=st.sampled_from(WINDOWS))
    def open_or_close(self, n):
        w, u = self.windows[n], self.users[n]
        if self.state[n] == "closed":
            self.try_(lambda: a.window_open(window=w, actor=u), False)
            self.state[n] = "open"
        else:
            busy = self.at_window[n] is not None
            if self.try_(lambda: a.window_close(window=w, actor=u), busy) is not None:
                self.state[n] = "closed"

    @rule(n=st.sampled_from(WINDOWS))
    def pause_or_resume(self, n):
        w, u = self.windows[n], self.users[n]
        if self.state[n] == "open":
            busy = self.at_window[n] is not None
            if self.try_(lambda: a.window_pause(window=w, actor=u), busy) is not None:
                self.state[n] = "paused"
        elif self.state[n] == "paused":
            self.try_(lambda: a.window_resume(window=w, actor=u), False)
            self.state[n] = "open"

    def eligible(self, n):
        return [
            pk
            for pk, s in self.status.items()
            if s == "waiting"
            and (
                self.target[pk] == n
                or (self.target[pk] is None and self.queue_of[pk] in self.skills[n])
            )
        ]

    @rule(n=st.sampled_from(WINDOWS))
    def call_next(self, n):
        w, u = self.windows[n], self.users[n]
        refuse = self.state[n] != "open" or self.at_window[n] is not None
        if refuse:
            self.try_(lambda: a.ticket_call_next(window=w, actor=u), True)
            return
        t = self.try_(lambda: a.ticket_call_next(window=w, actor=u), False)
        candidates = self.eligible(n)
        if t is None:
            assert candidates == []
            return
        assert t.pk in candidates
        self.status[t.pk] = "called"
        self.at_window[n] = t.pk

    def current_step(self, n, fn, allowed_from, new):
        w, u = self.windows[n], self.users[n]
        pk = self.at_window[n]
        ok = pk is not None and self.status[pk] in allowed_from
        if self.try_(lambda: fn(window=w, actor=u), not ok) is not None:
            self.status[pk] = new
            if new not in ("called", "serving"):
                self.at_window[n] = None

    @rule(n=st.sampled_from(WINDOWS))
    def recall(self, n):
        self.current_step(n, a.ticket_recall, {"called"}, "called")

    @rule(n=st.sampled_from(WINDOWS))
    def start(self, n):
        self.current_step(n, a.ticket_start, {"called"}, "serving")

    @rule(n=st.sampled_from(WINDOWS))
    def finish(self, n):
        self.current_step(n, a.ticket_finish, {"called", "serving"}, "done")

    @rule(n=st.sampled_from(WINDOWS))
    def no_show(self, n):
        self.current_step(n, a.ticket_no_show, {"called"}, "no_show")

    @rule(n=st.sampled_from(WINDOWS), q=st.sampled_from(QUEUES))
    def transfer(self, n, q):
        w, u = self.windows[n], self.users[n]
        pk = self.at_window[n]
        new = self.try_(lambda: a.ticket_transfer(window=w, actor=u, queue_code=q), pk is None)
        if new is not None:
            self.status[pk] = "transferred"
            self.at_window[n] = None
            self.status[new.pk] = "waiting"
            self.queue_of[new.pk] = q
            self.target[new.pk] = None

    @rule(data=st.data())
    def rejoin_or_cancel(self, data):
        if not self.status:
            return
        pk = data.draw(st.sampled_from(sorted(self.status)))
        ticket = Ticket.objects.get(pk=pk)
        if self.status[pk] == "no_show" or data.draw(st.booleans()):
            ok = self.status[pk] == "no_show" and pk not in self.rejoined
            if self.try_(lambda: a.ticket_rejoin(ticket=ticket), not ok) is not None:
                self.status[pk] = "waiting"
                self.rejoined.add(pk)
        else:
            ok = self.status[pk] == "waiting"
            if self.try_(lambda: a.ticket_cancel(ticket=ticket), not ok) is not None:
                self.status[pk] = "cancelled"

    @invariant()
    def matches_the_model(self):
        db = dict(Ticket.objects.filter(centre=self.hall).values_list("id", "status"))
        assert db == self.status  # nothing lost, nothing changed behind our back

    @invariant()
    def one_ticket_per_window_and_unique_numbers(self):
        active = Counter(
            Ticket.objects.filter(status__in=["called", "serving"]).values_list(
                "window_id", flat=True
            )
        )
        assert all(c == 1 for c in active.values())
        numbered = Counter(
            Ticket.objects.filter(seq__isnull=False).values_list("queue_id", "day", "seq")
        )
        assert all(c == 1 for c in numbered.values())


@pytest.mark.django_db
def test_it_keeps_the_ticket_invariants_in_any_sequence(hall):
    TicketLife.hall = hall
    TicketLife.TestCase.settings = settings(
        max_examples=25,
        stateful_step_count=40,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    )
    TicketLife.TestCase().runTest()
