"""一事一评: a completed case is rated once by the rating code on its receipt or
progress page, attributed to its centre, department, clerk and item."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yichuang.catalog import actions as catalog
from yichuang.feedback.models import Rating, Rectification
from yichuang.org.models import Department

pytestmark = pytest.mark.django_db


@pytest.fixture
def completed_case(county, hall, frozen):
    from yichuang.cases.actions import case_intake

    admin = county.county_admin
    item = catalog.item_create(
        actor=admin,
        code="FB-IMMEDIATE-1",
        department=Department.objects.get(code="rs"),
        name="社保卡挂失",
        centres=[county.hall],
        case_type="immediate",
        legal_limit=1,
        committed_limit=0,
        visits_required=1,
        visits_reason="须现场核验身份",
    )
    catalog.version_update(
        actor=admin,
        version=item.draft(),
        materials=[{"code": "M01", "name": "居民身份证", "originals": 1}],
        steps=[{"kind": "accept", "department": "rs", "share": 100}],
    )
    catalog.item_publish(actor=admin, item=item)
    item.refresh_from_db()
    result = case_intake(
        actor=county.clerk,
        centre=county.hall,
        item=item,
        applicant={"name": "李四", "id_number": "440524188001010014", "phone": "13800138001"},
        materials=[{"code": "M01", "source": "submitted"}],
    )
    case = result.case
    case.refresh_from_db()
    assert case.status == "completed" and case.rating_code
    return case


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
