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


def test_a_code_as_printed_or_typed_carelessly_still_opens_the_case(intake):
    from yichuang.lib.codes import ALPHABET, LENGTH, grouped

    case = intake().case
    code = case.receipt_code
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    printed = grouped(code)
    assert printed.split() == [code[i : i + 4] for i in range(0, 16, 4)]
    for typed in (printed, printed.lower(), "-".join(printed.split())):
        html = _look(typed).content.decode()
        assert f'href="/m/progress/{code}"' in html, typed


def test_a_code_issued_before_the_new_alphabet_still_opens_the_case(intake):
    from yichuang.cases.models import Case

    case = intake().case
    Case.objects.filter(pk=case.pk).update(receipt_code="aB-c_dEfGh1IjK0l")
    assert 'href="/m/progress/aB-c_dEfGh1IjK0l"' in _look("aB-c_dEfGh1IjK0l").content.decode()
    # folding applies only after the exact text failed: a lower-cased old code is not it
    assert _look("ab-c_defgh1ijk0l").status_code == 404


def test_a_complaint_code_opens_the_complaint(county):
    from yichuang.feedback.actions import complaint_submit

    c = complaint_submit(kind="complaint", channel="mobile", description="等了两个小时")
    html = _look(c.track_code).content.decode()
    assert c.reference in html and f'href="/m/complaints/{c.track_code}"' in html
    assert "等了两个小时" not in html  # the details stay on the complaint's own page
    spaced = " ".join(c.track_code[i : i + 4] for i in range(0, 16, 4)).lower()
    assert f'href="/m/complaints/{c.track_code}"' in _look(spaced).content.decode()


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
    from yichuang.lib.codes import grouped

    assert 'href="/m/lookup"' in html and grouped(c.track_code) in html
    assert "请保存本页链接" not in html


@pytest.fixture
def sms(settings):
    from yichuang.lib.sms import MemoryBackend

    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


def _sms_code(outbox):
    return outbox[-1][1].split("验证码 ")[1][:6]


def test_the_phone_and_its_sms_code_list_the_phones_records(intake, hall_queues, sms):
    from yichuang.demo.queueing import build_slots
    from yichuang.feedback.actions import complaint_submit
    from yichuang.queueing.actions import appointment_book
    from yichuang.queueing.models import AppointmentSlot

    case = intake().case  # the applicant's phone is 13800138000
    mine = complaint_submit(
        kind="complaint", channel="mobile", description="等了很久", phone="13800138000"
    )
    other = complaint_submit(
        kind="complaint", channel="mobile", description="别人", phone="13900139000"
    )
    build_slots(days=2)
    appt = appointment_book(slot=AppointmentSlot.objects.first(), phone="13800138000")
    client = Client()
    sent = client.post("/m/lookup", {"step": "phone", "phone": "138 0013 8000"})
    assert sent.status_code == 200 and 'name="sms_code"' in sent.content.decode()
    assert sms[-1][0] == "13800138000"
    form = {"step": "phone_check", "phone": "13800138000", "sms_code": _sms_code(sms)}
    html = client.post("/m/lookup", form).content.decode()
    assert 'id="phone-records"' in html
    assert f"/m/progress/{case.receipt_code}" in html and mine.reference in html
    assert other.reference not in html and appt.slot.queue.name in html


def test_a_wrong_sms_code_lists_nothing_and_counts(county, sms):
    from yichuang.lib.throttle import Rule, rule_count

    client = Client()
    client.post("/m/lookup", {"step": "phone", "phone": "13800138000"})
    wrong = "000000" if _sms_code(sms) != "000000" else "111111"
    resp = client.post(
        "/m/lookup", {"step": "phone_check", "phone": "13800138000", "sms_code": wrong}
    )
    assert resp.status_code == 422 and 'id="phone-records"' not in resp.content.decode()
    assert rule_count(Rule("appt-fail-phone", 5, 600), "13800138000") == 1


def test_codes_share_the_booking_codes_per_phone_budget(county, sms, settings):
    settings.APPOINTMENT_CODES_PER_PHONE_DAY = 2
    client = Client()
    for _ in range(2):
        assert (
            client.post("/m/lookup", {"step": "phone", "phone": "13800138000"}).status_code == 200
        )
    sent = len(sms)
    resp = client.post("/m/lookup", {"step": "phone", "phone": "13800138000"})
    assert resp.status_code == 429 and len(sms) == sent


def test_the_receipt_and_the_appointment_page_point_to_the_lookup(intake, county, tmp_path):
    import subprocess

    from .test_pages import client_for

    case = intake().case
    resp = client_for(county.clerk).get(f"/cases/{case.pk}/receipt.pdf")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(resp.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    from yichuang.lib.codes import grouped

    flat = "".join(text.split())
    assert "/m/lookup" in flat and grouped(case.receipt_code) in text
    assert case.receipt_code in flat
    assert 'href="/m/lookup"' in Client().get("/m/appointment").content.decode()
