"""/m/lookup: one box for the receipt's 查询码 (办件), a complaint's 查询码 and
an appointment's 预约码; an unknown code answers the same whatever it looks
like, and misses count against the per-address budget (issue 18, item 11)."""

import pytest
from django.test import Client

from yichuang.feedback.models import Complaint
from yichuang.queueing.models import Appointment

pytestmark = pytest.mark.django_db


def _look(code, client=None):
    return (client or Client()).post("/m/lookup", {"code": code})


def test_the_receipt_code_opens_the_case(intake):
    case = intake().case
    resp = _look(f" {case.receipt_code} ")
    html = resp.content.decode()
    assert resp.status_code == 200 and "办件" in html and case.title in html
    assert f'href="/m/progress/{case.receipt_code}"' in html
    assert "张小花" not in html


def test_a_complaint_code_opens_the_complaint(county):
    from yichuang.feedback.actions import complaint_submit

    c = complaint_submit(kind="complaint", channel="mobile", description="等了两个小时")
    html = _look(c.track_code).content.decode()
    assert c.reference in html and f'href="/m/complaints/{c.track_code}"' in html
    assert "等了两个小时" not in html  # the details stay on the complaint's own page


def test_an_appointment_code_shows_the_booking(hall_queues):
    from yichuang.demo.queueing import build_slots
    from yichuang.queueing.actions import appointment_book
    from yichuang.queueing.models import AppointmentSlot

    build_slots(days=2)
    slot = AppointmentSlot.objects.filter(queue__centre=hall_queues).first()
    appt = appointment_book(slot=slot, phone="13800138000")
    html = _look(appt.code).content.decode()
    assert "已预约" in html and slot.queue.name in html and slot.start.strftime("%H:%M") in html
    assert "13800138000" not in html and "138****8000" not in html


@pytest.mark.parametrize("code", ["AAAAAAAAAAAAAAAA", "12345678", "x", "A" * 40])
def test_an_unknown_code_of_any_shape_answers_the_same(county, code):
    resp = _look(code)
    assert resp.status_code == 404
    html = resp.content.decode()
    assert "没有找到与该查询码对应的记录" in html and 'id="lookup-found"' not in html


def test_misses_are_limited_per_address(county, settings):
    from yichuang.queueing.views import LOOKUP_FAILURES

    client = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(LOOKUP_FAILURES.limit):
        assert _look("AAAAAAAAAAAAAAAA", client).status_code == 404
    c_before = Complaint.objects.count(), Appointment.objects.count()
    assert _look("AAAAAAAAAAAAAAAA", client).status_code == 429
    assert (Complaint.objects.count(), Appointment.objects.count()) == c_before


def test_the_lookup_is_linked_from_the_complaint_page(county):
    from yichuang.feedback.actions import complaint_submit

    c = complaint_submit(kind="complaint", channel="mobile", description="等了两个小时")
    html = Client().get(f"/m/complaints/{c.track_code}").content.decode()
    assert 'href="/m/lookup"' in html and c.track_code in html
    assert "请保存本页链接" not in html
