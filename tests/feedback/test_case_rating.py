"""一事一评: a completed case is rated once by the rating code on its receipt or
progress page, attributed to its centre, department, clerk and item."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yichuang.feedback.models import Rating, Rectification

pytestmark = pytest.mark.django_db


def post(body):
    return Client().post("/api/v1/ratings", json.dumps(body), content_type="application/json")


def test_a_completed_case_is_rated_once(completed_case, county):
    resp = post(
        {
            "rating_code": completed_case.rating_code,
            "level": 2,
            "channel": "progress",
            "reasons": ["many_trips"],
        }
    )
    assert resp.status_code == 201, resp.content
    rating = Rating.objects.get()
    assert rating.service_kind == "case" and rating.case == completed_case
    assert rating.item_id == completed_case.item_id
    assert rating.centre_id == county.hall.pk
    assert rating.department.code == "rs"
    assert rating.clerk.user == county.clerk
    rect = Rectification.objects.get(rating=rating)
    assert rect.contact_phone == "13800138001" and rect.contact_name == "李四"
    again = post({"rating_code": completed_case.rating_code, "level": 5, "channel": "progress"})
    assert again.status_code == 409 and again.json()["code"] == "feedback.already_rated"


def test_the_mobile_page_rates_a_case(completed_case):
    client = Client()
    page = client.get(f"/m/rate/{completed_case.rating_code}")
    assert page.status_code == 200 and "社保卡挂失" in page.content.decode()
    client.post(f"/m/rate/{completed_case.rating_code}", {"level": "5"})
    assert Rating.objects.get().case == completed_case
