"""The cases API, through HTTP."""

import pytest

from yichuang.cases.models import Case, CaseEvent, RateBucket
from yichuang.vault.models import AccessLog

from .conftest import ALL, ID_A, user


def body(item, **kw):
    data = {
        "item": item.code,
        "centre": "county-hall",
        "applicant": {"name": "张小花", "id_number": ID_A, "phone": "13800138000"},
        "materials": ALL,
    }
    data.update(kw)
    return data


def post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_it_creates_an_accepted_case_with_the_contract_shape(api, county, item):
    resp = post(api(county.clerk), "/api/v1/cases", body(item))
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert {"id", "receipt_code", "status", "due_date", "warning_level"} <= set(data)
    assert data["status"] == "accepted" and data["warning_level"] == "normal"
    detail = api(county.clerk).get(f"/api/v1/cases/{data['id']}").json()
    assert detail["applicant"] == {
        "name": "张**",
        "id_number": "110105********002X",
        "phone": "138****8000",
    }
    assert detail["accepted_on"] and detail["due_date"] == data["due_date"]
    assert [s["kind"] for s in detail["steps"]][:2] == ["accept", "review"]
    assert detail["rating_code"] is None
    assert [e["type"] for e in detail["events"]] == ["received", "accepted"]


def test_it_answers_422_with_the_missing_materials_and_the_notice(api, county, item, ticket):
    t = ticket()
    resp = post(api(county.clerk), "/api/v1/cases", body(item, materials=ALL[:1], ticket_id=t.pk))
    assert resp.status_code == 422
    data = resp.json()
    assert data["code"] == "cases.materials_incomplete"
    assert [m["code"] for m in data["missing"]] == ["M02", "M03", "M04"]
    assert data["notice_url"].startswith("/catalog/notices/YCGZ-")
    case = Case.objects.get(pk=data["case_id"])
    assert case.visit_count == 1 and case.notice is not None


def test_it_refuses_invalid_input_with_contract_errors(api, county, item):
    client = api(county.clerk)
    bad_id = body(item, applicant={"name": "张三", "id_number": "123"})
    assert post(client, "/api/v1/cases", bad_id).json()["code"] == "lib.invalid_id_number"
    resp = post(client, "/api/v1/cases", body(item, materials=[{"code": "ZZ"}]))
    assert resp.status_code == 422 and resp.json()["code"] == "cases.material_unknown"
    assert not Case.objects.exists()


def test_it_runs_actions_and_shows_the_rating_code_once_completed(api, county, item):
    case_id = post(api(county.clerk), "/api/v1/cases", body(item)).json()["id"]
    yb, rs = api(user("yb_review1")), api(user("rs_review1"))
    url = f"/api/v1/cases/{case_id}/actions"
    assert post(yb, url, {"action": "approve"}).json()["status"] == "review"
    assert post(rs, url, {"action": "approve"}).json()["status"] == "decided"
    resp = post(rs, url, {"action": "complete"})
    assert resp.json()["status"] == "completed" and resp.json()["rating_code"]
    resp = post(rs, url, {"action": "complete"})
    assert resp.status_code == 409 and resp.json()["code"] == "cases.action_not_allowed"


def test_it_links_visits_once_per_ticket(api, county, item, ticket):
    case_id = post(api(county.clerk), "/api/v1/cases", body(item)).json()["id"]
    t = ticket()
    for _ in range(2):
        resp = post(api(county.clerk), f"/api/v1/cases/{case_id}/visits", {"ticket_id": t.pk})
        assert resp.status_code == 200 and resp.json()["visit_count"] == 1


@pytest.mark.parametrize("how", ["get", "action", "visit"])
def test_it_hides_cases_from_an_outsider_and_changes_nothing(api, county, item, ticket, how):
    case_id = post(api(county.clerk), "/api/v1/cases", body(item)).json()["id"]
    before = (Case.objects.get(pk=case_id).status, CaseEvent.objects.count())
    client = api(county.outsider)
    if how == "get":
        resp = client.get(f"/api/v1/cases/{case_id}")
    elif how == "action":
        resp = post(client, f"/api/v1/cases/{case_id}/actions", {"action": "withdraw", "note": "x"})
    else:
        resp = post(client, f"/api/v1/cases/{case_id}/visits", {"ticket_id": ticket().pk})
    assert resp.status_code == 404 and resp.json()["code"] == "cases.not_found"
    assert (Case.objects.get(pk=case_id).status, CaseEvent.objects.count()) == before


def test_it_refuses_intake_at_another_centre(api, county, item):
    resp = post(api(county.outsider), "/api/v1/cases", body(item))
    assert resp.status_code == 404 and not Case.objects.exists()


def test_it_lets_a_read_only_inspector_look_but_not_act(api, county, item):
    case_id = post(api(county.clerk), "/api/v1/cases", body(item)).json()["id"]
    client = api(county.inspector)
    assert client.get(f"/api/v1/cases/{case_id}").status_code == 200
    resp = post(client, f"/api/v1/cases/{case_id}/actions", {"action": "withdraw", "note": "x"})
    assert resp.status_code == 403


def test_the_public_progress_shows_the_masked_name_only(api, county, item):
    code = post(api(county.clerk), "/api/v1/cases", body(item)).json()["receipt_code"]
    resp = api().get(f"/api/v1/progress/{code}")
    assert resp.status_code == 200
    data = resp.json()
    assert data["applicant"] == "张**" and data["item"] == item.current_version.name
    assert data["current_step"] == "审查" and data["department"] == "医保"
    text = resp.content.decode()
    assert ID_A not in text and "13800138000" not in text and "张小花" not in text
    assert api().get("/api/v1/progress/nope").status_code == 404


def test_the_public_progress_is_rate_limited(api, county, item):
    client = api()
    codes = [client.get("/api/v1/progress/unknown").status_code for _ in range(31)]
    assert codes[:30] == [404] * 30 and codes[30] == 429
    assert RateBucket.objects.count() == 1


def test_people_lookup_is_staff_only_and_logged(api, county, item):
    post(api(county.clerk), "/api/v1/cases", body(item, consent={"scope": "all"}))
    assert api().get(f"/api/v1/people/lookup?id_number={ID_A}").status_code == 401
    resp = api(county.clerk).get(f"/api/v1/people/lookup?id_number={ID_A}")
    assert resp.status_code == 200
    data = resp.json()
    assert data["id_number"] == "110105********002X"
    assert {d["type"] for d in data["documents"]} == {"id_card", "birth_cert"}
    assert all(d["consented"] for d in data["documents"])
    log = AccessLog.objects.get(kind="lookup")
    assert log.actor == county.clerk


def test_its_typed_answers_keep_every_field_the_serialisers_give(api, county, item, ticket):
    """The response schemas document the answers; they drop or change nothing."""
    import json

    from yichuang.cases.serialize import case_detail, progress_view

    resp = post(api(county.clerk), "/api/v1/cases", body(item, materials=ALL[:1]))
    assert set(resp.json()) == {
        "code",
        "message",
        "missing",
        "notice_url",
        "notices",
        "case_id",
    }
    assert {"counts", "what_is_needed", "item_name"} <= set(resp.json()["missing"][0])
    case_id = post(api(county.clerk), "/api/v1/cases", body(item, materials=ALL)).json()["id"]
    post(api(county.clerk), f"/api/v1/cases/{case_id}/visits", {"ticket_id": ticket().pk})
    case = Case.objects.get(pk=case_id)
    detail = api(county.clerk).get(f"/api/v1/cases/{case_id}").json()
    assert detail == json.loads(json.dumps(case_detail(case)))
    assert detail["visits"] and detail["events"] and detail["steps"] and detail["materials"]
    progress = api().get(f"/api/v1/progress/{case.receipt_code}").json()
    assert progress == json.loads(json.dumps(progress_view(case)))
    listed = api(county.clerk).get("/api/v1/cases").json()
    assert listed["count"] == 1 and listed["items"][0]["id"] == case_id
    assert set(listed["items"][0]) < set(detail)
