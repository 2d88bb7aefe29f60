"""/m/my-data answers the same for an ID number on record and one not on
record, and a victim's phone gets a bounded number of SMS (issue 17, item 8)."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yichuang.vault import actions as vault
from yichuang.vault.models import OneTimeCode

pytestmark = pytest.mark.django_db

ON_RECORD = "11010519491231002X"
NOT_ON_RECORD = "440524188001010014"
PAGE = "/m/my-data"


@pytest.fixture
def person(db):
    return vault.person_find_or_create(name="张小花", id_number=ON_RECORD, phone="13800138000")


def answers(id_number: str, steps: list[dict], ip: str) -> list[tuple[int, str]]:
    """Each step's (status, page), the CSRF nonces and the ID number itself
    taken out."""
    client = Client(REMOTE_ADDR=ip)
    out = []
    for step in steps:
        resp = client.post(PAGE, {"id_number": id_number, **step})
        text = resp.content.decode()
        text = re.sub(r'csrfmiddlewaretoken" value="[^"]*"|"X-CSRFToken": "[^"]*"', "", text)
        out.append((resp.status_code, text.replace(id_number, "<id>")))
    return out


SEND = {}
WRONG = {"code": "000000"}


def test_asking_for_codes_answers_the_same_on_record_or_not(
    person, frozen, outbox, django_capture_on_commit_callbacks
):
    steps = [SEND] * 5
    with django_capture_on_commit_callbacks(execute=True):
        known = answers(ON_RECORD, steps, "203.0.113.1")
    unknown = answers(NOT_ON_RECORD, steps, "203.0.113.2")
    assert unknown == known
    assert "验证码发送过于频繁" not in known[2][1]
    assert "验证码发送过于频繁" in known[3][1] and "验证码发送过于频繁" in known[4][1]
    assert len(outbox) == 3  # the person on record got three codes, no more
    assert OneTimeCode.objects.count() == 3


def test_wrong_codes_answer_the_same_on_record_or_not(person, frozen, outbox):
    steps = [SEND] + [WRONG] * 7
    known = answers(ON_RECORD, steps, "203.0.113.3")
    unknown = answers(NOT_ON_RECORD, steps, "203.0.113.4")
    assert unknown == known
    assert "验证码不正确" in known[1][1]
    assert "错误次数过多" in known[6][1] and "错误次数过多" in known[7][1]


def test_one_address_asking_about_many_numbers_is_stopped(person, frozen, outbox, settings):
    settings.MY_DATA_CODES_PER_ADDRESS_HOUR = 4
    numbers = [ON_RECORD, NOT_ON_RECORD, "110105198001010016", "330102199002020044"]
    client = Client(REMOTE_ADDR="203.0.113.5")
    for number in numbers:
        assert "过于频繁" not in client.post(PAGE, {"id_number": number}).content.decode()
    sent = len(outbox)
    refused = client.post(PAGE, {"id_number": ON_RECORD}).content.decode()
    assert "验证码发送过于频繁" in refused
    assert len(outbox) == sent


def test_a_victims_phone_gets_at_most_the_daily_cap(
    person, frozen, outbox, settings, django_capture_on_commit_callbacks
):
    settings.MY_DATA_SMS_PER_PHONE_DAY = 5
    statuses = []
    with django_capture_on_commit_callbacks(execute=True):
        for round_ in range(4):  # three codes every ten minutes, from fresh addresses
            for i in range(3):
                resp = Client(REMOTE_ADDR=f"198.51.100.{round_ * 3 + i}").post(
                    PAGE, {"id_number": ON_RECORD}
                )
                statuses.append(resp.status_code)
                assert "如该身份证号登记了手机，验证码已发送" in resp.content.decode()
            frozen.shift(600)
    assert len(outbox) == 5  # the cap, although twelve answers said "sent"
    assert OneTimeCode.objects.count() == 5
    assert set(statuses) == {200}
