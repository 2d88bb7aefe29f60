"""The ledger's pages: the list with its filters, sort and pages; one row
with its timeline, its recurrence chain and the steps the user may take now
(through the flow's one dispatch table); the self-check and leadership
instruction form. Outsiders get 404, read-only users 403, and a refused step
changes nothing."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from tests.supervision.conftest import snapshot

from yichuang.accounts.models import User
from yichuang.org.models import Department
from yichuang.supervision import actions
from yichuang.supervision.models import Problem

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def code_of(resp) -> str:
    html = resp.content.decode()
    found = re.search(r'data-code="([^"]+)"', html) or re.search(r"<code>([^<]+)</code>", html)
    return found.group(1) if found else ""


def assert_page_refused(resp, status: int, code: str, before: tuple) -> None:
    assert resp.status_code == status, resp.content.decode()[:2000]
    assert code_of(resp) == code
    assert snapshot() == before


def open_row(
    county,
    *,
    centre=None,
    department="rs",
    window=None,
    category="appearance",
    severity="general",
    description="工作人员未佩戴工作证",
    actor=None,
) -> Problem:
    return actions.problem_open(
        source="self_check",
        centre=centre or county.hall,
        department=Department.objects.get(code=department) if department else None,
        window=window,
        category=category,
        severity=severity,
        description=description,
        actor=actor or county.director,
    )


def ids_on(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="problem-(\d+)"', html)]


def test_the_ledger_lists_the_rows_with_bounded_queries(
    county, sup, frozen, django_assert_max_num_queries
):
    client = client_for(county.director)
    for i in range(3):
        open_row(county, description=f"问题 {i}")
    with django_assert_max_num_queries(14) as few:
        resp = client.get("/supervision/problems/")
    assert resp.status_code == 200 and len(ids_on(resp.content.decode())) == 3
    for i in range(60):
        open_row(county, description=f"更多问题 {i}", window=sup.window if i % 2 else None)
    with django_assert_max_num_queries(len(few.captured_queries)):
        resp = client.get("/supervision/problems/")
    html = resp.content.decode()
    assert len(ids_on(html)) == 50 and "共 63 条" in html and "1 / 2" in html
    second = client.get("/supervision/problems/?page=2")
    assert len(ids_on(second.content.decode())) == 13


def test_the_filters_and_the_sort_by_deadline(county, sup, frozen):
    severe = open_row(county, severity="severe", category="discipline")
    general = open_row(county, severity="general")
    major = open_row(county, severity="major", department="yb")
    client = client_for(county.director)
    html = client.get("/supervision/problems/?severity=severe").content.decode()
    assert ids_on(html) == [severe.pk]
    html = client.get("/supervision/problems/?department=yb").content.decode()
    assert ids_on(html) == [major.pk]
    # deadlines: 严重 2, 较重 5, 一般 10 working days
    html = client.get("/supervision/problems/?sort=due").content.decode()
    assert ids_on(html) == [severe.pk, major.pk, general.pk]
    html = client.get("/supervision/problems/?sort=-due").content.decode()
    assert ids_on(html) == [general.pk, major.pk, severe.pk]
    # overdue: nine days later only the 一般 row is still within its deadline
    frozen.shift(dt.timedelta(days=9))
    client = client_for(county.director)  # a new day, a new sign-in
    html = client.get("/supervision/problems/?overdue=true&sort=due").content.decode()
    assert ids_on(html) == [severe.pk, major.pk]
    assert html.count('class="overdue"') == 2
    resp = client.get("/supervision/problems/?severity=awful")
    assert resp.status_code == 422 and code_of(resp) == "supervision.bad_filter"


def test_a_clerk_sees_the_rows_that_name_him_and_no_others(county, sup, frozen):
    mine = open_row(county, window=sup.window)
    other = open_row(county, department="yb")
    assert mine.owner is not None
    client = client_for(sup.window_user)
    html = client.get("/supervision/problems/").content.decode()
    assert ids_on(html) == [mine.pk]
    assert client.get(f"/supervision/problems/{other.pk}/").status_code == 404
    home = client.get("/supervision/").content.decode()
    assert f'id="problem-{mine.pk}"' in home and 'id="mine"' in home


def test_an_outsider_gets_404_and_changes_nothing(county, sup, frozen):
    row = open_row(county, window=sup.window)
    before = snapshot()
    client = client_for(county.outsider)
    resp = client.get(f"/supervision/problems/{row.pk}/")
    assert_page_refused(resp, 404, "supervision.problem_not_found", before)
    resp = client.post(f"/supervision/problems/{row.pk}/", {"action": "plan", "measure": "x"})
    assert_page_refused(resp, 404, "supervision.problem_not_found", before)
    assert ids_on(client.get("/supervision/problems/").content.decode()) == []


def test_the_county_administrator_reads_and_is_refused_any_step(county, sup, frozen):
    row = open_row(county, window=sup.window)
    client = client_for(county.county_admin)
    page = client.get(f"/supervision/problems/{row.pk}/")
    assert page.status_code == 200
    assert 'id="step-plan"' not in page.content.decode()
    before = snapshot()
    resp = client.post(f"/supervision/problems/{row.pk}/", {"action": "plan", "measure": "整改"})
    assert_page_refused(resp, 403, "supervision.not_responsible", before)


def test_the_flow_through_the_row_page(county, sup, frozen):
    row = open_row(county, window=sup.window)
    lead = client_for(county.dept_lead)
    page = lead.get(f"/supervision/problems/{row.pk}/").content.decode()
    assert 'id="step-plan"' in page and 'id="step-verify"' not in page
    assert "登记问题" in page  # the timeline in Chinese
    resp = lead.post(
        f"/supervision/problems/{row.pk}/", {"action": "plan", "measure": "重申着装规定，每日晨检"}
    )
    assert resp.status_code == 302 and resp["Location"].endswith("?done=plan")
    # evidence is required; what was typed elsewhere stays
    before = snapshot()
    resp = lead.post(f"/supervision/problems/{row.pk}/", {"action": "submit", "evidence": "  "})
    assert_page_refused(resp, 422, "supervision.evidence_required", before)
    resp = lead.post(
        f"/supervision/problems/{row.pk}/", {"action": "submit", "evidence": "晨检记录三天"}
    )
    assert resp.status_code == 302
    page = lead.get(f"/supervision/problems/{row.pk}/").content.decode()
    # the submitter is never offered verification, and is refused it
    assert 'id="step-verify"' not in page and "须由督查室或中心主任验收" in page
    before = snapshot()
    resp = lead.post(f"/supervision/problems/{row.pk}/", {"action": "verify"})
    assert_page_refused(resp, 403, "supervision.self_verify", before)
    # a step not allowed in the row's state
    director = client_for(county.director)
    resp = director.post(f"/supervision/problems/{row.pk}/", {"action": "plan", "measure": "再改"})
    assert_page_refused(resp, 409, "supervision.bad_state", before)
    page = director.get(f"/supervision/problems/{row.pk}/").content.decode()
    assert 'id="step-verify"' in page and 'id="step-reject"' in page
    resp = director.post(f"/supervision/problems/{row.pk}/", {"action": "verify", "note": "到位"})
    assert resp.status_code == 302
    row.refresh_from_db()
    assert row.status == "verified" and row.verified_by == county.director and row.on_time
    page = director.get(f"/supervision/problems/{row.pk}/").content.decode()
    for label in ("登记问题", "制定整改措施", "提交整改佐证", "验收销号", "按期整改"):
        assert label in page


def test_a_director_who_submitted_is_not_offered_verification(county, sup, frozen):
    row = open_row(county, window=sup.window)
    director = client_for(county.director)
    director.post(f"/supervision/problems/{row.pk}/", {"action": "plan", "measure": "整改"})
    director.post(f"/supervision/problems/{row.pk}/", {"action": "submit", "evidence": "已整改"})
    page = director.get(f"/supervision/problems/{row.pk}/").content.decode()
    assert 'id="step-verify"' not in page
    before = snapshot()
    resp = director.post(f"/supervision/problems/{row.pk}/", {"action": "verify"})
    assert_page_refused(resp, 403, "supervision.self_verify", before)
    resp = client_for(county.inspector).post(
        f"/supervision/problems/{row.pk}/", {"action": "reject", "note": "佐证不足"}
    )
    assert resp.status_code == 302
    assert Problem.objects.get(pk=row.pk).status == "reopened"


def test_the_row_shows_its_recurrence_chain(county, sup, frozen):
    first = open_row(county, window=sup.window)
    first = actions.problem_plan(problem=first, actor=county.dept_lead, measure="整改")
    first = actions.problem_submit(problem=first, actor=county.dept_lead, evidence="已整改")
    actions.problem_verify(problem=first, actor=county.inspector)
    frozen.shift(dt.timedelta(days=40))
    again = open_row(county, window=sup.window, description="又一次未佩戴工作证")
    assert again.recurrence == 1
    client = client_for(county.dept_lead)
    page = client.get(f"/supervision/problems/{again.pk}/").content.decode()
    assert "反复出现 1" in page
    chain = page[page.index('id="recurrence-chain"') :]
    assert f'href="/supervision/problems/{first.pk}/"' in chain
    earlier = client.get(f"/supervision/problems/{first.pk}/").content.decode()
    assert f'href="/supervision/problems/{again.pk}/"' in earlier
    listed = client.get("/supervision/problems/?recurring=true").content.decode()
    assert ids_on(listed) == [again.pk]


def test_a_director_enters_a_self_check(county, sup, frozen):
    client = client_for(county.director)
    page = client.get("/supervision/problems/new/")
    assert page.status_code == 200 and "领导交办" in page.content.decode()
    data = {
        "source": "self_check",
        "centre": "county-hall",
        "department": "rs",
        "window": str(sup.window.pk),
        "category": "environment",
        "severity": "major",
        "description": "",
    }
    before = snapshot()
    resp = client.post("/supervision/problems/new/", data)
    assert_page_refused(resp, 422, "supervision.invalid_form", before)
    assert f'<option value="{sup.window.pk}" selected>' in resp.content.decode()
    resp = client.post("/supervision/problems/new/", {**data, "description": "等候区座椅破损"})
    assert resp.status_code == 302
    row = Problem.objects.get()
    assert (row.source, row.severity, row.window, row.opened_by) == (
        "self_check",
        "major",
        sup.window,
        county.director,
    )
    assert row.due_date == dt.date(2026, 3, 23)  # 5 working days


def test_a_department_lead_enters_his_own_departments_self_checks_only(county, sup, frozen):
    client = client_for(county.dept_lead)
    page = client.get("/supervision/problems/new/").content.decode()
    assert 'value="leadership"' not in page
    data = {
        "source": "self_check",
        "centre": "county-hall",
        "category": "environment",
        "severity": "general",
        "description": "材料柜标识不清",
    }
    before = snapshot()
    resp = client.post("/supervision/problems/new/", {**data, "department": "yb"})
    assert_page_refused(resp, 422, "supervision.invalid_form", before)
    resp = client.post("/supervision/problems/new/", {**data, "source": "leadership"})
    assert_page_refused(resp, 422, "supervision.invalid_form", before)
    resp = client.post("/supervision/problems/new/", data)
    assert resp.status_code == 302
    assert Problem.objects.get().department.code == "rs"


def test_clerks_cannot_enter_rows(county, frozen):
    before = snapshot()
    resp = client_for(county.clerk).get("/supervision/problems/new/")
    assert_page_refused(resp, 403, "supervision.not_allowed", before)
    resp = client_for(county.clerk).post("/supervision/problems/new/", {"source": "self_check"})
    assert_page_refused(resp, 403, "supervision.not_allowed", before)


def test_administrators_get_no_ledger(county, frozen):
    for user in (county.admin, county.auditor):
        resp = client_for(user).get("/supervision/problems/")
        assert resp.status_code == 403 and code_of(resp) == "org.administrators_only"
    assert User.objects.filter(username="admin").exists()


def test_the_inspector_records_a_recheck_on_the_rows_page(county, sup, frozen):
    from yichuang.supervision.models import RecheckTask

    row = open_row(county, window=sup.window, severity="major")
    row = actions.problem_plan(problem=row, actor=county.dept_lead, measure="整改")
    row = actions.problem_submit(problem=row, actor=county.dept_lead, evidence="已整改")
    actions.problem_verify(problem=row, actor=county.inspector)
    task = RecheckTask.objects.get(problem=row)
    frozen.shift(dt.timedelta(days=30))
    url = f"/supervision/problems/{row.pk}/"
    lead = client_for(county.dept_lead)
    assert f'id="recheck-{task.pk}"' not in lead.get(url).content.decode()
    before = snapshot()
    resp = lead.post(url, {"action": "recheck", "task": task.pk, "result": "held"})
    assert_page_refused(resp, 403, "supervision.not_verifier", before)
    inspector = client_for(county.inspector)
    assert f'id="recheck-{task.pk}"' in inspector.get(url).content.decode()
    resp = inspector.post(url, {"action": "recheck", "task": task.pk, "result": "relapsed"})
    assert_page_refused(resp, 422, "supervision.reason_required", before)
    resp = inspector.post(
        url, {"action": "recheck", "task": task.pk, "result": "relapsed", "note": "又未戴证"}
    )
    assert resp.status_code == 302 and resp["Location"].endswith("?done=recheck")
    relapse = Problem.objects.exclude(pk=row.pk).get()
    assert relapse.recurrence == 1 and list(relapse.previous.all()) == [row]
    page = inspector.get(url).content.decode()
    assert "问题反弹" in page and f'href="/supervision/problems/{relapse.pk}/"' in page
