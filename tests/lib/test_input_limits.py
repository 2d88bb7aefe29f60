"""Input limits (issue 17, item 10): crafted input through HTTP answers in the
error shape — 413 for a body past its budget, 422 for NUL, lone surrogates or
deep nesting, 500 in the error shape for anything unhandled — and changes
nothing in the database."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yichuang.queueing.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/centres/county-hall/tickets"


def counts():
    return Ticket.objects.count(), TicketEvent.objects.count()


def assert_error(resp, status, code):
    assert resp.status_code == status, resp.content[:500]
    assert resp["Content-Type"].startswith("application/json")
    body = resp.json()
    assert body["code"] == code
    assert body["message"] and any("\u4e00" <= ch <= "\u9fff" for ch in body["message"])
    return body


@pytest.fixture
def staff(api, county):
    """The director's API client, with the county hall's queues in place."""
    from yichuang.demo.queueing import build_structure

    build_structure()
    return api(county.director)


def test_the_staff_client_issues_a_ticket_with_a_plain_body(staff):
    # The endpoint the refusals below go to works with sound input.
    before = counts()
    resp = staff.post(TICKETS, {"queue": "general"}, content_type="application/json")
    assert resp.status_code == 201, resp.content
    assert counts() == (before[0] + 1, before[1] + 1)


def test_a_json_body_over_2_mb_answers_413(staff):
    before = counts()
    body = json.dumps({"queue": "general", "phone": "1" * (2 * 1024 * 1024)})
    resp = staff.post(TICKETS, body, content_type="application/json")
    assert_error(resp, 413, "api.body_too_large")
    assert counts() == before


def test_a_10_mb_json_body_answers_413_anonymously_too():
    resp = Client().post(TICKETS, "[" * 10 * 1024 * 1024, content_type="application/json")
    assert_error(resp, 413, "api.body_too_large")


def test_the_api_maps_djangos_own_body_check_to_413(staff, monkeypatch):
    # Behind the middleware: Django's RequestDataTooBig (raised on reading the
    # body) is a 413 in the error shape too, not a 500.
    monkeypatch.setattr("yichuang.lib.limits.BodySizeLimitMiddleware.__call__", _passthrough)
    before = counts()
    body = json.dumps({"queue": "general", "phone": "1" * (2 * 1024 * 1024)})
    resp = staff.post(TICKETS, body, content_type="application/json")
    assert_error(resp, 413, "api.body_too_large")
    assert counts() == before


def _passthrough(self, request):
    return self.get_response(request)


def test_uploads_may_reach_10_mb_but_not_more(county):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yichuang.feedback.models import Complaint

    client = Client()
    client.force_login(county.director)

    def upload(size):
        return {"file": SimpleUploadedFile("orders.csv", b"a,b\n" * (size // 4))}

    before = Complaint.objects.count()
    resp = client.post("/feedback/complaints/import", upload(3 * 1024 * 1024))
    assert resp.status_code != 413  # a 3 MB upload goes through to the view
    resp = client.post("/feedback/complaints/import", upload(10 * 1024 * 1024 + 4))
    assert resp.status_code == 413
    assert "10 MB" in resp.content.decode()
    resp = client.post(
        "/feedback/complaints/import", upload(10 * 1024 * 1024 + 4), HTTP_ACCEPT="application/json"
    )
    assert_error(resp, 413, "api.body_too_large")
    assert Complaint.objects.count() == before


@pytest.mark.parametrize(
    "body",
    [
        '{"queue": "gen\\u0000eral"}',
        '{"queue": "general", "phone": "\\ud800"}',
        '{"queue": "general", "phone": "138\\udfff0000000"}',
        '{"queue": "general", "pho\\u0000ne": "1"}',
    ],
    ids=["nul", "lone-high-surrogate", "lone-low-surrogate", "nul-in-key"],
)
def test_nul_and_lone_surrogates_in_a_json_body_answer_422(staff, body):
    before = counts()
    resp = staff.post(TICKETS, body, content_type="application/json")
    assert_error(resp, 422, "api.invalid_request")
    assert counts() == before


def test_a_valid_surrogate_pair_is_an_ordinary_character():
    from yichuang.lib.limits import check_value

    check_value(json.loads('{"phone": "\\ud83d\\ude00 \u529e\u4e8b"}'), ["body"])


def test_deeply_nested_json_answers_422(staff):
    before = counts()
    for depth in (100, 100_000):
        body = '{"queue": "general", "phone": ' + "[" * depth + "]" * depth + "}"
        resp = staff.post(TICKETS, body, content_type="application/json")
        assert_error(resp, 422, "api.invalid_request")
    assert counts() == before


def test_a_nul_in_a_query_parameter_answers_422():
    resp = Client().get("/api/v1/items", {"q": "证\x00明"})
    assert_error(resp, 422, "api.invalid_request")
    resp = Client().get("/api/v1/items?q=%00")
    assert_error(resp, 422, "api.invalid_request")


def test_an_encoded_surrogate_in_a_query_string_is_not_a_500():
    # UTF-8 can't carry a surrogate; Django decodes the bytes with replacement.
    resp = Client().get("/api/v1/items?q=%ED%A0%80")
    assert resp.status_code == 200


def test_an_ordinary_query_still_answers():
    resp = Client().get("/api/v1/items", {"q": "身份证"})
    assert resp.status_code == 200
    assert isinstance(resp.json(), list)


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_an_unhandled_error_answers_500_in_the_error_shape(settings, monkeypatch, caplog, debug):
    settings.DEBUG = debug

    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("yichuang.catalog.api.selectors.published_item_rows", boom)
    resp = Client(raise_request_exception=False).get("/api/v1/items")
    body = assert_error(resp, 500, "api.server_error")
    assert "secret internals" not in resp.content.decode()
    assert "Traceback" not in resp.content.decode()
    assert set(body) == {"code", "message"}


def test_an_unhandled_error_is_logged(monkeypatch):
    import logging

    records = []

    class Catch(logging.Handler):
        def emit(self, record):
            records.append(record)

    def boom(**kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("yichuang.catalog.api.selectors.published_item_rows", boom)
    handler = Catch()
    logger = logging.getLogger("yichuang.api")
    logger.addHandler(handler)
    try:
        Client().get("/api/v1/items")
    finally:
        logger.removeHandler(handler)
    assert records and records[0].exc_info[0] is RuntimeError


def test_bad_json_is_still_a_400_and_validation_still_a_422(staff):
    before = counts()
    resp = staff.post(TICKETS, "{not json", content_type="application/json")
    assert_error(resp, 400, "api.malformed_request")
    resp = staff.post(TICKETS, {"queue": ["x"]}, content_type="application/json")
    body = assert_error(resp, 422, "api.invalid_request")
    assert body["errors"]
    assert counts() == before


def test_debug_is_off_unless_asked_for():
    import subprocess
    import sys

    code = "import yichuang.settings as s; print(s.DEBUG)"
    production = {
        "YICHUANG_PRODUCTION": "1",
        "YICHUANG_SECRET_KEY": "Zq8rT2vLm5Xc9Pw1Ns4Hd7Kf3Jg6Yb0a",
        "YICHUANG_DATA_KEY": "Dk3Lp9Rs2Tv8Wx1Yz5Ab7Cd4Ef6Gh0Ij",
        "YICHUANG_ALLOWED_HOSTS": "zwfw.example.gov.cn",
        "YICHUANG_DEBUG": "1",
    }
    for env, expected in [
        ({}, "False"),
        ({"YICHUANG_DEBUG": "1"}, "True"),
        (production, "False"),  # production never shows tracebacks
    ]:
        import os

        clean = {k: v for k, v in os.environ.items() if k != "YICHUANG_DEBUG"}
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={**clean, "YICHUANG_PRODUCTION": "", **env},
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.strip() == expected, out.stderr
