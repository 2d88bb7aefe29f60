"""Issuing tickets: numbering, quotas, closed centres, personal data at rest."""

import datetime as dt

import pytest
from django.db import connection

from yichuang.lib.crypto import keyed_hash
from yichuang.lib.errors import DomainError
from yichuang.queueing.actions import ticket_issue
from yichuang.queueing.models import Queue, QueueCounter, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def test_it_numbers_tickets_per_queue_and_day(hall, issue, at10):
    assert [issue("general", at=at10(i)).number for i in range(3)] == ["A001", "A002", "A003"]
    assert issue("social", at=at10(4)).number == "B001"
    assert issue("general", at=at10(60 * 24)).number == "A001"  # next day starts again
    assert TicketEvent.objects.filter(type="issued").count() == 5


def test_it_stores_phone_and_id_encrypted_with_a_keyed_hash(hall, issue, at10):
    t = issue("general", at=at10(), phone="138 0013 8000", id_number="11010519491231002x")
    t.refresh_from_db()
    assert t.phone == "13800138000" and t.id_number == "11010519491231002X"
    assert t.phone_hash == keyed_hash("13800138000", "phone")
    with connection.cursor() as cur:
        cur.execute("SELECT phone, id_number FROM queueing_ticket WHERE id = %s", [t.pk])
        raw_phone, raw_id = cur.fetchone()
    assert "13800138000" not in raw_phone and "002X" not in raw_id
    assert t.masked_phone == "138****8000"


def test_it_gives_unguessable_distinct_track_codes(hall, issue, at10):
    codes = {issue("general", at=at10(i)).track_code for i in range(20)}
    assert len(codes) == 20 and all(len(c) >= 16 for c in codes)


def assert_refused(code, fn):
    tickets, events = Ticket.objects.count(), TicketEvent.objects.count()
    with pytest.raises(DomainError) as err:
        fn()
    assert err.value.code == code
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (tickets, events)


def test_it_refuses_an_unknown_queue(hall, issue, at10):
    assert_refused("queueing.unknown_queue", lambda: issue("nope", at=at10()))


def test_it_refuses_when_the_daily_quota_is_reached(hall, issue, at10):
    Queue.objects.filter(centre=hall, code="general").update(daily_quota=2)
    issue("general", at=at10())
    issue("general", at=at10(1))
    assert_refused("queueing.quota_reached", lambda: issue("general", at=at10(2)))
    assert QueueCounter.objects.get(queue__code="general", queue__centre=hall).last_seq == 2


def test_it_refuses_when_the_line_is_full(hall, issue, at10):
    Queue.objects.filter(centre=hall, code="general").update(max_length=1)
    issue("general", at=at10())
    assert_refused("queueing.queue_full", lambda: issue("general", at=at10(1)))


def test_it_refuses_out_of_hours_and_on_rest_days(hall, at10):
    hall.always_open = False
    hall.opening_hours = {}
    hall.save()
    sh = dt.timezone(dt.timedelta(hours=8))

    def at(y, mo, d, h):
        return lambda: ticket_issue(
            centre=hall,
            queue_code="general",
            channel="kiosk",
            now=dt.datetime(y, mo, d, h, 0, tzinfo=sh),
        )

    assert_refused("queueing.out_of_hours", at(2026, 3, 16, 7))  # Monday 07:00
    assert_refused("queueing.out_of_hours", at(2026, 3, 16, 12))  # lunch break
    assert_refused("queueing.centre_closed", at(2026, 3, 21, 10))  # Saturday
    assert_refused("queueing.centre_closed", at(2026, 10, 1, 10))  # National Day
    assert (
        ticket_issue(
            centre=hall,
            queue_code="general",
            channel="kiosk",
            now=dt.datetime(2026, 3, 16, 9, tzinfo=sh),
        ).number
        == "A001"
    )


def test_it_refuses_bad_phone_id_priority_and_channel(hall, issue, at10):
    assert_refused("queueing.bad_phone", lambda: issue("general", at=at10(), phone="12345"))
    assert_refused(
        "lib.invalid_id_number", lambda: issue("general", at=at10(), id_number="110105194912310021")
    )
    assert_refused("queueing.bad_priority", lambda: issue("general", at=at10(), priority="vip"))
    assert_refused("queueing.bad_channel", lambda: issue("general", at=at10(), channel="fax"))
