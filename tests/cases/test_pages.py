"""The desk, intake, case page, receipt and the citizens' pages, through HTTP."""

import subprocess

import pytest
from django.test import Client

from yichuang.cases.models import Case
from yichuang.lib.sms import MemoryBackend
from yichuang.vault.models import AccessLog

from .conftest import ALL, ID_A, user


def client_for(u):
    c = Client()
    c.force_login(u)
    return c


def test_the_desk_lists_cases_by_urgency_with_bounded_queries(
    intake, county, django_assert_max_num_queries
):
    for _ in range(3):
        intake()
    c = client_for(user("yb_review1"))
    with django_assert_max_num_queries(25):
        resp = c.get("/cases/?view=department")
    assert resp.status_code == 200
    assert resp.content.decode().count('data-level="normal"') == 3


def test_the_intake_form_marks_reusable_documents_and_accepts(intake, county, item):
    intake(consent={"scope": "all"})
    c = client_for(county.clerk)
    page = c.get(f"/cases/new/?item={item.code}&id_number={ID_A}").content.decode()
    assert "可复用" in page and AccessLog.objects.filter(kind="lookup").exists()
    resp = c.post(
        "/cases/new/",
        {
            "item": item.code,
            "centre": "county-hall",
            "name": "张小花",
            "id_number": ID_A,
            "material": ["M01", "M02", "M03", "M04"],
        },
    )
    assert resp.status_code == 302
    case = Case.objects.order_by("-pk").first()
    assert resp["Location"] == f"/cases/{case.pk}/"


def test_the_case_page_shows_the_clock_and_runs_actions(intake, county):
    case = intake().case
    c = client_for(user("yb_review1"))
    page = c.get(f"/cases/{case.pk}/").content.decode()
    assert "承诺办结" in page and case.due_date.isoformat() in page
    resp = c.post(f"/cases/{case.pk}/act/", {"action": "approve", "note": "通过"})
    assert resp.status_code == 302
    case.refresh_from_db()
    assert case.status == "review"
    resp = c.post(f"/cases/{case.pk}/act/", {"action": "complete"})
    assert resp["Location"] == f"/cases/{case.pk}/"
    assert 'role="alert" data-code="cases.' in c.get(resp["Location"]).content.decode()


def test_an_outsider_gets_404_on_case_pages_and_nothing_changes(intake, county):
    case = intake().case
    c = client_for(county.outsider)
    assert c.get(f"/cases/{case.pk}/").status_code == 404
    assert c.post(f"/cases/{case.pk}/act/", {"action": "withdraw", "note": "x"}).status_code == 404
    assert c.get(f"/cases/{case.pk}/receipt.pdf").status_code == 404
    case.refresh_from_db()
    assert case.status == "accepted"


def test_the_receipt_pdf_renders(intake, county, tmp_path):
    case = intake().case
    resp = client_for(county.clerk).get(f"/cases/{case.pk}/receipt.pdf")
    assert resp.status_code == 200 and resp.content.startswith(b"%PDF")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(resp.content)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    from yichuang.lib.codes import grouped

    assert "受理回执" in text and grouped(case.receipt_code) in text


def test_the_public_progress_page_shows_masked_name_only(intake):
    case = intake().case
    page = Client().get(f"/m/progress/{case.receipt_code}").content.decode()
    assert "张**" in page and "张小花" not in page and ID_A not in page
    assert Client().get("/m/progress/wrong").status_code == 404


@pytest.fixture
def sms(settings):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


def test_my_data_opens_with_a_code_and_lists_who_read_what(
    intake, make_item, sms, county, django_capture_on_commit_callbacks
):
    first = intake(consent={"scope": "all"}).case
    other = make_item("PG-2", department="mz")
    from yichuang.vault.models import Document

    mats = [
        {
            "code": "M02",
            "source": "vault",
            "document_id": Document.objects.get(doc_type="birth_cert").pk,
        }
    ] + [m for m in ALL if m["code"] != "M02"]
    intake(item=other, materials=mats)
    c = Client()
    with django_capture_on_commit_callbacks(execute=True):
        c.post("/m/my-data", {"id_number": ID_A})
    code = sms[-1][1].split("验证码为 ")[1][:6]
    assert c.post("/m/my-data", {"id_number": ID_A, "code": code}).status_code == 302
    page = c.get("/m/my-data").content.decode()
    assert "出生医学证明" in page and "民政" in page and "本人授权" in page
    assert first.title in page
