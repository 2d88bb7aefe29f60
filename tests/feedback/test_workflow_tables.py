"""The page and the API run a rectification's or a complaint's steps through
the same table (``actions.RECTIFICATION_STEPS``, ``actions.COMPLAINT_STEPS``)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yichuang.feedback import actions
from yichuang.feedback.models import Complaint, Rectification

from .helpers import rate

pytestmark = pytest.mark.django_db


def counting(monkeypatch, table: dict, name: str) -> list[str]:
    """Wrap the table's step ``name`` so each run is recorded."""
    runs: list[str] = []
    step = table[name]

    def wrapped(target, actor, given):
        runs.append(actor.username)
        return step(target, actor, given)

    monkeypatch.setitem(table, name, wrapped)
    return runs


def test_both_assign_a_rectification_through_the_table(served, county, api, frozen, monkeypatch):
    rect = Rectification.objects.get(rating=rate(served(1), 2))
    runs = counting(monkeypatch, actions.RECTIFICATION_STEPS, "assign")
    page = Client()
    page.force_login(county.director)
    page.post(
        f"/feedback/rectifications/{rect.pk}", {"action": "assign", "handler": "clerk_county"}
    )
    resp = api(county.director).post(
        f"/api/v1/rectifications/{rect.pk}/actions",
        json.dumps({"action": "assign", "handler": "clerk_county"}),
        content_type="application/json",
    )
    assert resp.status_code == 200
    assert runs == ["director", "director"]
    assert list(rect.events.values_list("type", flat=True)).count("rectification.assigned") == 2


def test_both_refuse_a_step_the_table_does_not_hold(served, county, api, frozen):
    rect = Rectification.objects.get(rating=rate(served(1), 2))
    page = Client()
    page.force_login(county.director)
    html = page.post(f"/feedback/rectifications/{rect.pk}", {"action": "fly"}).content.decode()
    assert "未知操作" in html
    resp = api(county.director).post(
        f"/api/v1/rectifications/{rect.pk}/actions",
        json.dumps({"action": "fly"}),
        content_type="application/json",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "feedback.bad_action"
    rect.refresh_from_db()
    assert rect.status == "new" and rect.events.count() == 1


def test_both_assign_a_complaint_through_the_table(county, hall, api, frozen, monkeypatch):
    c = actions.complaint_submit(kind="complaint", channel="mobile", description="等候太久")
    runs = counting(monkeypatch, actions.COMPLAINT_STEPS, "assign")
    page = Client()
    page.force_login(county.director)
    page.post(f"/feedback/complaints/{c.pk}", {"action": "assign", "handler": "clerk_county"})
    resp = api(county.director).post(
        f"/api/v1/complaints/{c.pk}/actions",
        json.dumps({"action": "assign", "handler": "clerk_county"}),
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["handler"] == "clerk_county"
    assert runs == ["director", "director"]
    assert Complaint.objects.get(pk=c.pk).status == "assigned"
