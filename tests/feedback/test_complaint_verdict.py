"""A 投诉 or 办不成事 is replied with a verdict (核实结论: 属实, 部分属实,
不属实) — the recorded fact that makes it substantiated; the other kinds take
none. Through the action, the API and the staff page."""

from __future__ import annotations

import importlib
import json

import pytest
from django.apps import apps
from django.test import Client

from yichuang.feedback import actions
from yichuang.feedback.models import Complaint

from .helpers import assert_refused

pytestmark = pytest.mark.django_db


def assigned(county, hall, kind: str = "complaint") -> Complaint:
    c = actions.complaint_submit(
        kind=kind, channel="mobile", description="窗口人员推诿", centre=hall
    )
    return actions.complaint_assign(complaint=c, handler=county.clerk, actor=county.director)


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


@pytest.mark.parametrize("kind", ["complaint", "unsolved"])
def test_a_complaint_is_not_replied_without_a_verdict(county, hall, frozen, kind):
    c = assigned(county, hall, kind)
    for missing in ("", "  "):
        assert_refused(
            422,
            "feedback.verdict_required",
            lambda v=missing: actions.complaint_reply(
                complaint=c, reply="已处理", actor=county.clerk, verdict=v
            ),
        )
    assert_refused(
        422,
        "feedback.bad_verdict",
        lambda: actions.complaint_reply(
            complaint=c, reply="已处理", actor=county.clerk, verdict="unsubstantiated"
        ),
    )
    assert_refused(
        422,
        "feedback.verdict_note_too_long",
        lambda: actions.complaint_reply(
            complaint=c,
            reply="已处理",
            actor=county.clerk,
            verdict="partly",
            verdict_note="查" * 301,
        ),
    )
    c = actions.complaint_reply(
        complaint=c, reply="已处理", actor=county.clerk, verdict="partly", verdict_note=" 部分属实 "
    )
    c.refresh_from_db()
    assert (c.status, c.verdict, c.verdict_note, c.verdict_by) == (
        "replied",
        "partly",
        "部分属实",
        county.clerk,
    )
    assert c.verdict_at is not None and c.is_substantiated


@pytest.mark.parametrize("kind", ["suggestion", "consultation"])
def test_other_kinds_refuse_a_verdict(county, hall, frozen, kind):
    c = assigned(county, hall, kind)
    assert_refused(
        422,
        "feedback.verdict_not_applicable",
        lambda: actions.complaint_reply(
            complaint=c, reply="感谢建议", actor=county.clerk, verdict="substantiated"
        ),
    )
    assert_refused(
        422,
        "feedback.verdict_not_applicable",
        lambda: actions.complaint_reply(
            complaint=c, reply="感谢建议", actor=county.clerk, verdict_note="属实"
        ),
    )
    c = actions.complaint_reply(complaint=c, reply="感谢建议", actor=county.clerk)
    c.refresh_from_db()
    assert (c.status, c.verdict, c.verdict_by, c.verdict_at) == ("replied", "", None, None)


def test_the_api_takes_and_shows_the_verdict(api, county, hall, frozen):
    c = assigned(county, hall)
    clerk = api(county.clerk)
    path = f"/api/v1/complaints/{c.pk}/actions"
    assert_refused(
        422,
        "feedback.verdict_required",
        lambda: post(clerk, path, {"action": "reply", "note": "x"}),
    )
    resp = post(clerk, path, {"action": "reply", "note": "x", "verdict": "maybe"})
    assert resp.status_code == 422 and resp.json()["code"] == "feedback.bad_verdict"
    assert "部分属实" in resp.json()["message"]
    resp = post(
        clerk,
        path,
        {"action": "reply", "note": "已约谈", "verdict": "unfounded", "verdict_note": "调取录像"},
    )
    assert resp.status_code == 200
    body = resp.json()
    assert (body["verdict"], body["verdict_note"]) == ("unfounded", "调取录像")
    assert body["verdict_at"].startswith("2026-03-16")
    listed = api(county.director).get("/api/v1/complaints").json()["items"]
    assert [(i["id"], i["verdict"]) for i in listed] == [(c.pk, "unfounded")]

    praise = assigned(county, hall, "suggestion")
    assert_refused(
        422,
        "feedback.verdict_not_applicable",
        lambda: post(
            clerk,
            f"/api/v1/complaints/{praise.pk}/actions",
            {"action": "reply", "note": "感谢", "verdict": "substantiated"},
        ),
    )


def test_the_openapi_document_names_the_verdict(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert {"verdict", "verdict_note"} <= set(schemas["ComplaintActionIn"]["properties"])
    assert {"verdict", "verdict_note", "verdict_at"} <= set(schemas["ComplaintOut"]["required"])


def test_the_staff_page_asks_for_and_shows_the_verdict(county, hall, frozen):
    c = assigned(county, hall)
    page = Client()
    page.force_login(county.clerk)
    url = f"/feedback/complaints/{c.pk}"
    html = page.get(url).content.decode()
    assert 'name="verdict" value="partly"' in html and "部分属实" in html
    assert 'id="complaint-verdict"' not in html
    before = Complaint.objects.filter(pk=c.pk).values_list("status", "verdict").get()
    resp = page.post(url, {"action": "reply", "note": "已约谈"})
    assert "请选择核实结论" in resp.content.decode()
    assert Complaint.objects.filter(pk=c.pk).values_list("status", "verdict").get() == before
    resp = page.post(
        url,
        {"action": "reply", "note": "已约谈", "verdict": "substantiated", "verdict_note": "属实"},
    )
    html = resp.content.decode()
    assert 'id="complaint-verdict"><b>属实</b>：属实' in html
    assert Complaint.objects.get(pk=c.pk).verdict == "substantiated"

    # A suggestion's reply form asks for no verdict.
    s = assigned(county, hall, "suggestion")
    assert 'name="verdict"' not in page.get(f"/feedback/complaints/{s.pk}").content.decode()


def test_complaints_replied_before_verdicts_keep_the_old_rule(county, hall, frozen):
    """Migration 0007: a 投诉 or 办不成事 replied (or closed) before verdicts
    were recorded is marked 属实, the rule the ledger applied to it; one still
    awaiting its reply, and the other kinds, are left to the reply."""
    migration = importlib.import_module("yichuang.feedback.migrations.0007_complaint_verdict")
    replied = actions.complaint_reply(
        complaint=assigned(county, hall), reply="已处理", actor=county.clerk, verdict="partly"
    )
    unsolved = actions.complaint_reply(
        complaint=assigned(county, hall, "unsolved"),
        reply="已处理",
        actor=county.clerk,
        verdict="unfounded",
    )
    closed = actions.complaint_close(complaint=unsolved, actor=county.director)
    waiting = assigned(county, hall)
    suggestion = actions.complaint_reply(
        complaint=assigned(county, hall, "suggestion"), reply="感谢", actor=county.clerk
    )
    Complaint.objects.update(verdict="", verdict_note="", verdict_at=None, verdict_by=None)

    migration.legacy_verdicts(apps, None)

    got = dict(Complaint.objects.values_list("pk", "verdict"))
    assert got == {
        replied.pk: "substantiated",
        closed.pk: "substantiated",
        waiting.pk: "",
        suggestion.pk: "",
    }
    legacy = Complaint.objects.get(pk=replied.pk)
    assert legacy.verdict_note == migration.LEGACY_NOTE and legacy.verdict_by is None
    assert legacy.verdict_at == legacy.replied_at
