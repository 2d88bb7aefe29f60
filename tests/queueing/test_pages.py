"""Kiosk, display, console and mobile pages (through HTTP)."""

import pytest
from django.test import Client

from yichuang.queueing.models import Ticket

from .conftest import clerk_user

pytestmark = pytest.mark.django_db


def device_client(token, path):
    client = Client()
    resp = client.get(f"{path}?device={token}")
    assert resp.status_code == 302 and resp["Location"] == path
    assert resp.cookies["yc_device"]["httponly"]
    return client


def test_it_asks_for_a_device_token_on_the_kiosk(hall):
    resp = Client().get("/kiosk/county-hall")
    assert resp.status_code == 401
    assert Client().get("/kiosk/county-hall?device=dev_nope").status_code == 403


def test_it_remembers_the_kiosk_token_and_prints_an_80mm_ticket(hall, device_token):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    page = client.get("/kiosk/county-hall")
    assert page.status_code == 200 and "综合业务" in page.content.decode()
    resp = client.post("/kiosk/county-hall/issue", {"queue": "general", "priority": "elderly"})
    assert resp.status_code == 201
    html = resp.content.decode()
    assert "A001" in html and "<svg" in html and "您前面还有 0 人" in html
    t = Ticket.objects.get()
    assert t.channel == "kiosk" and t.priority == "elderly"
    assert f"/m/tickets/{t.track_code}" in html


def test_it_shows_kiosk_refusals_in_plain_chinese(hall, device_token):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    resp = client.post("/kiosk/county-hall/issue", {"queue": "nope"})
    assert resp.status_code == 422 and "没有这个业务队列" in resp.content.decode()
    assert not Ticket.objects.exists()


def test_it_keeps_a_device_to_its_centre_and_its_job(county, hall, device_token):
    client = device_client(device_token("kiosk", centre=county.town), "/kiosk/chengguan")
    assert client.get("/kiosk/county-hall").status_code == 403
    assert client.post("/kiosk/county-hall/issue", {"queue": "general"}).status_code == 403
    display = device_client(device_token("display"), "/display/county-hall")
    assert display.get("/display/county-hall").status_code == 200
    assert display.get("/kiosk/county-hall").status_code == 403
    assert not Ticket.objects.exists()


def test_it_runs_the_console_for_the_signed_in_clerk(hall, issue):
    client = Client()
    user = clerk_user(1)
    client.force_login(user)
    page = client.get("/console/")
    assert page.status_code == 200 and "开窗" in page.content.decode()
    from .conftest import window_of

    w1 = window_of(hall, 1)
    assert client.post("/console/act/open", {"window": w1.pk}).status_code == 200
    issue("general")
    resp = client.post("/console/act/call-next")
    html = resp.content.decode()
    assert "A001" in html and "首问负责人" in html
    assert Ticket.objects.get().status == "called"
    html = client.post("/console/act/call-next").content.decode()
    assert "queueing.window_busy" in html
    client.post("/console/act/finish")
    assert Ticket.objects.get().status == "done"


def test_it_does_not_let_an_outsider_open_a_county_window(county, hall):
    from .conftest import window_of

    client = Client()
    client.force_login(county.outsider)
    html = client.post("/console/act/open", {"window": window_of(hall, 1).pk}).content.decode()
    assert "org.window_not_found" in html
    assert window_of(hall, 1).state == "closed"


def test_it_shows_the_mobile_ticket_status_without_personal_data(hall, issue):
    t = issue("general", phone="13800138000")
    resp = Client().get(f"/m/tickets/{t.track_code}")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "A001" in html and "等候中" in html and "13800138000" not in html
    assert Client().get("/m/tickets/nope").status_code == 404
