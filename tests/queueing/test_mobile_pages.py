"""Citizens' mobile pages: booking an appointment, looking it up and cancelling
it (/m/book/, /m/appointment), and the window display page."""

import pytest
from django.test import Client

from yichuang.queueing.models import Appointment, AppointmentSlot

from .test_pages import device_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def slots(hall, at10):
    from yichuang.demo.queueing import build_slots

    assert build_slots(days=2) > 0
    return AppointmentSlot.objects.filter(queue__centre=hall, queue__code="social")


def test_it_books_an_appointment_on_the_phone(hall, slots, settings):
    from yichuang.lib.sms import MemoryBackend

    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    client = Client()
    assert "云溪县政务服务中心" in client.get("/m/book/").content.decode()
    page = client.get("/m/book/county-hall")
    assert page.status_code == 200 and "社保业务" in page.content.decode()
    slot = slots.filter(start__hour=15).first()
    form = {"step": "code", "slot": slot.pk, "phone": "138 0013 8000"}
    resp = client.post("/m/book/county-hall", form)
    assert resp.status_code == 200 and "138****8000" in resp.content.decode()
    assert not Appointment.objects.exists()  # nothing held before the code
    code = MemoryBackend.outbox[-1][1].split("验证码 ")[1][:6]
    confirm = {"step": "confirm", "slot": slot.pk, "phone": "13800138000", "code": code}
    resp = client.post("/m/book/county-hall", confirm)
    assert resp.status_code == 200
    appt = Appointment.objects.get()
    assert appt.code in resp.content.decode() and appt.slot == slot
    slot.refresh_from_db()
    assert slot.booked == 1


def test_it_refuses_a_bad_phone_and_changes_nothing(hall, slots):
    resp = Client().post("/m/book/county-hall", {"slot": slots.first().pk, "phone": "123"})
    assert resp.status_code == 422 and "11 位" in resp.content.decode()
    assert not Appointment.objects.exists()


def test_it_looks_up_and_cancels_with_code_and_phone(hall, slots):
    from yichuang.queueing.actions import appointment_book

    appt = appointment_book(slot=slots.filter(start__hour=16).first(), phone="13800138000")
    client = Client()
    wrong = client.post("/m/appointment", {"code": appt.code, "phone": "13900139000"})
    assert wrong.status_code == 404
    found = client.post("/m/appointment", {"code": appt.code, "phone": "13800138000"})
    assert found.status_code == 200 and "已预约" in found.content.decode()
    gone = client.post("/m/appointment", {"code": appt.code, "phone": "13800138000", "cancel": "1"})
    assert gone.status_code == 200 and "已取消" in gone.content.decode()
    appt.refresh_from_db()
    assert appt.status == "cancelled"


def test_it_shows_the_window_display_with_its_current_ticket(
    hall, open_window, issue, device_token
):
    from yichuang.queueing.actions import ticket_call_next

    from .conftest import clerk_user

    window = open_window(3)
    issue("general")
    ticket = ticket_call_next(window=window, actor=clerk_user(3))
    client = device_client(
        device_token("window_display", window=window), "/display/county-hall/window/3"
    )
    html = client.get("/display/county-hall/window/3").content.decode()
    assert "3 号窗口" in html and (ticket.number if ticket else "—") in html
    assert client.get("/display/county-hall/window/4").status_code == 403
