"""One-time notices stay inside the issuing centre's scope (issue 17, item 5).

The attack: ``clerk_town`` opened a county-hall notice and its PDF, which name
the applicant; references run in sequence (``YCGZ-<day>-0001``, ``-0002`` …),
so one's own notice points at the others. The rule: a notice is read by its
issuer and by the staff whose scope holds its centre (a department's staff:
only notices of the department's items); anyone else gets the 404 of a
notice that does not exist. Citizens never look a notice up by reference
(the pages need a sign-in; the PDF's QR code leads to the public guide of
the item), so the reference needs no secret part."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.accounts.models import User
from yichuang.catalog import actions
from yichuang.catalog.models import OneTimeNotice
from yichuang.org.models import Department

pytestmark = pytest.mark.django_db

MATERIALS = [
    {"code": "M01", "name": "居民身份证", "originals": 1, "copies": 0},
    {"code": "M02", "name": "居民户口簿", "originals": 1, "copies": 0},
]


def user(name: str) -> User:
    return User.objects.get(username=name)


def signed_in(name: str) -> Client:
    client = Client()
    client.force_login(user(name))
    return client


@pytest.fixture
def item(county):
    """A published 人社 item handled at every centre."""
    admin = county.county_admin
    item = actions.item_create(
        actor=admin,
        code="SEC-N",
        department=Department.objects.get(code="rs"),
        name="测试告知事项",
        centres=[],
        case_type="promised",
        legal_limit=20,
        legal_limit_unit="workday",
        committed_limit=10,
        visits_required=1,
        visits_reason="须现场核验原件",
    )
    steps = [
        {"kind": kind, "department": "rs", "share": share}
        for kind, share in (("accept", 20), ("review", 50), ("complete", 30))
    ]
    actions.version_update(actor=admin, version=item.draft(), materials=MATERIALS, steps=steps)
    actions.item_publish(actor=admin, item=item)
    return item


def issue_on_screen(name: str, applicant: str) -> str:
    """A clerk issues a notice from the window's screen; its reference."""
    resp = signed_in(name).post(
        "/catalog/items/SEC-N/notice/", {"applicant_name": applicant, "brought": ["M01"]}
    )
    assert resp.status_code == 302, resp.content
    return resp["Location"].rstrip("/").rsplit("/", 1)[-1]


def opens(name: str, reference: str) -> tuple[int, int]:
    client = signed_in(name)
    page = client.get(f"/catalog/notices/{reference}/")
    pdf = client.get(f"/catalog/notices/{reference}.pdf")
    return page.status_code, pdf.status_code


def test_a_township_clerk_cannot_open_a_county_hall_notice(item):
    hall_ref = issue_on_screen("clerk_county", "张三丰")
    notices = list(OneTimeNotice.objects.values_list("pk", "reference", "centre__code"))
    assert notices[0][2] == "county-hall"
    client = signed_in("clerk_town")
    page = client.get(f"/catalog/notices/{hall_ref}/")
    pdf = client.get(f"/catalog/notices/{hall_ref}.pdf")
    assert (page.status_code, pdf.status_code) == (404, 404)
    assert "catalog.notice_not_found" in page.content.decode()
    assert "张三丰" not in page.content.decode() and not pdf.content.startswith(b"%PDF")
    assert list(OneTimeNotice.objects.values_list("pk", "reference", "centre__code")) == notices


def test_a_reference_guessed_from_the_sequence_finds_nothing_outside_the_scope(item):
    hall_ref = issue_on_screen("clerk_county", "张三丰")
    own_ref = issue_on_screen("clerk_town", "李四")
    prefix, number = own_ref.rsplit("-", 1)
    guessed = f"{prefix}-{int(number) - 1:04d}"
    assert guessed == hall_ref  # the sequence does point at the other centre's notice
    assert opens("clerk_town", own_ref) == (200, 200)
    assert opens("clerk_town", guessed) == (404, 404)
    assert opens("clerk_town", f"{prefix}-9999") == (404, 404)  # the same as no notice


def test_the_notice_is_read_inside_its_centre_and_department(item):
    ref = issue_on_screen("clerk_county", "张三丰")
    readers = ("clerk_county", "clerk_w01", "director", "countyadmin", "dept_rs")
    outsiders = ("clerk_town", "director_chengguan", "dept_yb")
    assert {name: opens(name, ref) for name in readers} == dict.fromkeys(readers, (200, 200))
    assert {name: opens(name, ref) for name in outsiders} == dict.fromkeys(outsiders, (404, 404))


def test_the_api_issues_only_for_a_centre_in_scope(item, api):
    payload = {"item": "SEC-N", "applicant_name": "王五", "brought": ["M01"]}
    client = api(user("clerk_town"))
    resp = client.post(
        "/api/v1/catalog/notices",
        {**payload, "centre": "county-hall"},
        content_type="application/json",
    )
    assert (resp.status_code, resp.json()["code"]) == (404, "org.centre_not_found")
    assert not OneTimeNotice.objects.exists()
    resp = client.post("/api/v1/catalog/notices", payload, content_type="application/json")
    assert resp.status_code == 201
    notice = OneTimeNotice.objects.get()
    assert notice.centre.code == "chengguan"
    assert opens("clerk_county", notice.reference) == (404, 404)
