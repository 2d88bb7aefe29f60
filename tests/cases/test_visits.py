"""Visits (POST /cases/{id}/visits): every ticket or appointment linked to a
case is an on-site visit; an appointment and the ticket its check-in issued are
one visit, not two."""

import datetime as dt

import pytest
import time_machine

from yichuang.cases.actions import case_visit_link
from yichuang.cases.models import CaseVisit
from yichuang.lib.errors import DomainError

from .conftest import ALL

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 3, 2, 10, 0, tzinfo=TZ)


@pytest.fixture
def appointment(hall_queues):
    from yichuang.queueing.actions import appointment_book
    from yichuang.queueing.models import AppointmentSlot, Queue

    queue = Queue.objects.get(centre=hall_queues, code="general")
    slot = AppointmentSlot.objects.create(
        queue=queue,
        day=NOW.date(),
        start=(NOW - dt.timedelta(minutes=10)).time(),
        end=(NOW + dt.timedelta(minutes=20)).time(),
    )
    return appointment_book(slot=slot, phone="13800138000", now=NOW - dt.timedelta(hours=2))


def test_an_appointment_linked_at_intake_counts_as_a_visit(intake, appointment):
    with time_machine.travel(NOW, tick=False):
        case = intake(materials=ALL[:1], appointment=appointment).case
    case.refresh_from_db()
    assert case.visit_count == 1
    visit = CaseVisit.objects.get(case=case)
    assert visit.appointment == appointment and visit.ticket is None
    assert case.events.filter(type="visit").count() == 1


def test_the_check_in_ticket_of_a_linked_appointment_is_the_same_visit(intake, appointment, county):
    from yichuang.queueing.actions import appointment_check_in

    with time_machine.travel(NOW, tick=False):
        case = intake(materials=ALL[:1], appointment=appointment).case
        ticket = appointment_check_in(centre=county.hall, code=appointment.code, now=NOW)
        case = case_visit_link(case=case, actor=county.clerk, ticket=ticket)
        case = case_visit_link(case=case, actor=county.clerk, appointment=appointment)
    assert case.visit_count == 1
    visit = CaseVisit.objects.get(case=case)
    assert visit.ticket == ticket and visit.appointment == appointment


def test_a_ticket_then_its_appointment_count_once_and_a_new_ticket_counts_again(
    intake, appointment, county, ticket
):
    from yichuang.queueing.actions import appointment_check_in

    with time_machine.travel(NOW, tick=False):
        checked_in = appointment_check_in(centre=county.hall, code=appointment.code, now=NOW)
        case = intake(materials=ALL[:1], ticket=checked_in).case
        case = case_visit_link(case=case, actor=county.clerk, appointment=appointment)
        assert case.visit_count == 1
        case = case_visit_link(case=case, actor=county.clerk, ticket=ticket())
    assert case.visit_count == 2 and CaseVisit.objects.filter(case=case).count() == 2


def test_a_visit_needs_a_ticket_or_an_appointment(intake, county):
    case = intake(materials=ALL[:1]).case
    with pytest.raises(DomainError) as exc:
        case_visit_link(case=case, actor=county.clerk)
    assert exc.value.code == "cases.visit_required"
    case.refresh_from_db()
    assert case.visit_count == 0


def test_a_department_lead_links_only_his_departments_tickets(intake, county, hall_queues):
    """Issue 17: linking a ticket went by centre only, so the 人社 lead could
    count another department's ticket as a visit to his case."""
    from yichuang.queueing.actions import ticket_issue
    from yichuang.queueing.models import Queue
    from yichuang.queueing.permissions import queues_for

    case = intake(materials=ALL[:1]).case
    mine = queues_for(county.dept_lead)
    other = Queue.objects.filter(centre=county.hall).exclude(pk__in=mine).first()
    assert other is not None and mine.exists()
    foreign = ticket_issue(
        centre=county.hall, queue_code=other.code, channel="kiosk", priority="normal"
    )
    with pytest.raises(DomainError) as refused:
        case_visit_link(case=case, actor=county.dept_lead, ticket=foreign)
    assert refused.value.code == "cases.ticket_not_found"
    assert not CaseVisit.objects.filter(ticket=foreign).exists()
    own = ticket_issue(
        centre=county.hall, queue_code=mine.first().code, channel="kiosk", priority="normal"
    )
    case_visit_link(case=case, actor=county.dept_lead, ticket=own)
    assert CaseVisit.objects.filter(case=case, ticket=own).exists()
