"""GET /api/v1/kpis as the public API promises: shape, scopes, bad input."""

from __future__ import annotations

import pytest

PROMISED_KEYS = {
    "satisfaction_rate",
    "bad_rating_rate",
    "ratings",
    "one_visit_coverage",
    "one_visit_share_cases",
    "committed_compression",
    "actual_duration_reduction",
    "on_time_rate",
    "tickets",
    "avg_wait_minutes",
    "p90_wait_minutes",
    "cases",
    "targets",
}
PERIOD = {"from": "2026-03-01", "to": "2026-03-31"}


def test_it_answers_the_contract_shape(api, world, history):
    from django.core.management import call_command

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    resp = api(world.county_admin).get("/api/v1/kpis", {"scope": "county", **PERIOD})
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert set(body) >= PROMISED_KEYS
    assert body["targets"] == {
        "satisfaction_rate": 0.95,
        "committed_compression": 0.30,
        "one_visit_coverage": 0.90,
    }
    assert body["tickets"] > 0
    for key in ("satisfaction_rate", "one_visit_share_cases", "on_time_rate", "no_show_rate"):
        assert 0 <= body[key] <= 1
    assert body["from"] == "2026-03-01"


def test_it_gives_a_centre_clerk_his_centre(api, world, history):
    resp = api(world.clerk).get("/api/v1/kpis", {"scope": "centre:county-hall", **PERIOD})
    assert resp.status_code == 200
    assert resp.json()["scope"] == "centre:county-hall"


def test_it_refuses_the_county_to_a_township_clerk(api, world):
    resp = api(world.outsider).get("/api/v1/kpis", {"scope": "county"})
    assert resp.status_code == 403
    assert resp.json()["code"] == "insights.scope_forbidden"
    assert resp.json()["message"]


def test_it_hides_another_centre_from_an_outsider(api, world):
    resp = api(world.outsider).get("/api/v1/kpis", {"scope": "centre:county-hall"})
    assert resp.status_code == 404
    assert resp.json()["code"] == "insights.scope_not_found"


def test_it_keeps_a_department_lead_in_his_department(api, world):
    lead = api(world.dept_lead)
    assert lead.get("/api/v1/kpis", {"scope": "department:rs"}).status_code == 200
    assert lead.get("/api/v1/kpis", {"scope": "department:ga"}).status_code == 404
    assert lead.get("/api/v1/kpis", {"scope": "centre:county-hall"}).status_code == 404
    assert lead.get("/api/v1/kpis", {"scope": "county"}).status_code == 403


@pytest.mark.parametrize(
    "params, status, code",
    [
        ({"scope": "centre:nowhere"}, 404, "insights.scope_not_found"),
        ({"scope": "department:nowhere"}, 404, "insights.scope_not_found"),
        ({"scope": "galaxy"}, 422, "insights.scope_invalid"),
        ({"from": "2026-04-01", "to": "2026-03-01"}, 422, "insights.bad_period"),
        ({"from": "2026-13-01"}, 422, "insights.bad_date"),
        ({"to": "yesterday"}, 422, "insights.bad_date"),
    ],
)
def test_it_rejects_bad_input_in_contract_shape(api, world, params, status, code):
    resp = api(world.county_admin).get("/api/v1/kpis", params)
    assert resp.status_code == status
    assert resp.json()["code"] == code
    assert resp.json()["message"]


def test_it_requires_a_login(api, world):
    resp = api().get("/api/v1/kpis")
    assert resp.status_code == 401


def test_it_breaks_down_by_window_and_trends_by_month(api, world, history):
    from django.core.management import call_command

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = api(world.county_admin)
    rows = client.get("/api/v1/kpis/breakdown", {"by": "window", **PERIOD}).json()["rows"]
    assert rows and all("satisfaction_rate" in r for r in rows)
    months = client.get("/api/v1/kpis/trend", PERIOD).json()["months"]
    assert [m["month"] for m in months] == ["2026-03"]
    bad = client.get("/api/v1/kpis/breakdown", {"by": "planet"})
    assert bad.status_code == 422


def test_every_kpi_operation_declares_its_responses(client, db):
    spec = client.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if "insights" in op.get("tags", [])
    ]
    assert len(operations) == 3
    for path, method, op in operations:
        responses = op["responses"]
        assert set(responses) == {"200", "401", "403", "404", "422"}, (method, path)
        for code, response in responses.items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            assert schema and schema != {"type": "object"}, (method, path, code)


def test_its_typed_answers_keep_every_figure(api, world, history):
    """The declared shapes drop nothing the KPI functions compute."""
    import datetime as dt
    import json

    from django.core.management import call_command
    from django.core.serializers.json import DjangoJSONEncoder

    from yichuang.insights import kpis as k

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    k.baseline_freeze(label="b", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 8))
    client = api(world.county_admin)
    scope = k.system_scope("county")
    lo, hi = dt.date(2026, 3, 1), dt.date(2026, 3, 31)

    def plain(value):
        return json.loads(json.dumps(value, cls=DjangoJSONEncoder))

    body = client.get("/api/v1/kpis", {"scope": "county", **PERIOD}).json()
    assert body == plain(k.kpis(scope, lo, hi))
    assert body["baseline"]["from"] == "2026-03-01"
    for by in ("centre", "queue"):
        body = client.get("/api/v1/kpis/breakdown", {"by": by, **PERIOD}).json()
        assert body == plain({"scope": "county", "by": by, "rows": k.breakdown(scope, lo, hi, by)})
        assert body["rows"]
    body = client.get("/api/v1/kpis/trend", PERIOD).json()
    assert body == plain({"scope": "county", "months": k.monthly_trend(scope, lo, hi)})
