"""GET /api/v1/checklists and checklist versions: a change publishes a new
version; visits keep the version they were recorded with."""

from __future__ import annotations

import pytest

from yichuang.lib.errors import DomainError
from yichuang.supervision.actions import LineInput, checklist_publish
from yichuang.supervision.models import Checklist


def test_it_lists_the_current_checklists_with_their_lines(api, county, sup):
    resp = api(county.clerk).get("/api/v1/checklists")
    assert resp.status_code == 200, resp.content
    lists = {c["code"]: c for c in resp.json()}
    assert set(lists) == {"open-visit", "covert-visit", "environment"}
    assert {c["kind"] for c in lists.values()} == {"open", "covert", "environment"}
    line = next(x for x in lists["open-visit"]["lines"] if x["code"] == "L2")
    assert line == line | {"category": "language", "points": 10, "severity": "severe"}
    assert api().get("/api/v1/checklists").status_code == 401


def test_a_new_version_replaces_the_current_one(api, county, sup):
    old = Checklist.objects.get(code="environment", is_current=True)
    new = checklist_publish(
        code="environment",
        name="服务环境检查表",
        kind="environment",
        lines=[LineInput("E1", "大厅整洁", "environment", 5)],
        actor=county.inspector,
    )
    assert new.version == old.version + 1
    old.refresh_from_db()
    assert not old.is_current and old.lines.count() > 1
    resp = api(county.inspector).get("/api/v1/checklists")
    env = next(c for c in resp.json() if c["code"] == "environment")
    assert env["version"] == new.version and [x["code"] for x in env["lines"]] == ["E1"]


def test_only_the_supervision_office_edits_checklists(county, sup):
    with pytest.raises(DomainError) as err:
        checklist_publish(
            code="environment",
            name="x",
            kind="environment",
            lines=[LineInput("E1", "x", "environment", 5)],
            actor=county.director,
        )
    assert err.value.code == "supervision.not_allowed"
    assert Checklist.objects.filter(code="environment").count() == 1
