"""The citizen's ticket page /m/tickets/<code>: a waiting ticket cancelled
after a confirm, the rating link after 办结 until rated, advice after 过号
(issue 18, item 11)."""

import pytest
from django.test import Client

from yichuang.queueing.models import Ticket

from .conftest import clerk_user

pytestmark = pytest.mark.django_db


def _page(ticket, data=None):
    url = f"/m/tickets/{ticket.track_code}"
    return Client().post(url, data) if data is not None else Client().get(url)


def test_a_waiting_ticket_is_cancelled_only_after_a_confirm(hall, issue, at10):
    ticket = issue("general")
    html = _page(ticket).content.decode()
    assert 'id="cancel"' in html and 'http-equiv="refresh"' in html
    asked = _page(ticket, {"cancel": "ask"})
    assert asked.status_code == 200 and "确定要取消这个号吗" in asked.content.decode()
    assert 'http-equiv="refresh"' not in asked.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "waiting"  # asking changes nothing
    done = _page(ticket, {"cancel": "yes"})
    assert done.status_code == 200 and "已为您取消该号" in done.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == "cancelled"


def test_a_called_ticket_cannot_be_cancelled_from_the_phone(hall, issue, open_window, at10):
    from yichuang.queueing.actions import ticket_call_next

    window = open_window(1)
    ticket = issue("general")
    called = ticket_call_next(window=window, actor=clerk_user(1))
    assert called.pk == ticket.pk
    html = _page(ticket).content.decode()
    assert 'id="cancel"' not in html
    resp = _page(ticket, {"cancel": "yes"})
    assert resp.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == "called"


def _finish(ticket, window):
    from yichuang.queueing.actions import ticket_call_next, ticket_finish, ticket_start

    actor = clerk_user(window.number)
    assert ticket_call_next(window=window, actor=actor).pk == ticket.pk
    ticket_start(window=window, actor=actor)
    return ticket_finish(window=window, actor=actor)


def test_a_finished_ticket_shows_the_rating_link_until_rated(hall, issue, open_window, at10):
    from yichuang.feedback.actions import rating_submit

    window = open_window(1)
    ticket = issue("general")
    _finish(ticket, window)
    ticket.refresh_from_db()
    html = _page(ticket).content.decode()
    assert f'href="/m/rate/{ticket.rating_code}"' in html and "一次一评" in html
    rating_submit(rating_code=ticket.rating_code, level=5, channel="qr")
    html = _page(ticket).content.decode()
    assert "/m/rate/" not in html and "您已评价本次服务" in html


def test_a_no_show_gets_the_rejoin_advice(hall, issue, open_window, at10):
    from yichuang.queueing.actions import ticket_call_next, ticket_no_show

    window = open_window(1)
    ticket = issue("general")
    ticket_call_next(window=window, actor=clerk_user(1))
    ticket_no_show(window=window, actor=clerk_user(1))
    html = _page(ticket).content.decode()
    assert 'id="no-show-advice"' in html and "今天可以重新排队一次" in html
    Ticket.objects.filter(pk=ticket.pk).update(rejoined=True)
    html = _page(ticket).content.decode()
    assert "不能再重新排队" in html and "重新取号" in html
