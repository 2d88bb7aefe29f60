"""Supervision fixtures: the default checklists, a county-hall window of the
人社 department with its A clerk, and helpers that drive the ledger through
the API."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from yichuang.supervision.models import Problem, ProblemEvent


@pytest.fixture
def sup(county):
    """The world of a supervision test: the checklists, the 人社 window of the
    county hall (``window``) and its A clerk (``window_user``), a township
    window (``town_window``)."""
    from yichuang.accounts.models import User
    from yichuang.org.models import Post, Window
    from yichuang.supervision.defaults import ensure_checklists

    ensure_checklists()
    window = (
        Window.objects.filter(centre=county.hall, department__code="rs").order_by("number").first()
    )
    post = Post.objects.get(window=window)
    return SimpleNamespace(
        window=window,
        post=post,
        window_user=User.objects.get(staff=post.a_staff),
        town_window=Window.objects.filter(centre=county.town).order_by("number").first(),
    )


def post_json(client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


def snapshot() -> tuple:
    """What a refused request must leave unchanged."""
    from yichuang.supervision.models import Finding, Inspection

    return (
        Inspection.objects.count(),
        Finding.objects.count(),
        Problem.objects.count(),
        ProblemEvent.objects.count(),
        list(Problem.objects.order_by("id").values_list("id", "status", "due_date")),
    )


def assert_refused(resp, status: int, code: str, before: tuple) -> None:
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code
    assert snapshot() == before


def visit(client, centre: str, findings: list[dict], *, kind: str = "open", **extra):
    body = {
        "centre": centre,
        "kind": kind,
        "checklist": extra.pop("checklist", "open-visit"),
        "visited_at": extra.pop("visited_at", "2026-03-16T09:30:00+08:00"),
        "findings": findings,
        **extra,
    }
    return post_json(client, "/api/v1/inspections", body)


def act(client, problem_id: int, action: str, **fields):
    return post_json(client, f"/api/v1/problems/{problem_id}/actions", {"action": action, **fields})
