"""A covert visit (暗访): its rows are recorded at once but hidden from the
units concerned, with no deadline, until the inspector publishes the visit;
their deadlines run from publication."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.supervision.conftest import act, assert_refused, post_json, snapshot, visit

from yichuang.supervision.models import Problem


@pytest.fixture
def covert(api, county, sup, frozen):
    resp = visit(
        api(county.inspector),
        "county-hall",
        [
            {"line": "V3", "result": "fail", "window": sup.window.pk, "note": "未戴工作证"},
            {"line": "V5", "result": "pass", "window": sup.window.pk},
        ],
        kind="covert",
        checklist="covert-visit",
    )
    assert resp.status_code == 201, resp.content
    return resp.json()


def listed(client) -> set[int]:
    resp = client.get("/api/v1/problems?limit=500")
    assert resp.status_code == 200, resp.content
    return {row["id"] for row in resp.json()["items"]}


def test_the_rows_are_hidden_from_the_units_concerned_until_published(api, county, sup, covert):
    (row_id,) = covert["problems"]
    row = Problem.objects.get(pk=row_id)
    assert row.hidden_until_published and row.due_date is None
    assert covert["published_at"] is None
    assert row_id in listed(api(county.inspector))
    for user in (county.dept_lead, sup.window_user, county.director):
        client = api(user)
        assert row_id not in listed(client), user
        before = snapshot()
        resp = act(client, row_id, "plan", measure="整改")
        assert_refused(resp, 404, "supervision.problem_not_found", before)


def test_publishing_shows_the_rows_and_starts_their_deadlines(api, county, sup, covert, frozen):
    (row_id,) = covert["problems"]
    frozen.shift(2 * 24 * 3600)  # Wednesday 18 March
    resp = post_json(api(county.inspector), f"/api/v1/inspections/{covert['id']}/publish", {})
    assert resp.status_code == 200, resp.content
    assert resp.json()["published_at"].startswith("2026-03-18")
    row = Problem.objects.get(pk=row_id)
    assert not row.hidden_until_published
    # 一般: 10 working days from the publication, not from the visit.
    assert row.due_date == dt.date(2026, 4, 1)
    assert row.events.filter(type="published").count() == 1
    for user in (county.dept_lead, sup.window_user, county.director):
        assert row_id in listed(api(user)), user


def test_a_visit_is_published_once(api, county, covert):
    client = api(county.inspector)
    url = f"/api/v1/inspections/{covert['id']}/publish"
    assert post_json(client, url, {}).status_code == 200
    before = snapshot()
    assert_refused(post_json(client, url, {}), 409, "supervision.already_published", before)


def test_the_units_cannot_publish_or_see_the_visit(api, county, sup, covert):
    before = snapshot()
    url = f"/api/v1/inspections/{covert['id']}/publish"
    for user in (county.dept_lead, sup.window_user, county.outsider):
        resp = post_json(api(user), url, {})
        assert_refused(resp, 404, "supervision.inspection_not_found", before)
    assert Problem.objects.get(pk=covert["problems"][0]).hidden_until_published
