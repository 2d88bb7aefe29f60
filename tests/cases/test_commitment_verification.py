"""告知承诺 verification and 一次性告知 breaches, through the API and the pages
(docs/cases.md, "Commitments")."""

import datetime as dt

import pytest
import time_machine
from django.test import Client

from yichuang.cases.models import Case, CaseEvent, CreditRecord, MaterialReceipt
from yichuang.catalog import actions as catalog
from yichuang.lib.audit import AuditEntry
from yichuang.org.calendar import add_workdays

from .conftest import ALL, ID_A, MATERIALS, user

TZ = dt.timezone(dt.timedelta(hours=8))
# Monday 16 March 2026, 10:00: a working day.
ACCEPTED = dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ)
COMMITTED = [m for m in ALL if m["code"] != "M04"] + [{"code": "M04", "source": "commitment"}]


def body(item, materials=COMMITTED):
    return {
        "item": item.code,
        "centre": "county-hall",
        "applicant": {"name": "张小花", "id_number": ID_A, "phone": "13800138000"},
        "materials": materials,
    }


def page_client(username):
    client = Client()
    client.force_login(user(username))
    return client


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


@pytest.fixture
def case_id(api, county, item):
    with time_machine.travel(ACCEPTED, tick=False):
        resp = post(api(county.clerk), "/api/v1/cases", body(item))
    assert resp.status_code == 201, resp.content
    return resp.json()["id"]


def verify(api, username, case_id, **data):
    data = {"action": "verify", "material": "M04", **data}
    return post(api(user(username)), f"/api/v1/cases/{case_id}/actions", data)


def commitment(client, case_id):
    detail = client.get(f"/api/v1/cases/{case_id}").json()
    return next(m for m in detail["materials"] if m["code"] == "M04")


def snapshot(case_id):
    row = MaterialReceipt.objects.get(case_id=case_id, code="M04")
    case = Case.objects.get(pk=case_id)
    return (
        row.verified_at,
        row.verify_outcome,
        case.revoked_at,
        CaseEvent.objects.filter(case_id=case_id).count(),
        CreditRecord.objects.count(),
        AuditEntry.objects.filter(event__startswith="cases.commitment").count(),
    )


def assert_refused(resp, status, code, case_id, before):
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code
    assert snapshot(case_id) == before


def test_acceptance_opens_a_task_with_a_deadline_and_the_department(api, county, case_id):
    m = commitment(api(county.clerk), case_id)
    due = add_workdays(dt.date(2026, 3, 16), 20)
    assert m["how"] == "committed" and not m["verified"]
    assert m["due_date"] == due.isoformat() == "2026-04-14"
    assert m["verify_department"] == Case.objects.get(pk=case_id).item.department.name
    assert m["verify_outcome"] == ""


def test_a_true_commitment_closes_the_task(api, county, case_id):
    resp = verify(api, "rs_review1", case_id, outcome="true", note="经入户核查，收入属实")
    assert resp.status_code == 200, resp.content
    m = next(m for m in resp.json()["materials"] if m["code"] == "M04")
    assert m["verified"] and m["verify_outcome"] == "true"
    case = Case.objects.get(pk=case_id)
    assert case.revoked_at is None and not CreditRecord.objects.exists()
    event = case.events.get(type="verified")
    assert event.data["outcome"] == "true" and event.reason == "经入户核查，收入属实"
    assert AuditEntry.objects.filter(
        event="cases.commitment_verified", object_id=str(case_id)
    ).exists()


def test_a_false_commitment_revokes_the_decision_and_records_the_applicant(api, county, case_id):
    resp = verify(api, "rs_review1", case_id, outcome="false", note="银行流水显示收入高于申报")
    assert resp.status_code == 200, resp.content
    case = Case.objects.get(pk=case_id)
    assert case.revoked_at is not None
    record = CreditRecord.objects.get()
    assert record.person_id == case.person_id and record.case_id == case.pk
    assert record.material == "家庭收入情况声明"
    assert record.department.code == "rs"
    types = set(case.events.values_list("type", flat=True))
    assert {"verified", "revoked", "credit_recorded"} <= types
    events = set(AuditEntry.objects.values_list("event", flat=True))
    assert {
        "cases.commitment_verified",
        "cases.decision_revoked",
        "cases.credit_recorded",
    } <= events
    # the case page says so
    page = page_client("rs_review1").get(f"/cases/{case_id}/").content.decode()
    assert 'id="case-revoked"' in page and 'data-outcome="false"' in page


@pytest.mark.parametrize(
    ("username", "data", "status", "code"),
    [
        ("rs_review1", {"note": "属实"}, 422, "cases.verify_outcome"),
        ("rs_review1", {"outcome": "maybe", "note": "属实"}, 422, "cases.verify_outcome"),
        ("rs_review1", {"outcome": "false"}, 422, "cases.reason_required"),
        (
            "rs_review1",
            {"outcome": "true", "note": "x", "material": "M01"},
            422,
            "cases.no_commitment",
        ),
        # the task is the item's department's (人社), not the reviewing one's
        ("yb_review1", {"outcome": "false", "note": "不实"}, 403, "cases.verify_forbidden"),
        ("inspector", {"outcome": "false", "note": "不实"}, 403, "cases.forbidden"),
    ],
)
def test_it_refuses_a_bad_verification_and_changes_nothing(
    api, county, case_id, username, data, status, code
):
    before = snapshot(case_id)
    assert_refused(verify(api, username, case_id, **data), status, code, case_id, before)


def test_a_commitment_is_verified_once(api, county, case_id):
    assert verify(api, "rs_review1", case_id, outcome="true", note="属实").status_code == 200
    before = snapshot(case_id)
    resp = verify(api, "rs_review1", case_id, outcome="false", note="改判")
    assert_refused(resp, 409, "cases.already_verified", case_id, before)


def test_an_overdue_verification_is_flagged_on_the_desk_and_the_case(api, county, case_id):
    due = MaterialReceipt.objects.get(case_id=case_id, code="M04").due_date
    # on the deadline: not yet overdue
    with time_machine.travel(dt.datetime.combine(due, dt.time(10), TZ), tick=False):
        assert not commitment(api(county.clerk), case_id)["verify_overdue"]
        desk = page_client("rs_review1").get("/cases/").content.decode()
        assert "verification-alerts" not in desk
    with time_machine.travel(dt.datetime.combine(due + dt.timedelta(days=1), dt.time(10), TZ)):
        assert commitment(api(county.clerk), case_id)["verify_overdue"]
        desk = page_client("rs_review1").get("/cases/").content.decode()
        assert f'data-overdue-case="{case_id}"' in desk
        page = page_client("rs_review1").get(f"/cases/{case_id}/").content.decode()
        assert 'data-overdue="1"' in page
        resp = verify(api, "rs_review1", case_id, outcome="true", note="逾期后核查属实")
        assert resp.status_code == 200
        assert CaseEvent.objects.get(case_id=case_id, type="verified").data["overdue"] is True
        desk = page_client("rs_review1").get("/cases/").content.decode()
        assert f'data-overdue-case="{case_id}"' not in desk


def test_the_verification_form_on_the_case_page_records_the_outcome(county, case_id):
    client = page_client("rs_review1")
    page = client.get(f"/cases/{case_id}/").content.decode()
    assert 'verify-form"' in page and "<script" not in page.split("verification")[1]
    resp = client.post(
        f"/cases/{case_id}/act/",
        {"action": "verify", "material": "M04", "outcome": "false", "note": "承诺不实"},
    )
    assert resp.status_code == 302 and "error" not in resp["Location"]
    assert Case.objects.get(pk=case_id).revoked_at is not None
    assert CreditRecord.objects.count() == 1


def test_a_later_notice_asking_for_more_is_flagged_for_the_director(api, county, item):
    clerk = api(county.clerk)
    first = post(clerk, "/api/v1/cases", body(item, materials=ALL[:1]))
    assert first.status_code == 422
    listed = {m["code"] for m in first.json()["missing"]}
    # the item gains a required material after the first notice
    actor = county.county_admin
    catalog.version_update(
        actor=actor,
        version=catalog.version_draft(actor=actor, item=item),
        materials=[*MATERIALS, {"code": "M07", "name": "村（居）委会证明", "originals": 1}],
    )
    catalog.item_publish(actor=actor, item=item)
    second = post(clerk, "/api/v1/cases", body(item, materials=ALL))
    assert second.status_code == 422, second.content
    assert {m["code"] for m in second.json()["missing"]} - listed == {"M07"}
    case = Case.objects.get(item=item)
    assert case.notice_breach
    event = case.events.get(type="notice_breach")
    assert event.data["materials"] == ["M07"]
    assert AuditEntry.objects.filter(event="cases.notice_breach").exists()
    director = page_client("director").get("/cases/?view=centre").content.decode()
    assert f'data-breach-case="{case.pk}"' in director
    # a clerk's desk doesn't list it; the case page shows it to whoever opens it
    assert "data-breach-case" not in page_client("clerk_county").get("/cases/").content.decode()
    page = page_client("clerk_county").get(f"/cases/{case.pk}/").content.decode()
    assert 'id="notice-breach"' in page


def test_a_second_notice_listing_only_what_was_listed_is_no_breach(api, county, item):
    clerk = api(county.clerk)
    assert post(clerk, "/api/v1/cases", body(item, materials=ALL[:1])).status_code == 422
    assert post(clerk, "/api/v1/cases", body(item, materials=ALL[:2])).status_code == 422
    case = Case.objects.get(item=item)
    assert not case.notice_breach
    assert not case.events.filter(type="notice_breach").exists()
