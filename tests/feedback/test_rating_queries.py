"""The work of one rating submission (the hot path, p99 < 50 ms at 200/s):
the statements it costs, counted through HTTP."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yichuang.feedback.models import Rating, Rectification, Throttle

pytestmark = pytest.mark.django_db


def post(body: dict, **headers):
    return Client().post(
        "/api/v1/ratings", json.dumps(body), content_type="application/json", **headers
    )


def statements(ctx) -> list[str]:
    """What reached the database, without the test's own savepoints."""
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" not in q["sql"]]


def test_a_good_rating_costs_four_statements(served, frozen):
    code = served(1).rating_code
    with CaptureQueriesContext(connection) as ctx:
        resp = post({"rating_code": code, "level": 5, "channel": "qr"})
    assert resp.status_code == 201, resp.content
    sql = statements(ctx)
    # The ticket look-up, read before the write transaction; then the rate
    # limit (with the failure count), the insert and the roll-up.
    assert len(sql) == 4, sql
    assert "queueing_ticket" in sql[0] and "feedback_throttle" in sql[1]
    assert "feedback_rating " in sql[2] and "feedback_ratingday" in sql[3]


def test_a_bad_rating_reads_reasons_settings_and_calendar_once(served, frozen):
    first = served(1, phone="13912345678").rating_code
    post({"rating_code": first, "level": 1, "channel": "qr", "reasons": ["attitude"]})
    code = served(2, phone="13912345679").rating_code
    body = {"rating_code": code, "level": 2, "channel": "qr", "reasons": ["long_wait"]}
    with CaptureQueriesContext(connection) as ctx:
        resp = post(body, HTTP_X_FORWARDED_FOR="10.9.9.9")
    assert resp.status_code == 201, resp.content
    sql = statements(ctx)
    # + the reason list, both settings, the calendar's version (2), the
    # rectification and its event; the ticket's phone comes with the look-up.
    assert len(sql) == 10, sql
    assert sum("lib_setting" in s for s in sql) == 1
    assert sum("feedback_reason" in s for s in sql) == 1
    rect = Rectification.objects.get(rating__rating_code=code)
    assert rect.contact_phone == "13912345679"
    assert rect.callback_due and rect.rectify_due


def test_a_refused_rating_still_counts_its_attempt_and_failure(served, frozen):
    code = served(1).rating_code
    assert post({"rating_code": code, "level": 5, "channel": "qr"}).status_code == 201
    resp = post({"rating_code": code, "level": 4, "channel": "qr"})
    assert resp.status_code == 409
    assert Rating.objects.count() == 1
    hits = dict(Throttle.objects.values_list("key", "hits"))
    assert hits["rate:ip:127.0.0.1"] == 2 and hits["rate:ip:127.0.0.1:fail"] == 1
