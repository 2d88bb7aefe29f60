"""Intake is O(1) in history: the same number of queries with no earlier cases
as with many, and no statement that counts or scans the cases table."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from yichuang.cases.models import Case

from .conftest import ID_A, ID_B

ID_C = "110105198001010016"


def queries_of(intake, id_number):
    with CaptureQueriesContext(connection) as q:
        result = intake(applicant={"name": "王五", "id_number": id_number})
    assert result.accepted
    return [x["sql"] for x in q.captured_queries]


def test_an_intake_costs_the_same_queries_whatever_the_history(intake, item, county):
    queries_of(intake, ID_C)  # warm the per-process caches (roles, calendar, settings)
    first = queries_of(intake, ID_A)
    history = [
        Case(centre=county.hall, item=item, version=item.current_version, title="历史", status=s)
        for s in ("delivered", "completed", "withdrawn") * 20
    ]
    Case.objects.bulk_create(history)
    second = queries_of(intake, ID_B)
    assert len(second) == len(first)
    assert len(first) <= 45
    cases_reads = [sql for sql in first if 'FROM "cases_case"' in sql]
    assert not any("COUNT(" in sql for sql in cases_reads)
