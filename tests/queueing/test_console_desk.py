"""The clerk's console (issue 18, item 15): a clerk is offered, and may open,
only his posts' windows; the window's tag follows what it is doing; 过号 asks
first; a transfer says where the citizen went; the clerk's own day is shown."""

from __future__ import annotations

import re

from django.test import Client

from yichuang.feedback.actions import rating_submit
from yichuang.org.models import Window
from yichuang.queueing.models import Ticket

from .conftest import clerk_user, window_of


def _signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _offered(html: str) -> set[int]:
    return {int(v) for v in re.findall(r'hx-vals=\'\{"window": "(\d+)"\}\'', html)}


def test_a_clerk_is_offered_only_his_posts_windows(hall):
    # clerk_w02 holds window 2 as A and window 1 as B (the demo's AB posts).
    html = _signed_in(clerk_user(2)).get("/console/").content.decode()
    assert _offered(html) == {window_of(hall, 1).pk, window_of(hall, 2).pk}


def test_a_director_is_offered_every_closed_window_of_the_hall(county, hall):
    html = _signed_in(county.director).get("/console/").content.decode()
    closed = Window.objects.filter(centre=hall, state="closed", is_active=True)
    assert _offered(html) >= set(closed.values_list("pk", flat=True))
    assert len(_offered(html)) > 10


def test_a_clerk_cannot_open_another_posts_window(hall):
    client = _signed_in(clerk_user(1))
    target = window_of(hall, 5)
    html = client.post("/console/act/open", {"window": target.pk}).content.decode()
    assert 'data-code="queueing.not_your_post"' in html
    target.refresh_from_db()
    assert target.state == "closed" and target.clerk_id is None
    assert not Window.objects.filter(state__in=["open", "paused"], centre=hall).exists()


def test_an_idle_window_is_not_tagged_serving(hall, issue):
    client = _signed_in(clerk_user(1))
    html = client.post("/console/act/open", {"window": window_of(hall, 1).pk}).content.decode()
    tag = re.search(r'id="c-state">([^<]+)<', html).group(1)
    assert tag == "空闲"
    issue("general")
    html = client.post("/console/act/call-next").content.decode()
    assert re.search(r'id="c-state">([^<]+)<', html).group(1) == "已叫号"
    html = client.post("/console/act/start").content.decode()
    assert re.search(r'id="c-state">([^<]+)<', html).group(1) == "办理中"
    assert 'id="c-timer" data-since="' in html


def test_no_show_asks_first_and_transfer_says_where(hall, issue):
    client = _signed_in(clerk_user(1))
    client.post("/console/act/open", {"window": window_of(hall, 1).pk})
    issue("general")
    html = client.post("/console/act/call-next").content.decode()
    no_show = re.search(r"<button[^>]*data-key=\"x\"[^>]*>", html).group(0)
    assert 'hx-confirm="确定 A001 号过号吗' in no_show
    queue = Ticket.objects.get().queue
    other = hall.queues.exclude(pk=queue.pk).filter(is_active=True).first()
    html = client.post("/console/act/transfer", {"queue": other.code}).content.decode()
    notice = re.search(r'id="c-notice">([^<]+)<', html).group(1)
    assert f"已将 A001 号转办至 {other.prefix} {other.name}" in notice
    assert Ticket.objects.get(status="waiting").queue == other


def test_the_console_counts_the_clerks_own_day(hall, issue, county):
    client = _signed_in(clerk_user(1))
    client.post("/console/act/open", {"window": window_of(hall, 1).pk})
    issue("general")
    client.post("/console/act/call-next")
    client.post("/console/act/finish")
    done = Ticket.objects.get(status="done")
    rating_submit(rating_code=done.rating_code, level=5, channel="pad")
    html = client.get("/console/").content.decode()
    assert re.search(r'id="c-served">(\d+)<', html).group(1) == "1"
    assert re.search(r'id="c-rated">(\d+)<', html).group(1) == "1"
    # Another clerk's day is his own.
    other = _signed_in(clerk_user(2))
    html = other.post("/console/act/open", {"window": window_of(hall, 2).pk}).content.decode()
    assert re.search(r'id="c-served">(\d+)<', html).group(1) == "0"
    assert re.search(r'id="c-rated">(\d+)<', html).group(1) == "0"
