"""POST /api/v1/problems/{id}/actions: open → planned → submitted → verified,
or sent back (reopened); the submitter never verifies; each transition is an
event row; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.supervision.conftest import act, assert_refused, snapshot, visit

from yichuang.supervision.models import Problem, RecheckTask


@pytest.fixture
def row(api, county, sup, frozen):
    """A failed badge line (一般) at the county hall's 人社 window."""
    resp = visit(
        api(county.inspector),
        "county-hall",
        [{"line": "A2", "result": "fail", "window": sup.window.pk}],
    )
    assert resp.status_code == 201, resp.content
    return resp.json()["problems"][0]


def status_of(row_id: int) -> str:
    return Problem.objects.get(pk=row_id).status


def test_the_flow_from_open_to_verified(api, county, row):
    lead, inspector = api(county.dept_lead), api(county.inspector)
    resp = act(lead, row, "plan", measure="全员佩戴胸牌，每日班前检查")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "planned"
    resp = act(lead, row, "submit", evidence="已整改，附班前检查记录")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "submitted"
    resp = act(inspector, row, "verify", note="复查属实")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["status"] == "verified" and body["on_time"] is True
    p = Problem.objects.get(pk=row)
    assert p.verified_by == county.inspector and p.submitted_by == county.dept_lead
    steps = list(p.events.order_by("id").values_list("type", "old_status", "new_status"))
    assert steps == [
        ("opened", "", "open"),
        ("planned", "open", "planned"),
        ("submitted", "planned", "submitted"),
        ("verified", "submitted", "verified"),
    ]
    # 一般 rows get no 回头看.
    assert not RecheckTask.objects.filter(problem=p).exists()


def test_the_submitter_can_never_verify(api, county, row):
    lead = api(county.dept_lead)
    act(lead, row, "plan", measure="整改")
    act(lead, row, "submit", evidence="已整改")
    before = snapshot()
    assert_refused(act(lead, row, "verify"), 403, "supervision.self_verify", before)
    assert_refused(act(lead, row, "reject", note="x"), 403, "supervision.self_verify", before)


def test_not_even_a_director_verifies_his_own_submission(api, county, row):
    director = api(county.director)
    act(director, row, "plan", measure="整改")
    assert act(director, row, "submit", evidence="已整改").status_code == 200
    before = snapshot()
    assert_refused(act(director, row, "verify"), 403, "supervision.self_verify", before)
    assert act(api(county.inspector), row, "verify").status_code == 200


def test_only_the_supervision_office_or_a_director_verifies(api, county, sup, row):
    lead = api(county.dept_lead)
    act(lead, row, "plan", measure="整改")
    act(lead, row, "submit", evidence="已整改")
    before = snapshot()
    resp = act(api(sup.window_user), row, "verify")
    assert_refused(resp, 403, "supervision.not_verifier", before)
    assert act(api(county.director), row, "verify").status_code == 200


def test_submitting_needs_evidence(api, county, row):
    lead = api(county.dept_lead)
    act(lead, row, "plan", measure="整改")
    before = snapshot()
    assert_refused(
        act(lead, row, "submit", evidence="  "), 422, "supervision.evidence_required", before
    )
    assert_refused(act(lead, row, "plan", measure=""), 409, "supervision.bad_state", before)


def test_planning_needs_a_measure(api, county, row):
    before = snapshot()
    resp = act(api(county.dept_lead), row, "plan", measure="")
    assert_refused(resp, 422, "supervision.measure_required", before)


def test_an_action_not_allowed_in_the_rows_state_is_a_conflict(api, county, row):
    before = snapshot()
    assert_refused(act(api(county.inspector), row, "verify"), 409, "supervision.bad_state", before)
    assert_refused(
        act(api(county.dept_lead), row, "submit", evidence="x"),
        409,
        "supervision.bad_state",
        before,
    )


def test_a_rejected_row_is_reopened_and_worked_again_by_its_owner(api, county, sup, row):
    lead, inspector, owner = api(county.dept_lead), api(county.inspector), api(sup.window_user)
    act(lead, row, "plan", measure="整改")
    act(lead, row, "submit", evidence="已整改")
    before = snapshot()
    assert_refused(
        act(inspector, row, "reject", note=""), 422, "supervision.reason_required", before
    )
    resp = act(inspector, row, "reject", note="照片看不清胸牌")
    assert resp.status_code == 200 and resp.json()["status"] == "reopened"
    assert Problem.objects.get(pk=row).reopen_count == 1
    assert act(owner, row, "plan", measure="重新配发胸牌").json()["status"] == "planned"
    assert act(owner, row, "submit", evidence="已配发").json()["status"] == "submitted"
    # The owner submitted this time: the lead may not verify anyway (no role),
    # the inspector may.
    assert act(inspector, row, "verify").json()["status"] == "verified"


def test_readers_and_other_clerks_cannot_work_a_row(api, county, row):
    before = snapshot()
    resp = act(api(county.county_admin), row, "plan", measure="x")
    assert_refused(resp, 403, "supervision.not_responsible", before)
    resp = act(api(county.inspector), row, "plan", measure="x")
    assert_refused(resp, 403, "supervision.not_responsible", before)


def test_an_outsider_gets_404_and_nothing_changes(api, county, row):
    before = snapshot()
    for user in (county.outsider, county.admin, county.clerk):
        resp = act(api(user), row, "plan", measure="x")
        assert_refused(resp, 404, "supervision.problem_not_found", before)


def test_an_unknown_action_is_refused(api, county, row):
    before = snapshot()
    resp = act(api(county.dept_lead), row, "close")
    assert_refused(resp, 422, "supervision.bad_action", before)


def test_a_major_row_verified_gets_its_recheck_30_days_later(api, county, sup, frozen):
    resp = visit(
        api(county.inspector),
        "county-hall",
        [{"line": "N1", "result": "fail", "window": sup.window.pk}],
    )
    row = resp.json()["problems"][0]
    lead = api(county.dept_lead)
    act(lead, row, "plan", measure="制作一次性告知单")
    act(lead, row, "submit", evidence="已制作")
    act(api(county.inspector), row, "verify")
    task = RecheckTask.objects.get(problem_id=row)
    assert task.due_on == dt.date(2026, 3, 16) + dt.timedelta(days=30)
    assert task.done_at is None


def test_a_row_verified_after_its_deadline_is_not_on_time(api, county, row, frozen):
    lead = api(county.dept_lead)
    act(lead, row, "plan", measure="整改")
    act(lead, row, "submit", evidence="已整改")
    frozen.shift(20 * 24 * 3600)  # past the deadline of 30 March
    resp = act(api(county.inspector), row, "verify")
    assert resp.json()["on_time"] is False


def test_planning_may_name_an_owner_of_the_unit_only(api, county, sup, row):
    from yichuang.org.models import Staff

    lead = api(county.dept_lead)
    before = snapshot()
    resp = act(lead, row, "plan", measure="整改", owner="clerk_town")
    assert_refused(resp, 422, "supervision.owner_elsewhere", before)
    resp = act(lead, row, "plan", measure="整改", owner="nobody")
    assert_refused(resp, 404, "supervision.staff_not_found", before)
    colleague = Staff.objects.filter(centre=county.hall, department=sup.window.department).exclude(
        pk=sup.post.a_staff_id
    )[0]
    resp = act(lead, row, "plan", measure="整改", owner=colleague.employee_no)
    assert resp.status_code == 200, resp.content
    assert resp.json()["owner"] == colleague.name
