"""/supervision/: each role's home — the inspector's tasks of the day, the
county director's ledger by unit and category with the on-time rate, a
department lead's open rows, a clerk's rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from yichuang.accounts.models import User
from yichuang.org.models import Department
from yichuang.supervision import actions
from yichuang.supervision.models import Checklist, Inspection, Problem, RecheckTask

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def open_row(county, *, department="rs", window=None, severity="general", category="appearance"):
    return actions.problem_open(
        source="self_check",
        centre=county.hall,
        department=Department.objects.get(code=department) if department else None,
        window=window,
        category=category,
        severity=severity,
        description="问题",
        actor=county.director,
    )


def close(county, row: Problem, *, late: bool = False, frozen=None) -> Problem:
    row = actions.problem_plan(problem=row, actor=county.dept_lead, measure="整改")
    row = actions.problem_submit(problem=row, actor=county.dept_lead, evidence="已整改")
    now = None
    if late:
        now = dt.datetime.combine(row.due_date + dt.timedelta(days=1), dt.time(10)).astimezone()
    return actions.problem_verify(problem=row, actor=county.inspector, now=now)


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


def test_the_inspectors_home_lists_what_to_verify_and_the_rechecks_due(county, sup, frozen):
    submitted = open_row(county, window=sup.window)
    actions.problem_plan(problem=submitted, actor=county.dept_lead, measure="整改")
    actions.problem_submit(problem=submitted, actor=county.dept_lead, evidence="已整改")
    severe = close(county, open_row(county, severity="severe"))
    recheck = RecheckTask.objects.get(problem=severe)
    client = client_for(county.inspector)
    html = client.get("/supervision/").content.decode()
    assert f'href="/supervision/problems/{submitted.pk}/"' in section(html, "to-verify")
    assert f"/supervision/problems/{severe.pk}/" not in section(html, "rechecks")
    frozen.shift(recheck.due_on - dt.date(2026, 3, 16))
    html = client_for(county.inspector).get("/supervision/").content.decode()
    assert f'href="/supervision/problems/{severe.pk}/"' in section(html, "rechecks")
    assert 'href="/supervision/inspect/"' in html


def test_the_county_director_sees_the_ledger_by_unit_with_the_on_time_rate(county, sup, frozen):
    close(county, open_row(county))
    close(county, open_row(county))
    close(county, open_row(county, severity="severe"), late=True)
    open_row(county, department="yb", category="environment")
    html = client_for(county.director).get("/supervision/").content.decode()
    # 2 of 3 closed by their deadline: 66.6 %, truncated, never rounded up
    assert re.search(r'id="on-time-rate">66\.6%<', html)
    table = section(html, "county-ledger")
    assert "department=rs" in table and "仪容仪表" in table and "66.6%" in table
    assert "服务环境" in table and "—" in table  # the 医保 row: nothing closed yet
    assert 'id="to-plan"' not in html
    # a row left past its deadline counts against the rate as a late one does
    frozen.shift(dt.timedelta(days=20))
    html = client_for(county.director).get("/supervision/").content.decode()
    assert re.search(r'id="on-time-rate">50\.0%<', html)


def test_a_department_lead_sees_his_departments_open_rows(county, sup, frozen):
    mine = open_row(county, window=sup.window)
    planned = open_row(county)
    actions.problem_plan(problem=planned, actor=county.dept_lead, measure="整改")
    other = open_row(county, department="yb")
    html = client_for(county.dept_lead).get("/supervision/").content.decode()
    assert f'id="problem-{mine.pk}"' in section(html, "to-plan")
    assert f'id="problem-{planned.pk}"' in section(html, "to-submit")
    assert f'id="problem-{other.pk}"' not in html
    assert 'id="county-ledger"' not in html


def test_a_covert_visits_rows_reach_the_unit_once_published(county, sup, frozen):
    inspection = actions.inspection_record(
        centre=county.hall,
        kind="covert",
        checklist=Checklist.objects.get(code="covert-visit", is_current=True),
        inspector=county.inspector,
        visited_at=dt.datetime(2026, 3, 16, 9, 0).astimezone(),
        findings=[actions.FindingInput(line="V3", result="fail", window=sup.window.pk)],
    )
    row = Problem.objects.get(inspection=inspection)
    lead = client_for(county.dept_lead)
    assert f'id="problem-{row.pk}"' not in lead.get("/supervision/").content.decode()
    assert lead.get(f"/supervision/inspections/{inspection.pk}/").status_code == 404
    html = client_for(county.inspector).get("/supervision/").content.decode()
    assert f'href="/supervision/inspections/{inspection.pk}/"' in section(html, "rechecks")
    actions.inspection_publish(inspection=Inspection.objects.get(), actor=county.inspector)
    assert f'id="problem-{row.pk}"' in lead.get("/supervision/").content.decode()


def test_a_clerk_sees_the_rows_naming_him_and_administrators_are_refused(county, sup, frozen):
    row = open_row(county, window=sup.window)
    html = client_for(sup.window_user).get("/supervision/").content.decode()
    assert f'id="problem-{row.pk}"' in section(html, "mine")
    assert "检查记录" not in html  # no visits tab for a clerk
    assert client_for(county.clerk).get("/supervision/inspections/").status_code == 403
    for name in ("admin", "security", "auditor"):
        resp = client_for(User.objects.get(username=name)).get("/supervision/")
        assert resp.status_code == 403
    assert Client().get("/supervision/").status_code == 302
