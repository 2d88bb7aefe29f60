"""An anonymous appointment is held only after the SMS code sent to its phone
is confirmed; codes are limited per address and phone, a phone holds at most
two open appointments, and staff book without a code (issue 17, item 8)."""

from __future__ import annotations

import json
import random

import pytest
from django.test import Client

from yichuang.queueing import schemas
from yichuang.queueing.models import Appointment, AppointmentSlot

pytestmark = pytest.mark.django_db

BOOK = "/api/v1/appointments"
CODE = "/api/v1/appointments/code"


@pytest.fixture
def town_slots(county, hall, frozen):
    from yichuang.demo.queueing import build_slots

    build_slots(days=3)
    return AppointmentSlot.objects.filter(queue__centre=county.town, day="2026-03-17").order_by(
        "start", "queue_id"
    )


def post(client: Client, path: str, body: dict, ip: str = "203.0.113.9", **extra):
    return client.post(
        path, json.dumps(body), content_type="application/json", REMOTE_ADDR=ip, **extra
    )


def code_of(outbox) -> str:
    return outbox[-1][1].split("验证码 ")[1][:6]


def state():
    return (
        Appointment.objects.count(),
        list(AppointmentSlot.objects.order_by("pk").values_list("booked", flat=True)),
    )


def test_random_phones_book_nothing_and_send_few_sms(town_slots, outbox, settings):
    settings.APPOINTMENT_CODES_PER_ADDRESS_HOUR = 10
    client = Client()
    rng = random.Random(17)
    before = state()
    places = sum(s.capacity for s in town_slots)
    answers = []
    for slot in town_slots:
        for _ in range(slot.capacity):
            phone = f"13{rng.randrange(10**9):09d}"
            answers.append(post(client, BOOK, {"slot": slot.pk, "phone": phone}).status_code)
    assert len(answers) == places and set(answers) == {422}  # no code, no booking
    assert outbox == []
    codes = []
    for slot in town_slots:
        phone = f"13{rng.randrange(10**9):09d}"
        codes.append(post(client, CODE, {"slot": slot.pk, "phone": phone}))
    assert [r.status_code for r in codes[:10]] == [202] * 10
    assert {r.status_code for r in codes[10:]} == {429}
    assert {r.json()["code"] for r in codes[10:]} == {"queueing.too_many_codes"}
    assert len(outbox) == 10  # past the address's limit no SMS leaves
    assert state() == before  # a code holds no place


def test_the_citizen_page_follows_the_same_limits(town_slots, outbox, settings):
    settings.APPOINTMENT_CODES_PER_ADDRESS_HOUR = 3
    client = Client(REMOTE_ADDR="203.0.113.50")
    before = state()
    slot = town_slots.first()
    statuses = [
        client.post(
            "/m/book/chengguan", {"step": "code", "slot": slot.pk, "phone": f"1380013800{i}"}
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    forged = client.post(
        "/m/book/chengguan",
        {"step": "confirm", "slot": slot.pk, "phone": "13800138009", "code": "123456"},
    )
    assert forged.status_code == 422
    assert len(outbox) == 3 and state() == before


def test_a_confirmed_code_books_and_a_phone_holds_two(town_slots, outbox):
    client = Client()
    phone = "13900139000"
    booked = []
    for slot in list(town_slots)[:3]:
        sent = post(client, CODE, {"slot": slot.pk, "phone": phone})
        if sent.status_code != 202:
            booked.append(sent)
            continue
        schemas.AppointmentCodeOut.model_validate(sent.json())
        assert sent.json()["phone"] == "139****9000"
        body = {"slot": slot.pk, "phone": phone, "code": code_of(outbox)}
        booked.append(post(client, BOOK, body))
    assert [r.status_code for r in booked] == [201, 201, 409]
    assert booked[2].json()["code"] == "queueing.too_many_open"
    assert Appointment.objects.count() == 2
    # the third slot's code was refused before any SMS: two codes, two bookings
    assert len([m for m in outbox if "验证码" in m[1]]) == 2


def test_a_code_is_bound_to_its_phone_and_slot(town_slots, outbox):
    client = Client()
    first, second = list(town_slots)[:2]
    post(client, CODE, {"slot": first.pk, "phone": "13700137000"})
    code = code_of(outbox)
    other_slot = post(client, BOOK, {"slot": second.pk, "phone": "13700137000", "code": code})
    other_phone = post(client, BOOK, {"slot": first.pk, "phone": "13700137001", "code": code})
    assert (other_slot.status_code, other_phone.status_code) == (422, 422)
    assert other_slot.json()["code"] == "queueing.code_invalid"
    assert not Appointment.objects.exists()


def test_wrong_codes_lock_the_phone_before_the_right_one(town_slots, outbox, frozen):
    client = Client()
    slot = town_slots.first()
    post(client, CODE, {"slot": slot.pk, "phone": "13600136000"})
    right = code_of(outbox)
    wrong = f"{(int(right) + 1) % 10**6:06d}"
    answers = [
        post(client, BOOK, {"slot": slot.pk, "phone": "13600136000", "code": wrong}).status_code
        for _ in range(5)
    ]
    assert answers == [422] * 5
    locked = post(client, BOOK, {"slot": slot.pk, "phone": "13600136000", "code": right})
    assert (locked.status_code, locked.json()["code"]) == (429, "queueing.code_locked")
    assert not Appointment.objects.exists()
    frozen.shift(600)  # a new period, a new code
    post(client, CODE, {"slot": slot.pk, "phone": "13600136000"})
    body = {"slot": slot.pk, "phone": "13600136000", "code": code_of(outbox)}
    assert post(client, BOOK, body).status_code == 201


def test_one_phone_gets_five_codes_a_day_from_any_address(town_slots, outbox):
    client = Client()
    slot = town_slots.first()
    statuses = [
        post(
            client, CODE, {"slot": slot.pk, "phone": "13500135000"}, ip=f"198.51.100.{i}"
        ).status_code
        for i in range(7)
    ]
    assert statuses == [202] * 5 + [429, 429]
    assert len(outbox) == 5


def test_staff_book_for_a_citizen_without_a_code(api, county, town_slots, outbox):
    clerk = api(county.outsider)  # a township clerk
    later = AppointmentSlot.objects.filter(queue__centre=county.town, day="2026-03-18")
    slots = [*list(town_slots)[:2], later.first()]  # three (queue, day) pairs
    statuses = [
        post(clerk, BOOK, {"slot": slot.pk, "phone": "13400134000"}).status_code for slot in slots
    ]
    assert statuses == [201, 201, 201]
    assert Appointment.objects.count() == 3
    assert all("预约码" in text for _phone, text in outbox)


def test_guessing_an_appointment_code_is_stopped(api, county, town_slots, outbox):
    clerk = api(county.outsider)
    booked = post(clerk, BOOK, {"slot": town_slots.first().pk, "phone": "13300133000"}).json()
    client = Client(REMOTE_ADDR="203.0.113.70")
    guesses = [
        client.post(
            "/m/appointment", {"code": f"{n:08d}", "phone": "13300133000", "cancel": "1"}
        ).status_code
        for n in range(22)
    ]
    assert guesses == [404] * 20 + [429, 429]
    right = {"code": booked["code"], "phone": "13300133000", "cancel": "1"}
    assert client.post("/m/appointment", right).status_code == 429
    assert Appointment.objects.get().status == "booked"
    # the citizen's own address is not concerned
    assert Client().post("/m/appointment", right).status_code == 200
    assert Appointment.objects.get().status == "cancelled"
