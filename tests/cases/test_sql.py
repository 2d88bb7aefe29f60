"""Each statement of cases/sql.py gives what its ORM version gives, on both
databases."""

from yichuang.cases.models import Case
from yichuang.cases.states import OPEN, Status

from .conftest import ALL, ID_A, ID_B


def test_it_selects_the_open_cases_as_the_orm_filter_does(intake):
    made = [
        intake(applicant={"name": f"王{i}", "id_number": n}, materials=m).case
        for i, (n, m) in enumerate([(ID_A, ALL), (ID_B, ALL[:1])])
    ]
    closed = intake(applicant={"name": "李四", "id_number": ID_A}).case
    Case.objects.filter(pk=closed.pk).update(status=Status.WITHDRAWN)
    orm = set(Case.objects.filter(status__in=OPEN).values_list("pk", flat=True))
    raw = set(Case.objects.open_indexed().values_list("pk", flat=True))
    assert raw == orm == {c.pk for c in made}
    assert set(Case.objects.open().values_list("pk", flat=True)) == raw
