"""What the kiosk and the hall screen answer (issue 18, items 6, 7 and 9): a
refused check-in is a styled box like any refusal, elders see every queue, and
a hall screen keeps the setting that lets it speak without a touch."""

import pytest

from yichuang.queueing.models import Appointment, Queue, Ticket

from .test_pages import device_client

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "reason"),
    [("", "queueing.appointment_code_missing"), ("99999999", "queueing.appointment_not_found")],
)
def test_a_wrong_or_empty_appointment_code_gets_the_styled_box(hall, device_token, code, reason):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    resp = client.post("/kiosk/county-hall/check-in", {"code": code})
    html = resp.content.decode()
    # a 4xx the page swaps into its answer box, never a whole page
    assert 400 <= resp.status_code < 500
    assert f'class="k-error" role="alert" data-code="{reason}"' in html
    assert "<html" not in html and "data-k-close" in html
    assert not Ticket.objects.exists() and not Appointment.objects.exists()


def test_the_kiosk_page_loads_htmx_without_the_debug_helper(hall, device_token, settings):
    # django-htmx's debug helper replaced the page with any 400/403/404 answer
    settings.DEBUG = True
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    html = client.get("/kiosk/county-hall").content.decode()
    assert "htmx-2.min.js" in html and "django-htmx.js" not in html
    assert 'id="k-result" class="k-result"' in html


def test_the_elders_mode_offers_every_queue(hall, device_token):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    html = client.get("/kiosk/county-hall?mode=elderly").content.decode()
    queues = Queue.objects.filter(centre=hall, is_active=True)
    assert queues.count() > 4
    for q in queues:
        assert f'name="queue" value="{q.code}"' in html, q.name


def test_the_device_token_leaves_the_address_and_the_page_flags_stay(hall, device_token):
    from django.test import Client

    resp = Client().get(f"/kiosk/county-hall?device={device_token('kiosk')}&mode=elderly")
    assert resp.status_code == 302 and resp["Location"] == "/kiosk/county-hall?mode=elderly"


def test_a_hall_screen_keeps_its_autoplay_setting(hall, device_token):
    client = device_client(device_token("display"), "/display/county-hall")
    assert "data-autoplay" not in client.get("/display/county-hall").content.decode()
    first = client.get("/display/county-hall?autoplay=1")
    assert 'data-autoplay="1"' in first.content.decode()
    assert first.cookies["yc_display_autoplay"].value == "1"
    # the cookie keeps it across reloads without the flag
    assert 'data-autoplay="1"' in client.get("/display/county-hall").content.decode()
    off = client.get("/display/county-hall?autoplay=0")
    assert "data-autoplay" not in off.content.decode()
    assert "data-autoplay" not in client.get("/display/county-hall").content.decode()


def test_the_voice_hint_is_hidden_until_the_browser_refuses(hall, device_token):
    client = device_client(device_token("display"), "/display/county-hall")
    html = client.get("/display/county-hall").content.decode()
    assert 'id="d-start" class="d-start" hidden' in html and "点击开启语音" in html
