"""Staff absences in the admin site: listed, read only, for the system and
county administrators; recorded only on the director's page (/org/absences/)."""

from __future__ import annotations

import datetime as dt

import pytest
from tests.conftest import login_client

from yichuang.org.models import Staff, StaffAbsence

pytestmark = pytest.mark.django_db

LIST = "/admin/org/staffabsence/"


@pytest.fixture
def absence(county):
    staff = Staff.objects.filter(user=county.clerk).first()
    return StaffAbsence.objects.create(
        staff=staff,
        start=dt.date(2026, 3, 16),
        end=dt.date(2026, 3, 18),
        kind=StaffAbsence.Kind.TRAINING,
        note="业务培训",
        created_by=county.director,
    )


@pytest.mark.parametrize("who", ["admin", "county_admin"])
def test_administrators_list_absences_read_only(county, absence, who):
    client = login_client(getattr(county, who))
    page = client.get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    assert "业务培训" in html and "培训" in html
    assert f"{LIST}add/" not in html
    assert client.get(f"{LIST}add/").status_code == 403
    before = list(StaffAbsence.objects.values_list("pk", "start", "end", "note"))
    resp = client.post(
        f"{LIST}{absence.pk}/change/",
        {"staff": absence.staff_id, "start": "2026-03-16", "end": "2026-03-30", "kind": "leave"},
    )
    assert resp.status_code == 403
    assert client.post(f"{LIST}{absence.pk}/delete/", {"post": "yes"}).status_code == 403
    assert list(StaffAbsence.objects.values_list("pk", "start", "end", "note")) == before


@pytest.mark.parametrize("who", ["security", "auditor"])
def test_the_other_administrators_do_not_see_absences(county, absence, who):
    assert login_client(getattr(county, who)).get(LIST).status_code == 403
