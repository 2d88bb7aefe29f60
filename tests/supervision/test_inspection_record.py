"""POST /api/v1/inspections: a visit's score, one ledger row per failed line
at once, and the refusals that leave nothing half-written."""

from __future__ import annotations

import datetime as dt

from tests.supervision.conftest import assert_refused, snapshot, visit

from yichuang.supervision.models import Finding, Inspection, Problem, ProblemEvent


def test_it_scores_the_visit_and_opens_a_row_per_failed_line(api, county, sup, frozen):
    resp = visit(
        api(county.inspector),
        "county-hall",
        [
            {"line": "A2", "result": "fail", "window": sup.window.pk, "note": "未佩戴胸牌"},
            {"line": "L2", "result": "fail", "window": sup.window.pk},
            {"line": "P1", "result": "pass", "window": sup.window.pk},
        ],
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["score"] == 100 - 4 - 10
    assert len(body["problems"]) == 2
    rows = {p.category: p for p in Problem.objects.filter(pk__in=body["problems"])}
    badge = rows["appearance"]
    assert badge.source == "inspection" and badge.status == "open"
    assert badge.window == sup.window and badge.department == sup.window.department
    assert badge.owner == sup.post.a_staff
    assert badge.severity == "general" and badge.description.endswith("未佩戴胸牌")
    # 一般: 10 working days from Monday 16 March 2026.
    assert badge.due_date == dt.date(2026, 3, 30)
    assert rows["language"].severity == "severe"
    assert rows["language"].due_date == dt.date(2026, 3, 18)
    assert not badge.hidden_until_published
    assert Finding.objects.filter(inspection_id=body["id"]).count() == 3
    assert ProblemEvent.objects.filter(problem__in=rows.values(), type="opened").count() == 2
    assert Inspection.objects.get(pk=body["id"]).published_at is not None


def test_the_inspector_may_raise_a_lines_severity_but_not_lower_it(api, county, sup, frozen):
    client = api(county.inspector)
    resp = visit(client, "county-hall", [{"line": "A1", "result": "fail", "severity": "major"}])
    assert resp.status_code == 201, resp.content
    assert Problem.objects.get(pk=resp.json()["problems"][0]).severity == "major"
    before = snapshot()
    resp = visit(client, "county-hall", [{"line": "L2", "result": "fail", "severity": "general"}])
    assert_refused(resp, 422, "supervision.severity_lowered", before)


def test_a_director_may_record_a_visit(api, county, sup, frozen):
    resp = visit(api(county.director), "chengguan", [{"line": "P2", "result": "pass"}])
    assert resp.status_code == 201, resp.content
    assert resp.json() | {"problems": []} == resp.json()
    assert resp.json()["score"] == 100


def test_it_refuses_a_window_of_another_centre(api, county, sup, frozen):
    before = snapshot()
    resp = visit(
        api(county.inspector),
        "county-hall",
        [
            {"line": "P1", "result": "fail", "window": sup.window.pk},
            {"line": "A2", "result": "fail", "window": sup.town_window.pk},
        ],
    )
    assert_refused(resp, 422, "supervision.window_elsewhere", before)
    assert resp.json()["finding"] == 1


def test_it_refuses_a_line_that_is_not_on_the_checklist(api, county, sup, frozen):
    before = snapshot()
    resp = visit(
        api(county.inspector), "county-hall", [{"line": "E1", "result": "fail"}]
    )  # an environment line on the open-visit checklist
    assert_refused(resp, 422, "supervision.unknown_line", before)


def test_it_refuses_an_unknown_checklist_a_bad_result_and_no_findings(api, county, sup, frozen):
    client = api(county.inspector)
    before = snapshot()
    resp = visit(client, "county-hall", [{"line": "P1", "result": "fail"}], checklist="nope")
    assert_refused(resp, 422, "supervision.unknown_checklist", before)
    resp = visit(client, "county-hall", [{"line": "P1", "result": "maybe"}])
    assert_refused(resp, 422, "supervision.bad_result", before)
    resp = visit(client, "county-hall", [])
    assert_refused(resp, 422, "supervision.no_findings", before)
    resp = visit(client, "county-hall", [{"line": "P1", "result": "pass"}], kind="surprise")
    assert_refused(resp, 422, "supervision.bad_kind", before)


def test_a_visit_in_the_future_is_refused(api, county, sup, frozen):
    before = snapshot()
    resp = visit(
        api(county.inspector),
        "county-hall",
        [{"line": "P1", "result": "pass"}],
        visited_at="2026-03-17T09:00:00+08:00",
    )
    assert_refused(resp, 422, "supervision.visit_in_future", before)


def test_only_inspectors_and_directors_record_visits(api, county, sup, frozen):
    before = snapshot()
    for user in (county.dept_lead, county.clerk, county.county_admin):
        resp = visit(api(user), "county-hall", [{"line": "P1", "result": "fail"}])
        assert_refused(resp, 403, "supervision.not_inspector", before)


def test_a_township_director_cannot_inspect_another_centre(api, county, sup, frozen):
    from yichuang.accounts.models import User

    town_director = User.objects.get(username="director_chengguan")
    before = snapshot()
    resp = visit(api(town_director), "county-hall", [{"line": "P1", "result": "fail"}])
    assert_refused(resp, 404, "org.centre_not_found", before)
