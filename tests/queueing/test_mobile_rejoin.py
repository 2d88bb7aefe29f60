"""重新排队 from the citizen's ticket page /m/tickets/<code>: after 过号, once,
the same day, while the hall is open, where the queue allows it; the track code
is the authority (docs/queueing.md, "The citizen's ticket page")."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from yichuang.lib.throttle import Rule
from yichuang.org.models import Centre, Window
from yichuang.queueing import views
from yichuang.queueing.models import Queue, Ticket, TicketEvent

from .conftest import MONDAY_10, clerk_user

pytestmark = pytest.mark.django_db


def _page(ticket, data=None, ip="198.51.100.7"):
    client = Client(REMOTE_ADDR=ip)
    url = f"/m/tickets/{ticket.track_code}"
    return client.post(url, data) if data is not None else client.get(url)


@pytest.fixture
def missed(hall, issue, open_window, at10):
    """A general-queue ticket called at window 1 and marked 过号 at 10:00."""
    from yichuang.queueing.actions import ticket_call_next, ticket_no_show

    window = open_window(1)
    ticket = issue("general")
    assert ticket_call_next(window=window, actor=clerk_user(1)).pk == ticket.pk
    ticket_no_show(window=window, actor=clerk_user(1))
    ticket.refresh_from_db()
    assert ticket.status == "no_show"
    return ticket


def snapshot(ticket):
    row = Ticket.objects.get(pk=ticket.pk)
    return (
        row.status,
        row.rejoined,
        row.sort_at,
        row.window_id,
        TicketEvent.objects.filter(ticket_id=ticket.pk).count(),
    )


def assert_refused(resp, status, code, ticket, before, message):
    """A refusal is the page with a clear Chinese message, never a 500, and
    the ticket and its events are as they were."""
    assert resp.status_code == status, resp.content
    html = resp.content.decode()
    assert message in html.split('role="alert"')[1].split("</p>")[0]
    assert 'id="rejoin"' not in html
    assert snapshot(ticket) == before, code


def test_a_no_show_rejoins_at_the_back_from_the_phone(missed, issue, at10):
    behind = issue("general", at=at10(-5))  # issued before the rejoin
    html = _page(missed).content.decode()
    assert 'id="rejoin"' in html and "排到队尾" in html
    assert 'name="csrfmiddlewaretoken"' in html.split('id="rejoin"')[1]
    resp = _page(missed, {"rejoin": "yes"})
    assert resp.status_code == 200
    html = resp.content.decode()
    assert 'id="rejoined"' in html and "排在队尾" in html
    row = Ticket.objects.get(pk=missed.pk)
    assert row.status == "waiting" and row.rejoined and row.window_id is None
    assert row.sort_at == MONDAY_10 and row.sort_at > behind.sort_at
    event = TicketEvent.objects.filter(ticket_id=missed.pk).order_by("-id").first()
    assert event.type == "rejoined" and (event.old_status, event.new_status) == (
        "no_show",
        "waiting",
    )
    assert event.actor_id is None and event.device_id is None  # the citizen
    # back in line: the page shows the wait and no button
    assert 'id="rejoin"' not in html and "前面还有" in html


def test_a_second_rejoin_is_refused(missed):
    from yichuang.queueing.actions import ticket_call_next, ticket_no_show

    assert _page(missed, {"rejoin": "yes"}).status_code == 200
    w1 = Window.objects.get(centre=missed.centre, number=1)
    assert ticket_call_next(window=w1, actor=clerk_user(1)).pk == missed.pk
    ticket_no_show(window=w1, actor=clerk_user(1))
    html = _page(missed).content.decode()
    assert 'id="rejoin"' not in html and "不能再重新排队" in html
    before = snapshot(missed)
    resp = _page(missed, {"rejoin": "yes"})
    assert_refused(resp, 409, "queueing.rejoin_used", missed, before, "只能重新排队一次")


def test_a_queue_without_rejoin_refuses(missed):
    Queue.objects.filter(pk=missed.queue_id).update(no_show_rejoin=False)
    assert "该业务过号后不能重新排队" in _page(missed).content.decode()
    before = snapshot(missed)
    resp = _page(missed, {"rejoin": "yes"})
    assert_refused(resp, 409, "queueing.rejoin_not_allowed", missed, before, "不能重新排队")


def test_a_ticket_not_missed_cannot_rejoin(hall, issue, at10):
    ticket = issue("general")
    before = snapshot(ticket)
    resp = _page(ticket, {"rejoin": "yes"})
    assert_refused(resp, 409, "queueing.not_no_show", ticket, before, "只有过号的号")


def test_after_closing_time_the_hall_refuses(missed):
    Centre.objects.filter(pk=missed.centre_id).update(always_open=False)
    with time_machine.travel(MONDAY_10.replace(hour=19), tick=False):
        html = _page(missed).content.decode()
        # the day is over: the page says the ticket expired, with no button
        assert 'id="rejoin"' not in html and "今日办理时间已结束，本号已过期" in html
        before = snapshot(missed)
        resp = _page(missed, {"rejoin": "yes"})
        assert_refused(resp, 422, "queueing.out_of_hours", missed, before, "不在办公时间内")


def test_the_next_day_the_ticket_has_expired(missed):
    with time_machine.travel(MONDAY_10 + dt.timedelta(days=1), tick=False):
        before = snapshot(missed)
        resp = _page(missed, {"rejoin": "yes"})
        assert_refused(resp, 409, "queueing.ticket_expired", missed, before, "已过期")


def test_rejoins_are_throttled_per_address(missed, monkeypatch):
    monkeypatch.setattr(views, "REJOINS", Rule("ticket-rejoin-ip-test", 2, 3600))
    Ticket.objects.filter(pk=missed.pk).update(rejoined=True)
    before = snapshot(missed)
    for _ in range(2):
        assert _page(missed, {"rejoin": "yes"}).status_code == 409
    resp = _page(missed, {"rejoin": "yes"})
    assert_refused(resp, 429, "queueing.too_many_rejoins", missed, before, "操作过于频繁")
    # another address is not held back
    assert _page(missed, {"rejoin": "yes"}, ip="198.51.100.8").status_code == 409


def test_an_unknown_track_code_is_404(hall):
    resp = Client().post("/m/tickets/not-a-code", {"rejoin": "yes"})
    assert resp.status_code == 404


def test_staff_rejoin_through_the_api_follows_the_same_rules(missed, api, county):
    greeter = api(county.greeter)
    Centre.objects.filter(pk=missed.centre_id).update(always_open=False)
    with time_machine.travel(MONDAY_10.replace(hour=19), tick=False):
        before = snapshot(missed)
        resp = greeter.post(f"/api/v1/tickets/{missed.pk}/rejoin")
        assert resp.status_code == 422 and resp.json()["code"] == "queueing.out_of_hours"
        assert snapshot(missed) == before
    resp = greeter.post(f"/api/v1/tickets/{missed.pk}/rejoin")
    assert resp.status_code == 200 and resp.json()["status"] == "waiting"
    event = TicketEvent.objects.filter(ticket_id=missed.pk).order_by("-id").first()
    assert event.type == "rejoined" and event.actor_id == county.greeter.pk
