"""/supervision/checklists/ and its edit page: the supervision office or the
county admin copies the current version into a form, changes, adds and
removes lines, and publishes the next version; visits already recorded keep
their version; everyone else is refused and nothing changes."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from yichuang.supervision import actions
from yichuang.supervision.models import Checklist, ChecklistLine, Inspection

pytestmark = pytest.mark.django_db

URL = "/supervision/checklists/environment/edit/"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def code_of(resp) -> str:
    found = re.search(r'data-code="([^"]+)"', resp.content.decode())
    return found.group(1) if found else ""


def snapshot() -> list[tuple]:
    return sorted(
        ChecklistLine.objects.values_list(
            "checklist__code", "checklist__version", "checklist__is_current", "code", "points"
        )
    )


def form_of(checklist: Checklist, **changes) -> dict[str, str]:
    """The edit form as the page sends it: the current lines, then one blank row."""
    lines = list(checklist.lines.order_by("sort_order", "id"))
    data = {"name": checklist.name, "rows": str(len(lines) + 1), "version": str(checklist.version)}
    for i, line in enumerate(lines):
        data |= {
            f"l{i}-code": line.code,
            f"l{i}-text": line.text,
            f"l{i}-category": line.category,
            f"l{i}-points": str(line.points),
            f"l{i}-severity": line.severity,
        }
    n = len(lines)
    data |= {f"l{n}-code": "", f"l{n}-text": "", f"l{n}-category": "environment"}
    data |= {f"l{n}-points": "", f"l{n}-severity": "general"}
    return data | changes


def visit(county, checklist: Checklist) -> Inspection:
    line = checklist.lines.order_by("sort_order").first()
    return actions.inspection_record(
        centre=county.hall,
        kind="open",
        checklist=checklist,
        inspector=county.inspector,
        visited_at=dt.datetime(2026, 3, 16, 9, 0).astimezone(),
        findings=[actions.FindingInput(line=line.code, result="fail", note="地面有水渍")],
    )


def test_the_list_shows_each_checklist_with_its_lines(county, sup):
    resp = client_for(county.inspector).get("/supervision/checklists/")
    assert resp.status_code == 200
    html = resp.content.decode()
    for code in ("open-visit", "covert-visit", "environment"):
        assert f'id="checklist-{code}"' in html and f"/supervision/checklists/{code}/edit/" in html


def test_the_edit_page_copies_the_current_version(county, sup):
    current = Checklist.objects.get(code="environment", is_current=True)
    resp = client_for(county.county_admin).get(URL)
    assert resp.status_code == 200
    html = resp.content.decode()
    for line in current.lines.all():
        assert f'value="{line.text}"' in html
    assert f"保存为第{current.version + 1}版" in html


@pytest.mark.parametrize("who", ["inspector", "county_admin"])
def test_a_change_publishes_a_new_version_and_old_visits_keep_theirs(county, sup, who):
    old = Checklist.objects.get(code="environment", is_current=True)
    inspection = visit(county, old)
    first = old.lines.order_by("sort_order").first()
    last = old.lines.order_by("sort_order").last()
    n = old.lines.count()
    last_i = n - 1
    data = form_of(
        old,
        **{"l0-points": "8", "l0-severity": "severe", f"l{last_i}-delete": "1"},
        **{f"l{n}-text": "母婴室设施完好", f"l{n}-points": "3"},
    )
    resp = client_for(getattr(county, who)).post(URL, data)
    assert resp.status_code == 302 and resp["Location"].endswith("?done=environment")

    new = Checklist.objects.get(code="environment", is_current=True)
    assert new.version == old.version + 1 and new.created_by == getattr(county, who)
    lines = {x.code: x for x in new.lines.all()}
    assert len(lines) == n  # one removed, one added
    assert last.code not in lines
    assert (lines[first.code].points, lines[first.code].severity) == (8, "severe")
    added = next(x for x in lines.values() if x.text == "母婴室设施完好")
    assert added.code.startswith("N") and added.points == 3 and added.category == "environment"
    # The old version and the visit recorded with it are untouched.
    old.refresh_from_db()
    assert not old.is_current and old.lines.count() == n
    assert old.lines.get(code=first.code).points == first.points
    inspection.refresh_from_db()
    assert inspection.checklist_id == old.pk
    assert inspection.findings.get().line.checklist_id == old.pk


@pytest.mark.parametrize("who", ["clerk", "dept_lead", "director"])
def test_others_are_refused_and_nothing_changes(county, sup, who):
    old = Checklist.objects.get(code="environment", is_current=True)
    before = snapshot()
    client = client_for(getattr(county, who))
    assert client.get(URL).status_code == 403
    assert client.get("/supervision/checklists/").status_code == 403
    resp = client.post(URL, form_of(old, **{"l0-points": "9"}))
    assert resp.status_code == 403
    assert snapshot() == before


@pytest.mark.parametrize("points", ["abc", "0", "101", ""])
def test_bad_points_are_refused_in_chinese(county, sup, points):
    old = Checklist.objects.get(code="environment", is_current=True)
    before = snapshot()
    resp = client_for(county.inspector).post(URL, form_of(old, **{"l0-points": points}))
    assert resp.status_code == 422
    assert code_of(resp) == "supervision.bad_points"
    assert "分值须为 1–100" in resp.content.decode()
    assert snapshot() == before
    # The form keeps what was typed.
    assert f'name="l0-points" value="{points}"' in resp.content.decode()


def test_removing_every_line_is_refused(county, sup):
    old = Checklist.objects.get(code="environment", is_current=True)
    before = snapshot()
    data = form_of(old, **{f"l{i}-delete": "1" for i in range(old.lines.count())})
    resp = client_for(county.inspector).post(URL, data)
    assert resp.status_code == 422 and code_of(resp) == "supervision.no_lines"
    assert "至少要有一个条目" in resp.content.decode()
    assert snapshot() == before


def test_an_unknown_checklist_is_not_found(county, sup):
    resp = client_for(county.inspector).get("/supervision/checklists/nothing/edit/")
    assert resp.status_code == 404


def test_an_edit_of_a_version_since_replaced_is_refused(county, sup):
    old = Checklist.objects.get(code="environment", is_current=True)
    client = client_for(county.inspector)
    stale = form_of(old, **{"l0-points": "7"})
    assert client.post(URL, form_of(old, **{"l0-points": "9"})).status_code == 302
    before = snapshot()
    resp = client.post(URL, stale)
    assert resp.status_code == 409 and code_of(resp) == "supervision.checklist_changed"
    assert "请重新打开后再修改" in resp.content.decode()
    assert snapshot() == before


def tabs_of(resp) -> str:
    """The supervision pages' tab bar."""
    found = re.search(
        r'<nav class="tabs" aria-label="监督检查">(.*?)</nav>', resp.content.decode(), re.S
    )
    return found.group(1) if found else ""


@pytest.mark.parametrize("who", ["inspector", "county_admin"])
def test_the_checklists_tab_shows_for_who_may_edit_them_and_is_current_on_their_pages(
    county, sup, who
):
    client = client_for(getattr(county, who))
    home = tabs_of(client.get("/supervision/"))
    assert '<a href="/supervision/checklists/">检查表</a>' in home
    for url in ("/supervision/checklists/", URL):
        nav = tabs_of(client.get(url))
        assert '<a href="/supervision/checklists/" aria-current="page">检查表</a>' in nav
        assert nav.count('aria-current="page"') == 1
        assert '<a href="/supervision/inspections/">检查记录</a>' in nav


@pytest.mark.parametrize("who", ["clerk", "dept_lead", "director"])
def test_no_checklists_tab_for_who_cannot_open_the_page(county, sup, who):
    client = client_for(getattr(county, who))
    nav = tabs_of(client.get("/supervision/"))
    assert "问题清单" in nav
    assert "/supervision/checklists/" not in nav
    assert client.get("/supervision/checklists/").status_code == 403
