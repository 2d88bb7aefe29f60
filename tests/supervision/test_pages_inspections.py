"""The visits' pages: the list, one visit with its score, findings and photos,
and the covert visit's 发布 button for the supervision office."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from tests.supervision.conftest import snapshot

from yichuang.supervision import actions
from yichuang.supervision.models import Checklist, Inspection, Problem

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def code_of(resp) -> str:
    html = resp.content.decode()
    found = re.search(r'data-code="([^"]+)"', html) or re.search(r"<code>([^<]+)</code>", html)
    return found.group(1) if found else ""


def record(county, sup, kind: str = "covert") -> Inspection:
    checklist = "covert-visit" if kind == "covert" else "open-visit"
    line = "V3" if kind == "covert" else "A2"
    return actions.inspection_record(
        centre=county.hall,
        kind=kind,
        checklist=Checklist.objects.get(code=checklist, is_current=True),
        inspector=county.inspector,
        visited_at=dt.datetime(2026, 3, 16, 9, 0).astimezone(),
        findings=[
            actions.FindingInput(line=line, result="fail", window=sup.window.pk, note="未戴证")
        ],
    )


def test_the_list_shows_the_visits_in_scope(county, sup, frozen, django_assert_max_num_queries):
    covert = record(county, sup)
    shown = record(county, sup, "open")
    client = client_for(county.inspector)
    with django_assert_max_num_queries(12):
        html = client.get("/supervision/inspections/").content.decode()
    assert f'id="inspection-{covert.pk}"' in html and f'id="inspection-{shown.pk}"' in html
    assert "未公布" in html
    html = client.get("/supervision/inspections/?kind=open").content.decode()
    assert f'id="inspection-{covert.pk}"' not in html
    lead = client_for(county.dept_lead).get("/supervision/inspections/").content.decode()
    assert f'id="inspection-{shown.pk}"' in lead and f'id="inspection-{covert.pk}"' not in lead
    outsider = client_for(county.outsider)
    assert outsider.get("/supervision/inspections/").status_code == 403


def test_the_inspector_publishes_a_covert_visit_from_its_page(county, sup, frozen):
    inspection = record(county, sup)
    row = Problem.objects.get()
    before = snapshot()
    # before publication the units concerned and the director see nothing of it
    for user in (county.dept_lead, county.director, sup.window_user):
        client = client_for(user)
        resp = client.get(f"/supervision/inspections/{inspection.pk}/")
        assert resp.status_code == 404 and code_of(resp) == "supervision.inspection_not_found"
        resp = client.post(f"/supervision/inspections/{inspection.pk}/publish/")
        assert resp.status_code == 404 and snapshot() == before
        assert client.get(f"/supervision/problems/{row.pk}/").status_code == 404
    inspector = client_for(county.inspector)
    page = inspector.get(f"/supervision/inspections/{inspection.pk}/").content.decode()
    assert 'id="covert-hidden"' in page and "发布</button>" in page and 'id="score">96<' in page
    frozen.shift(dt.timedelta(days=2))  # Wednesday 18 March
    inspector = client_for(county.inspector)
    resp = inspector.post(f"/supervision/inspections/{inspection.pk}/publish/")
    assert resp.status_code == 302 and resp["Location"].endswith("?published=1")
    row.refresh_from_db()
    assert not row.hidden_until_published and row.due_date == dt.date(2026, 4, 1)
    page = inspector.get(resp["Location"]).content.decode()
    assert 'id="published"' in page and "发布</button>" not in page
    # a second publication is refused on the page, with its code
    before = snapshot()
    resp = inspector.post(f"/supervision/inspections/{inspection.pk}/publish/")
    assert resp.status_code == 409 and code_of(resp) == "supervision.already_published"
    assert snapshot() == before
    lead = client_for(county.dept_lead)
    assert lead.get(f"/supervision/inspections/{inspection.pk}/").status_code == 200
    assert lead.get(f"/supervision/problems/{row.pk}/").status_code == 200
