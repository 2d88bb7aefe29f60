"""The history generator (the tests', the demo's and the benchmarks') writes
rows the roll-ups read exactly as the raw rows say: after a rebuild every KPI equals the
same KPI computed from the raw rows, and the worker's incremental roll-ups
equal the rebuild."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db.models import F
from tests.insights.conftest import snapshot
from tests.insights.test_kpis_honesty import assert_kpis_equal_raw

from yichuang.cases.models import Case, CaseVisit
from yichuang.demo.history import generate
from yichuang.insights import kpis as k
from yichuang.insights.models import CaseFact
from yichuang.insights.rollups import SUMS, rollup_tick
from yichuang.lib import workdays as wd
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Centre
from yichuang.queueing.models import Ticket, TicketEvent

END = dt.date(2026, 4, 30)
TODAY = dt.date(2026, 5, 20)


@pytest.fixture
def bulk_history(world):
    stats = generate(end=END, days=75, tickets=2500, seed=4, events=True, today=TODAY)
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return stats


PERIODS = [
    (dt.date(2026, 3, 1), dt.date(2026, 4, 30)),  # whole months
    (dt.date(2026, 2, 20), dt.date(2026, 3, 10)),  # days across a month end
]


@pytest.mark.parametrize("period", PERIODS)
def test_it_reads_the_same_kpis_as_the_raw_rows(bulk_history, period):
    assert_kpis_equal_raw(*period)
    county = k.kpis(k.system_scope("county"), *PERIODS[0])
    assert county["tickets"] > 1000
    assert county["cases"] > 300
    assert county["ratings"] > 500
    assert county["yellow_cards"] > 0
    assert county["rectifications"]["due"] > 0


def test_it_writes_a_believable_history(bulk_history):
    assert bulk_history.tickets == Ticket.objects.count()
    # Issued tickets (not transfers' follow-on tickets) are about what was asked.
    issued = Ticket.objects.exclude(channel="transfer").count()
    assert 2300 < issued < 2700
    assert not Ticket.objects.filter(day__gt=END).exists()
    cal = get_calendar()
    assert all(wd.is_workday(cal, d) for d in Ticket.objects.dates("day", "day"))
    done = Ticket.objects.filter(status="done")
    assert not done.filter(called_at__isnull=True).exists()
    assert not done.filter(called_at__lt=F("issued_at")).exists()
    assert not done.filter(finished_at__lt=F("started_at")).exists()
    assert not Ticket.objects.filter(status="cancelled", window__isnull=False).exists()
    # A case is visited through tickets of its own centre, at or before acceptance.
    visits = CaseVisit.objects.select_related("case", "ticket")
    assert visits.count() >= Case.objects.count()
    assert all(
        v.ticket.centre_id == v.case.centre_id and v.ticket.day <= v.case.accepted_on
        for v in visits
    )
    county = k.kpis(k.system_scope("county"), *PERIODS[0])
    assert 0.85 < county["satisfaction_rate"] < 0.99
    assert 0.5 < county["on_time_rate"] < 1
    assert 0 < county["median_workdays"] < 20


def test_it_moves_the_id_sequences_past_the_new_rows(bulk_history):
    hall = Centre.objects.get(code="county-hall")
    top = TicketEvent.objects.order_by("-id").values_list("id", flat=True).first()
    event = TicketEvent.objects.create(centre=hall, type="alert")
    assert event.id > top


def test_it_keeps_rollups_equal_to_a_rebuild(world):
    generate(end=END, days=20, tickets=800, seed=6, events=True, today=TODAY)
    rollup_tick(settle=0)
    incremental = {m.__name__: snapshot(m) for m in (*SUMS, CaseFact)}
    assert incremental["TicketCell"]
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert {m.__name__: snapshot(m) for m in (*SUMS, CaseFact)} == incremental
