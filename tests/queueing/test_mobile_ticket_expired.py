"""The citizen's ticket page after the hall closed: the ticket is shown as
expired — recorded or not yet by the worker — with the next working day's
hours and the booking link, and nothing to press (no rejoin, no cancel)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client

from yichuang.queueing.actions import ticket_call_next, ticket_no_show, tickets_expire
from yichuang.queueing.models import Ticket, TicketEvent

from .conftest import SH, clerk_user

pytestmark = pytest.mark.django_db

FRIDAY_10 = dt.datetime(2026, 3, 13, 10, 0, tzinfo=SH)
FRIDAY_CLOSING = dt.datetime(2026, 3, 13, 17, 30, tzinfo=SH)
EXPIRED_TEXT = "今日办理时间已结束，本号已过期"


def _page(ticket, at, data=None):
    client = Client(REMOTE_ADDR="198.51.100.9")
    url = f"/m/tickets/{ticket.track_code}"
    with time_machine.travel(at, tick=False):
        return client.post(url, data) if data is not None else client.get(url)


@pytest.fixture
def friday_ticket(office_hours, issue):
    with time_machine.travel(FRIDAY_10, tick=False):
        return issue("social")


def _assert_expired_page(html: str, ticket: Ticket) -> None:
    assert EXPIRED_TEXT in html
    assert '<strong id="ticket-status">已过期</strong>' in html
    # the next working day after Friday is Monday, with its hours
    assert "2026-03-16" in html and "08:30–12:00、14:00–17:30" in html
    assert f'href="/m/book/county-hall?queue={ticket.queue_id}"' in html
    assert 'id="rejoin"' not in html and 'id="cancel"' not in html
    assert 'http-equiv="refresh"' not in html
    assert "前面还有" not in html


def test_before_closing_the_ticket_still_waits(friday_ticket):
    html = _page(friday_ticket, FRIDAY_CLOSING - dt.timedelta(minutes=1)).content.decode()
    assert EXPIRED_TEXT not in html and 'id="cancel"' in html and "前面还有" in html


def test_an_expired_ticket_says_so_with_the_next_days_hours(friday_ticket, office_hours):
    tickets_expire(centre=office_hours, day=friday_ticket.day, now=FRIDAY_CLOSING)
    resp = _page(friday_ticket, FRIDAY_CLOSING + dt.timedelta(hours=1))
    assert resp.status_code == 200
    _assert_expired_page(resp.content.decode(), friday_ticket)


def test_a_ticket_still_waiting_after_closing_is_shown_expired_at_once(friday_ticket):
    """The worker has not passed yet: the page does not say 等候中 any more."""
    resp = _page(friday_ticket, FRIDAY_CLOSING + dt.timedelta(minutes=1))
    _assert_expired_page(resp.content.decode(), friday_ticket)
    assert Ticket.objects.get(pk=friday_ticket.pk).status == "waiting"  # a GET writes nothing


def test_a_missed_ticket_after_closing_offers_no_rejoin(office_hours, issue, open_window):
    with time_machine.travel(FRIDAY_10, tick=False):
        window = open_window(1)
        ticket = issue("general")
        ticket_call_next(window=window, actor=clerk_user(1))
        ticket_no_show(window=window, actor=clerk_user(1))
    html = _page(ticket, FRIDAY_CLOSING - dt.timedelta(minutes=5)).content.decode()
    assert 'id="rejoin"' in html and EXPIRED_TEXT not in html  # still open: it may rejoin
    ticket.refresh_from_db()
    _assert_expired_page(_page(ticket, FRIDAY_CLOSING).content.decode(), ticket)
    # asking anyway is refused, and changes nothing
    events = TicketEvent.objects.count()
    resp = _page(ticket, FRIDAY_CLOSING + dt.timedelta(minutes=1), {"rejoin": "yes"})
    assert resp.status_code == 422
    assert 'role="alert"' in resp.content.decode() and 'id="rejoin"' not in resp.content.decode()
    assert Ticket.objects.get(pk=ticket.pk).status == "no_show"
    assert TicketEvent.objects.count() == events
