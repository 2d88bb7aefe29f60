"""/m/book/<centre> in three choices (事项, a day chip with its weekday, a time
of that day), then the phone and its SMS code (issue 18, item 10)."""

import re

import pytest
from django.test import Client

from yichuang.queueing.models import Appointment, AppointmentSlot, Queue

pytestmark = pytest.mark.django_db


@pytest.fixture
def slots(hall, at10):
    from yichuang.demo.queueing import build_slots

    assert build_slots(days=5) > 0
    return AppointmentSlot.objects.filter(queue__centre=hall)


def test_the_first_step_lists_the_queues_and_no_time(hall, slots):
    html = Client().get("/m/book/county-hall").content.decode()
    social = Queue.objects.get(centre=hall, code="social")
    assert f'href="?queue={social.pk}"' in html and "1. 选择办理事项" in html
    assert 'type="radio"' not in html  # no slot before a queue is chosen


def test_a_queue_shows_open_days_with_weekday_and_the_first_days_times(hall, slots):
    social = Queue.objects.get(centre=hall, code="social")
    html = Client().get(f"/m/book/county-hall?queue={social.pk}").content.decode()
    days = sorted({s.day for s in slots.filter(queue=social)})
    chips = re.findall(r'class="m-day[^"]*" href="\?queue=\d+&amp;day=([\d-]+)"', html)
    assert chips == [d.isoformat() for d in days]
    assert "周一" in html and "周六" not in html and "周日" not in html  # only open days
    first = slots.filter(queue=social, day=days[0], end__gt="10:00")  # the past left out
    radios = re.findall(r'name="slot" value="(\d+)"', html)
    assert sorted(map(int, radios)) == sorted(first.values_list("pk", flat=True))
    assert 'aria-current="date"' in html and "余 " in html


def test_a_day_chip_shows_that_days_times_only(hall, slots):
    social = Queue.objects.get(centre=hall, code="social")
    day = sorted({s.day for s in slots.filter(queue=social)})[1]
    html = Client().get(f"/m/book/county-hall?queue={social.pk}&day={day}").content.decode()
    radios = {int(pk) for pk in re.findall(r'name="slot" value="(\d+)"', html)}
    assert radios == set(slots.filter(queue=social, day=day).values_list("pk", flat=True))


def test_a_full_slot_is_shown_but_not_choosable(hall, slots):
    social = Queue.objects.get(centre=hall, code="social")
    slot = slots.filter(queue=social).order_by("-day", "start").first()
    AppointmentSlot.objects.filter(pk=slot.pk).update(booked=slot.capacity)
    url = f"/m/book/county-hall?queue={social.pk}&day={slot.day}"
    html = Client().get(url).content.decode()
    assert f'value="{slot.pk}" required disabled' in html and "已约满" in html


def test_it_books_in_three_choices_then_the_sms_code(hall, slots, settings):
    from yichuang.lib.sms import MemoryBackend

    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    client = Client()
    social = Queue.objects.get(centre=hall, code="social")
    assert client.get("/m/book/county-hall").status_code == 200
    day = sorted({s.day for s in slots.filter(queue=social)})[1]
    page = client.get(f"/m/book/county-hall?queue={social.pk}&day={day}").content.decode()
    slot_pk = int(re.findall(r'name="slot" value="(\d+)"', page)[2])
    resp = client.post(
        "/m/book/county-hall", {"step": "code", "slot": slot_pk, "phone": "13800138000"}
    )
    assert resp.status_code == 200 and "138****8000" in resp.content.decode()
    assert not Appointment.objects.exists()
    code = MemoryBackend.outbox[-1][1].split("验证码 ")[1][:6]
    form = {"step": "confirm", "slot": slot_pk, "phone": "13800138000", "code": code}
    resp = client.post("/m/book/county-hall", form)
    appt = Appointment.objects.get()
    assert appt.slot_id == slot_pk and appt.code in resp.content.decode()
    assert "/m/lookup" in resp.content.decode()


def test_a_refused_phone_keeps_the_chosen_queue_day_and_time(hall, slots):
    social = Queue.objects.get(centre=hall, code="social")
    slot = slots.filter(queue=social).order_by("-day", "start").first()
    resp = Client().post("/m/book/county-hall", {"step": "code", "slot": slot.pk, "phone": "1"})
    html = resp.content.decode()
    assert resp.status_code == 422 and "11 位" in html
    assert f'value="{slot.pk}" required checked' in html
    assert 'aria-current="date"' in html and slot.day.strftime("%m-%d") in html
    assert not Appointment.objects.exists()
