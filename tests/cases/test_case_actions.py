"""Every transition of POST /cases/{id}/actions and its refusals."""

import datetime as dt

import pytest
import time_machine

from yichuang.cases.actions import case_act
from yichuang.cases.models import Case, CaseEvent, ClockStop, Extension
from yichuang.lib.errors import DomainError

from .conftest import ALL, user

TZ = dt.timezone(dt.timedelta(hours=8))


def act(case, username, action, note="", **kw):
    return case_act(case=case, actor=user(username), action=action, note=note, **kw)


def refused(case, username, action, code, **kw):
    before = CaseEvent.objects.filter(case=case).count()
    status = Case.objects.get(pk=case.pk).status
    with pytest.raises(DomainError) as exc:
        act(case, username, action, **kw)
    assert exc.value.code == code
    assert CaseEvent.objects.filter(case=case).count() == before
    assert Case.objects.get(pk=case.pk).status == status


def test_it_walks_two_departments_to_delivery(intake):
    case = intake().case
    case = act(case, "yb_review1", "approve", "材料审查通过")
    assert case.status == "review" and case.department.code == "rs"
    assert case.current_step.kind == "decide"
    case = act(case, "rs_review1", "approve", "准予")
    assert case.status == "decided" and case.decision == "granted"
    case = act(case, "rs_review1", "complete")
    assert case.status == "completed" and case.rating_code
    case = act(case, "clerk_county", "deliver", method="mail")
    assert case.status == "delivered" and case.delivery_method == "mail"
    types = list(case.events.values_list("type", "old_status", "new_status"))
    assert types[-4:] == [
        ("step_passed", "accepted", "review"),
        ("decided", "review", "decided"),
        ("completed", "decided", "completed"),
        ("delivered", "completed", "delivered"),
    ]
    assert not case.steps.exclude(state="done").exists()


def test_it_refuses_a_step_of_another_department(intake):
    case = intake().case
    refused(case, "rs_review1", "approve", "cases.not_your_step")


def test_it_returns_a_step_with_a_reason(intake):
    case = intake().case
    case = act(case, "yb_review1", "approve")
    refused(case, "rs_review1", "return", "cases.reason_required")
    case = act(case, "rs_review1", "return", "医保审查意见不完整")
    assert case.current_step.kind == "review" and case.department.code == "yb"
    ev = case.events.last()
    assert ev.type == "returned" and ev.reason == "医保审查意见不完整"
    refused(case, "yb_review1", "return", "cases.cannot_return", note="再退")


def test_it_denies_with_reasons_only(intake):
    case = intake().case
    refused(case, "yb_review1", "deny", "cases.reason_required")
    case = act(case, "yb_review1", "deny", "不符合参保条件")
    assert case.status == "decided" and case.decision == "denied"
    assert case.current_step.kind == "complete"


def test_it_refuses_to_complete_a_case_awaiting_supplement(intake):
    case = intake().case
    case = act(case, "yb_review1", "request_supplement", "出生医学证明信息不清晰")
    assert case.status == "supplement"
    refused(case, "rs_review1", "complete", "cases.action_not_allowed")
    refused(case, "yb_review1", "approve", "cases.action_not_allowed")


@pytest.mark.parametrize(
    ("action", "code"),
    [
        ("complete", "cases.action_not_allowed"),
        ("deliver", "cases.action_not_allowed"),
        ("resume", "cases.action_not_allowed"),
        ("accept", "cases.action_not_allowed"),
        ("refuse", "cases.action_not_allowed"),
        ("supplement", "cases.action_not_allowed"),
        ("fly", "cases.unknown_action"),
    ],
)
def test_it_refuses_actions_not_allowed_in_the_state(intake, action, code):
    case = intake().case
    refused(case, "yb_review1", action, code, note="x")


def test_it_stops_the_clock_for_a_supplement_and_restarts_the_day_after(intake):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=TZ), tick=False):
        case = intake().case
    assert case.due_date == dt.date(2026, 3, 16)
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=TZ), tick=False):
        case = act(case, "yb_review1", "request_supplement", "补充出生医学证明")
    with time_machine.travel(dt.datetime(2026, 3, 9, 9, tzinfo=TZ), tick=False):
        case = act(case, "yb_review1", "supplement", "已补齐")
    stop = ClockStop.objects.get(case=case)
    # stopped from 5 Mar through 9 Mar: Thu, Fri, Mon = 3 working days
    assert stop.workdays == 3 and case.stopped_days == 3
    assert case.status == "accepted" and case.due_date == dt.date(2026, 3, 19)


def test_it_suspends_and_resumes_and_runs_special_procedures(intake):
    case = intake().case
    refused(case, "yb_review1", "suspend", "cases.reason_required")
    case = act(case, "yb_review1", "suspend", "申请人要求暂缓")
    assert case.status == "suspended" and case.warning_level() == "normal"
    case = act(case, "yb_review1", "resume")
    assert case.status == "accepted"
    refused(case, "yb_review1", "special", "cases.procedure_invalid", procedure="喝茶")
    case = act(case, "yb_review1", "special", "需现场核查", procedure="公示")
    assert case.status == "special" and case.events.last().document.startswith("特别程序告知书")
    case = act(case, "yb_review1", "resume")
    assert case.status == "accepted" and ClockStop.objects.filter(case=case).count() == 2


def test_it_extends_only_with_an_approval_record(intake):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=TZ), tick=False):
        case = intake().case
        refused(case, "yb_review1", "extend", "cases.approval_required", note="复杂", days=5)
        refused(case, "director", "extend", "cases.approval_document", note="复杂", days=5)
        refused(
            case,
            "director",
            "extend",
            "cases.extension_too_long",
            note="复杂",
            days=11,
            document="延审〔2026〕1号",
        )
        case = act(case, "director", "extend", "情况复杂", days=5, document="延审〔2026〕1号")
    assert case.extension_days == 5 and case.due_date == dt.date(2026, 3, 23)
    ext = Extension.objects.get(case=case)
    assert ext.approved_by.username == "director" and ext.approval_document == "延审〔2026〕1号"


def test_it_withdraws_with_a_reason_and_then_refuses_everything(intake):
    case = intake().case
    case = act(case, "clerk_county", "withdraw", "申请人撤回申请")
    assert case.status == "withdrawn" and case.current_step is None
    refused(case, "clerk_county", "withdraw", "cases.action_not_allowed", note="again")


def test_it_refuses_before_acceptance_with_reasons(intake):
    case = intake(materials=ALL[:1]).case
    refused(case, "clerk_county", "refuse", "cases.reason_required")
    case = act(case, "clerk_county", "refuse", "不属于本部门职权范围")
    assert case.status == "refused"


def test_it_accepts_later_through_the_accept_action(intake):
    case = intake(materials=ALL[:1]).case
    refused(case, "clerk_county", "accept", "cases.materials_incomplete")
    case = act(case, "clerk_county", "accept", materials=ALL[1:])
    assert case.status == "accepted" and case.due_date


def test_it_holds_the_result_until_gaps_are_supplemented(intake):
    case = intake(materials=[m for m in ALL if m["code"] != "M03"], tolerate_missing=True).case
    case = act(case, "yb_review1", "approve")
    case = act(case, "rs_review1", "approve")
    refused(case, "rs_review1", "complete", "cases.result_held")
    refused(case, "clerk_county", "supplement", "cases.material_unknown", materials=["M01"])
    case = act(case, "clerk_county", "supplement", materials=["M03"])
    assert not case.materials.get(code="M03").is_open_gap
    case = act(case, "rs_review1", "complete")
    assert case.status == "completed"


def test_it_verifies_a_commitment(intake):
    mats = [m for m in ALL if m["code"] != "M04"] + [{"code": "M04", "source": "commitment"}]
    case = intake(materials=mats).case
    refused(case, "rs_review1", "verify", "cases.reason_required", material="M04", outcome="true")
    case = act(case, "rs_review1", "verify", "经核查属实", material="M04", outcome="true")
    row = case.materials.get(code="M04")
    assert row.verified_at and row.verify_result == "经核查属实"


def test_it_refuses_a_read_only_user(intake, county):
    case = intake().case
    refused(case, "inspector", "approve", "cases.forbidden")
