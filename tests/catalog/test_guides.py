"""Public guides (no login) and the one-time notice screens."""

from django.test import Client
from tests.conftest import login_client

from yichuang.catalog import actions
from yichuang.catalog.models import OneTimeNotice


def test_it_shows_a_public_guide_with_qr_and_pdf(make_item):
    make_item("G-1", name="最低生活保障申请", department="mz")
    resp = Client().get("/m/items/G-1")
    assert resp.status_code == 200
    assert "最低生活保障申请" in resp.text and "<svg" in resp.text
    assert "/m/items/G-1/guide.pdf" in resp.text
    pdf = Client().get("/m/items/G-1/guide.pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_it_searches_the_public_guides_by_initials(make_item):
    make_item("G-1", name="最低生活保障申请", department="mz")
    assert "最低生活保障申请" in Client().get("/m/items/?q=zdsh").text


def test_it_answers_404_for_unknown_or_unpublished_guides(make_item):
    make_item("G-D", publish=False)
    assert Client().get("/m/items/G-D").status_code == 404
    assert Client().get("/m/items/NOPE").status_code == 404
    assert Client().get("/m/bundles/NOPE").status_code == 404


def test_it_shows_a_bundle_guide(make_item, county):
    make_item("G-1", department="wj")
    make_item("G-2", department="ga")
    actions.bundle_save(
        actor=county.county_admin, code="nb", name="新生儿出生一件事", item_codes=["G-1", "G-2"]
    )
    resp = Client().get("/m/bundles/nb")
    assert resp.status_code == 200 and "新生儿出生一件事" in resp.text
    assert Client().get("/m/bundles/nb/guide.pdf").content.startswith(b"%PDF")


def test_it_issues_a_notice_from_the_screen(make_item, county):
    make_item("G-N")
    client = login_client(county.clerk)
    resp = client.post(
        "/catalog/items/G-N/notice/",
        {
            "applicant_name": "张三",
            "brought": ["M01"],
            "bad_M01": "1",
            "reason_M01": "身份证已过期",
        },
    )
    notice = OneTimeNotice.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/catalog/notices/{notice.reference}/"
    assert notice.centre == county.hall
    page = client.get(resp["Location"])
    assert "身份证已过期" in page.text and "居民户口簿" in page.text
    pdf = client.get(f"/catalog/notices/{notice.reference}.pdf")
    assert pdf.content.startswith(b"%PDF")
    assert Client().get(f"/catalog/notices/{notice.reference}/").status_code == 302
