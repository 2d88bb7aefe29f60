"""POST /api/v1/problems: a self-check (自查) or a leadership instruction
(领导交办) entered by hand, with its unit, owner and deadline."""

from __future__ import annotations

import datetime as dt

from tests.supervision.conftest import assert_refused, post_json, snapshot

from yichuang.supervision.models import Problem


def create(client, **fields):
    body = {
        "source": "self_check",
        "centre": "county-hall",
        "category": "environment",
        "severity": "major",
        "description": "自助取号机卡纸",
        **fields,
    }
    return post_json(client, "/api/v1/problems", body)


def test_a_department_lead_enters_a_self_check_of_his_department(api, county, sup, frozen):
    resp = create(api(county.dept_lead), window=sup.window.pk, category="appearance")
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["source"] == "self_check" and body["status"] == "open"
    assert body["department"] == "rs" and body["window"] == sup.window.pk
    assert body["owner"] == sup.post.a_staff.name
    assert body["due_date"] == "2026-03-23"  # 较重: 5 working days
    p = Problem.objects.get(pk=body["id"])
    assert p.opened_by == county.dept_lead
    assert p.events.get().type == "opened"


def test_a_department_lead_cannot_enter_another_departments_row(api, county, sup, frozen):
    before = snapshot()
    resp = create(api(county.dept_lead), department="yb")
    assert_refused(resp, 404, "supervision.unit_not_found", before)


def test_the_inspector_records_a_leadership_instruction_naming_the_owner(api, county, sup, frozen):
    resp = create(
        api(county.inspector),
        source="leadership",
        centre="chengguan",
        severity="severe",
        description="县领导要求：便民服务中心午间不得空岗",
        category="at_post",
        owner="clerk_town",
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["source"] == "leadership" and body["centre"] == "chengguan"
    assert body["owner"] == county.outsider.staff.name
    assert dt.date.fromisoformat(body["due_date"]) == dt.date(2026, 3, 18)


def test_who_may_enter_what(api, county, frozen):
    before = snapshot()
    assert_refused(create(api(county.clerk)), 403, "supervision.not_allowed", before)
    resp = create(api(county.dept_lead), source="leadership")
    assert_refused(resp, 403, "supervision.not_allowed", before)
    resp = create(api(county.inspector), source="rating")
    assert_refused(resp, 403, "supervision.not_allowed", before)


def test_bad_input_is_refused_with_its_code(api, county, sup, frozen):
    client = api(county.director)
    before = snapshot()
    assert_refused(create(client, category="nope"), 422, "supervision.bad_category", before)
    assert_refused(create(client, severity="huge"), 422, "supervision.bad_severity", before)
    assert_refused(
        create(client, description="  "), 422, "supervision.description_required", before
    )
    resp = create(client, centre="county-hall", window=sup.town_window.pk)
    assert_refused(resp, 422, "supervision.window_elsewhere", before)
    assert_refused(create(client, owner="nobody"), 404, "supervision.staff_not_found", before)
    assert_refused(create(client, centre="nowhere"), 404, "org.centre_not_found", before)


def test_a_township_director_enters_rows_of_his_centre_only(api, county, frozen):
    from yichuang.accounts.models import User

    client = api(User.objects.get(username="director_chengguan"))
    assert create(client, centre="chengguan").status_code == 201
    before = snapshot()
    assert_refused(create(client, centre="county-hall"), 404, "org.centre_not_found", before)
