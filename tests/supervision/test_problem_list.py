"""GET /api/v1/problems: each persona sees exactly its scope (inspectors the
county, directors their centres, department leads their department, clerks
the rows naming them), filtered and paginated like the other lists."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.supervision.conftest import visit


@pytest.fixture
def world(api, county, sup, frozen):
    from yichuang.accounts.models import User

    inspector = api(county.inspector)

    def one(centre, findings, **extra):
        resp = visit(inspector, centre, findings, **extra)
        assert resp.status_code == 201, resp.content
        return resp.json()["problems"][0]

    return {
        "hall_rs": one("county-hall", [{"line": "A2", "result": "fail", "window": sup.window.pk}]),
        "hall_env": one("county-hall", [{"line": "E2", "result": "fail"}], checklist="environment"),
        "town": one("chengguan", [{"line": "L2", "result": "fail", "window": sup.town_window.pk}]),
        "hidden": one(
            "county-hall",
            [{"line": "V1", "result": "fail", "window": sup.window.pk}],
            kind="covert",
            checklist="covert-visit",
        ),
        "town_director": User.objects.get(username="director_chengguan"),
    }


def listed(client, query: str = "") -> dict:
    resp = client.get("/api/v1/problems?limit=500" + query)
    assert resp.status_code == 200, resp.content
    return resp.json()


def ids(answer: dict) -> set[int]:
    return {row["id"] for row in answer["items"]}


def test_each_persona_sees_its_scope(api, county, sup, world):
    expected = {
        county.inspector: {"hall_rs", "hall_env", "town", "hidden"},
        county.director: {"hall_rs", "hall_env", "town"},
        county.county_admin: {"hall_rs", "hall_env", "town"},
        county.dept_lead: {"hall_rs"},
        world["town_director"]: {"town"},
        sup.window_user: {"hall_rs"},
        county.outsider: {"town"},  # the A clerk of the township's first window
        county.clerk: set(),
        county.admin: set(),
        county.auditor: set(),
    }
    for user, names in expected.items():
        answer = listed(api(user))
        assert ids(answer) == {world[n] for n in names}, user.username
        assert answer["count"] == len(names)


def test_nobody_signed_in_gets_401(api, world):
    assert api().get("/api/v1/problems").status_code == 401


def test_the_filters(api, county, sup, world, frozen):
    client = api(county.director)
    assert ids(listed(client, "&centre=chengguan")) == {world["town"]}
    assert ids(listed(client, "&department=rs")) == {world["hall_rs"]}
    assert ids(listed(client, "&severity=severe")) == {world["town"]}
    assert ids(listed(client, "&source=inspection,self_check")) == {
        world["hall_rs"],
        world["hall_env"],
        world["town"],
    }
    assert ids(listed(client, "&status=verified")) == set()
    assert ids(listed(client, "&overdue=true")) == set()
    frozen.shift(4 * 24 * 3600)  # Friday 20 March: the 严重 row (due 18 March) is late
    answer = listed(client, "&overdue=true")
    assert ids(answer) == {world["town"]}
    assert answer["items"][0]["overdue"] is True
    # Overdue rows come first in the unfiltered ledger.
    assert listed(client)["items"][0]["id"] == world["town"]


def test_bad_filters_and_pages_are_refused(api, county, world):
    client = api(county.director)
    for query in ("?status=closed", "?source=rumour", "?overdue=perhaps", "?severity=x"):
        resp = client.get("/api/v1/problems" + query)
        assert resp.status_code == 422, (query, resp.content)
        assert resp.json()["code"] == "supervision.bad_filter"
    resp = client.get("/api/v1/problems?limit=0")
    assert resp.status_code == 422 and resp.json()["code"] == "api.bad_page"


def test_it_is_paginated(api, county, world):
    client = api(county.director)
    page = client.get("/api/v1/problems?limit=2&offset=0").json()
    rest = client.get("/api/v1/problems?limit=2&offset=2").json()
    assert page["count"] == rest["count"] == 3
    assert len(page["items"]) == 2 and len(rest["items"]) == 1
    assert ids(page) | ids(rest) == {world["hall_rs"], world["hall_env"], world["town"]}


def test_the_query_count_does_not_grow_with_the_rows(api, county, sup, world):
    client = api(county.inspector)

    def queries() -> int:
        with CaptureQueriesContext(connection) as ctx:
            listed(client)
        return len(ctx.captured_queries)

    few = queries()
    for _i in range(5):
        visit(api(county.inspector), "county-hall", [{"line": "P2", "result": "fail"}])
    assert queries() <= few
