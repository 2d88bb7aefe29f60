"""Anonymous complaints are limited per address and per phone on every
anonymous channel, staff desk entries are not, and a session-authenticated
API write needs its CSRF token (issue 17, items 8 and 11)."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from yichuang.feedback.models import Complaint

pytestmark = pytest.mark.django_db

API = "/api/v1/complaints"


def file_api(client: Client, ip: str, phone: str = "", **extra):
    body = {"kind": "complaint", "description": "窗口推诿", "centre": "county-hall", **extra}
    if phone:
        body["phone"] = phone
    return client.post(API, json.dumps(body), content_type="application/json", REMOTE_ADDR=ip)


def test_a_hundred_anonymous_api_complaints_from_one_address_leave_five(hall, frozen):
    client = Client()
    answers = [file_api(client, "203.0.113.7") for _ in range(100)]
    assert [a.status_code for a in answers[:5]] == [201] * 5
    refused = answers[5:]
    assert {a.status_code for a in refused} == {429}
    assert {a.json()["code"] for a in refused} == {"feedback.too_many_complaints"}
    assert "频繁" in refused[0].json()["message"]
    assert Complaint.objects.count() == 5
    assert Complaint.objects.exclude(due_date=None).count() == 5  # no deadline past the limit
    # another address still files; the next hour the first one does again
    assert file_api(client, "203.0.113.8").status_code == 201
    frozen.shift(3600)
    assert file_api(client, "203.0.113.7").status_code == 201


def test_one_phone_files_three_a_day_whatever_the_address(hall, frozen):
    client = Client()
    statuses = [file_api(client, f"198.51.100.{i}", "13800138000").status_code for i in range(5)]
    assert statuses == [201, 201, 201, 429, 429]
    assert Complaint.objects.count() == 3
    frozen.shift(24 * 3600)
    assert file_api(client, "198.51.100.9", "13800138000").status_code == 201


def test_the_citizen_page_is_limited_the_same_way(hall, frozen):
    client = Client(REMOTE_ADDR="203.0.113.20")
    form = {"kind": "complaint", "description": "等候太久", "centre": "county-hall"}
    statuses = [client.post("/m/complaints/", form).status_code for _ in range(7)]
    assert statuses == [302] * 5 + [429, 429]
    refused = client.post("/m/complaints/", form)
    assert "频繁" in refused.content.decode()
    assert Complaint.objects.count() == 5


@pytest.fixture
def open311_key(hall):
    out = io.StringIO()
    call_command("open311_key", "某互联网平台", stdout=out)
    return out.getvalue().strip()


def test_open311_posts_are_limited_per_client_and_phone(hall, frozen, open311_key, settings):
    """A registered client (a 12345 bridge posts every caller from one server)
    is not held to one citizen's per-address limit, but has its own hourly
    budget; a caller's phone still counts per day."""
    settings.OPEN311_REQUESTS_PER_CLIENT_HOUR = 8
    client = Client(REMOTE_ADDR="203.0.113.30")
    data = {
        "api_key": open311_key,
        "service_code": "attitude",
        "address_id": "county-hall",
        "description": "态度生硬",
    }
    answers = [client.post("/open311/v2/requests.json", data) for _ in range(7)]
    assert [a.status_code for a in answers] == [201] * 7  # past the 5 per address
    more = [client.post("/open311/v2/requests.json", data) for _ in range(2)]
    assert [a.status_code for a in more] == [201, 429]  # the client's budget of 8
    assert "频繁" in more[-1].json()[0]["description"]
    assert Complaint.objects.count() == 8


def test_open311_posts_count_each_callers_phone(hall, frozen, open311_key):
    client = Client(REMOTE_ADDR="203.0.113.31")
    data = {
        "api_key": open311_key,
        "service_code": "attitude",
        "address_id": "county-hall",
        "description": "态度生硬",
        "phone": "13900001111",
    }
    answers = [client.post("/open311/v2/requests.json", data) for _ in range(4)]
    assert [a.status_code for a in answers] == [201] * 3 + [429]
    assert Complaint.objects.count() == 3


def test_staff_desk_entries_are_not_limited(api, county, hall, frozen):
    clerk = api(county.clerk)
    statuses = [
        clerk.post(
            API,
            json.dumps({"kind": "complaint", "description": f"来访{i}", "channel": "desk"}),
            content_type="application/json",
            REMOTE_ADDR="10.0.0.5",
        ).status_code
        for i in range(8)
    ]
    assert statuses == [201] * 8
    assert Complaint.objects.filter(channel="desk").count() == 8


def test_a_cross_origin_text_plain_desk_complaint_with_a_session_is_refused(county, hall, frozen):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(county.clerk)
    body = json.dumps({"kind": "complaint", "description": "伪造", "channel": "desk"})
    resp = browser.post(API, body, content_type="text/plain", HTTP_ORIGIN="https://evil.example")
    assert resp.status_code == 403
    assert resp.json()["code"] == "api.csrf_failed"
    assert Complaint.objects.count() == 0
    # the same write from the signed-in page, with its CSRF token, goes through
    page = browser.get("/")
    token = page.cookies["csrftoken"].value
    resp = browser.post(API, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert resp.status_code == 201, resp.content
    complaint = Complaint.objects.get()
    assert complaint.channel == "desk"


def test_a_bad_bearer_token_is_not_taken_for_anonymous(hall, frozen):
    resp = Client().post(
        API,
        json.dumps({"kind": "complaint", "description": "x", "channel": "desk"}),
        content_type="application/json",
        HTTP_AUTHORIZATION="Bearer yc_forged",
    )
    assert resp.status_code == 401
    assert Complaint.objects.count() == 0


def test_session_writes_through_staff_endpoints_need_the_csrf_token_too(county, hall, frozen):
    file_api(Client(), "203.0.113.60")
    complaint = Complaint.objects.get()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(county.director)
    body = json.dumps({"action": "assign", "handler": "clerk_county"})
    path = f"{API}/{complaint.pk}/actions"
    resp = browser.post(path, body, content_type="text/plain", HTTP_ORIGIN="https://evil.example")
    assert resp.status_code in (401, 403)
    complaint.refresh_from_db()
    assert complaint.status == "received" and complaint.handler_id is None
