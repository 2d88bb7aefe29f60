"""The case desk (/cases/): open cases by due date, paginated, a fixed number of
queries, read through the partial index of the department's open cases."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from yichuang.cases import views
from yichuang.cases.models import Case

from .conftest import ID_A, ID_B, user

IDS = [ID_A, ID_B]


def desk_get(path="/cases/?view=department"):
    c = Client()
    c.force_login(user("yb_review1"))
    with CaptureQueriesContext(connection) as q:
        resp = c.get(path)
    assert resp.status_code == 200
    return resp.content.decode(), len(q.captured_queries)


def cases_for_desk(intake, n):
    made = []
    for i in range(n):
        made.append(intake(applicant={"name": f"王{i}", "id_number": IDS[i % len(IDS)]}).case)
    return made


def test_it_costs_the_same_queries_for_one_case_or_many(intake, county):
    cases_for_desk(intake, 1)
    _page, few = desk_get()
    cases_for_desk(intake, 3)
    page, many = desk_get()
    assert few == many
    assert page.count('href="/cases/') >= 4


def test_it_lists_the_earliest_due_first_and_pages(intake, county, monkeypatch):
    made = cases_for_desk(intake, 3)
    dues = [dt.date(2026, 12, 20), dt.date(2026, 12, 10), dt.date(2026, 12, 15)]
    for case, due in zip(made, dues, strict=True):
        Case.objects.filter(pk=case.pk).update(due_date=due)
    monkeypatch.setattr(views, "DESK_PAGE", 2)
    first, _n = desk_get()
    assert first.index(made[1].number) < first.index(made[2].number)
    assert made[0].number not in first and 'rel="next"' in first
    second, _n = desk_get("/cases/?view=department&page=2")
    assert made[0].number in second and 'rel="next"' not in second


def test_it_lists_cases_without_a_due_date_apart(intake, county):
    made = cases_for_desk(intake, 2)
    Case.objects.filter(pk=made[0].pk).update(due_date=None, deadline_pending=True)
    page, _n = desk_get()
    assert 'id="undated-list"' in page
    assert page.index(made[0].number) < page.index('id="case-list"')
    assert "1 件办件期限待定" in page


@pytest.mark.only_on("sqlite")  # the plan text is SQLite's
def test_it_reads_the_partial_index_of_open_cases(county):
    qs = (
        Case.objects.open_indexed()
        .filter(department_id=1, due_date__isnull=False)
        .order_by("due_date", "id")[:51]
    )
    plan = qs.explain()
    assert "case_dept_open_due" in plan and "TEMP B-TREE" not in plan
