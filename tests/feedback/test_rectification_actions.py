"""Bad-rating handling through the API: new → assigned → called back → verified
→ rectified → feedback given → closed, with its refusals."""

from __future__ import annotations

import json

import pytest

from yichuang.accounts.models import User
from yichuang.feedback.models import Appeal, ContactView, Rectification
from yichuang.lib.audit import AuditEntry
from yichuang.lib.sms import MemoryBackend

from .helpers import rate

pytestmark = pytest.mark.django_db


def act(client, rect_id: int, **body):
    return client.post(
        f"/api/v1/rectifications/{rect_id}/actions",
        json.dumps(body),
        content_type="application/json",
    )


@pytest.fixture
def handler(county):
    return User.objects.get(username="clerk_county")


@pytest.fixture
def rect(served, frozen):
    rating = rate(served(1, phone="13912345678"), 1, reasons=["attitude", "buck_passing"])
    return Rectification.objects.get(rating=rating)


def test_it_walks_the_whole_flow(
    api, county, handler, rect, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    director, h = api(county.director), api(handler)
    steps = [
        (director, {"action": "assign", "handler": "clerk_county"}, "assigned"),
        (h, {"action": "call_back", "note": "已电话联系群众，致歉并了解情况"}, "called_back"),
        (
            h,
            {"action": "verify", "verdict": "substantiated", "note": "属实，窗口人员语气生硬"},
            "verified",
        ),
        (h, {"action": "rectify", "note": "批评教育，组织文明用语培训"}, "rectified"),
        (h, {"action": "feedback", "note": "已向群众反馈整改情况"}, "feedback_given"),
        (director, {"action": "close", "note": "整改到位"}, "closed"),
    ]
    for client, body, status in steps:
        with django_capture_on_commit_callbacks(execute=True):
            resp = act(client, rect.pk, **body)
        assert resp.status_code == 200, resp.content
        assert resp.json()["status"] == status
    rect.refresh_from_db()
    assert [e.new_status for e in rect.events.all()] == [
        "new",
        "assigned",
        "called_back",
        "verified",
        "rectified",
        "feedback_given",
        "closed",
    ]
    assert MemoryBackend.outbox and MemoryBackend.outbox[-1][0] == "13912345678"
    assert rect.followup_code in MemoryBackend.outbox[-1][1]


def test_it_refuses_steps_out_of_order_and_by_others(api, county, handler, rect):
    director, h = api(county.director), api(handler)
    resp = act(h, rect.pk, action="call_back", note="x")
    assert resp.status_code == 404  # not yet the handler: not his to see
    assert act(director, rect.pk, action="assign", handler="clerk_county").status_code == 200
    resp = act(h, rect.pk, action="rectify", note="x")
    assert resp.status_code == 409 and resp.json()["code"] == "feedback.bad_state"
    resp = act(director, rect.pk, action="call_back", note="x")
    assert resp.status_code == 403 and resp.json()["code"] == "feedback.not_handler"
    resp = act(h, rect.pk, action="call_back", note="")
    assert resp.status_code == 422
    resp = act(director, rect.pk, action="fly")
    assert resp.status_code == 422 and resp.json()["code"] == "feedback.bad_action"
    rect.refresh_from_db()
    assert rect.status == "assigned"


def test_the_rated_clerk_cannot_handle_his_own_bad_rating(api, county, rect):
    resp = act(api(county.director), rect.pk, action="assign", handler="clerk_w01")
    assert resp.status_code == 422
    assert resp.json()["code"] == "feedback.handler_is_rated"


def test_an_outsider_gets_404_and_nothing_changes(api, county, rect):
    resp = act(api(county.outsider), rect.pk, action="assign", handler="clerk_town")
    assert resp.status_code == 404
    assert api(county.outsider).get("/api/v1/rectifications").json()["count"] == 0
    rect.refresh_from_db()
    assert rect.status == "new" and rect.handler is None


def test_a_device_token_is_refused(api, rect, pad, client):
    token = pad(1)
    resp = client.get("/api/v1/rectifications", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.status_code == 403


def test_only_the_handler_sees_the_contact_and_each_view_is_logged(api, county, handler, rect):
    director = api(county.director)
    listed = director.get("/api/v1/rectifications?status=new").json()
    assert listed["count"] == 1
    assert listed["items"][0]["phone"] == "139****5678"
    assert director.get(f"/api/v1/rectifications/{rect.pk}/contact").status_code == 403
    act(director, rect.pk, action="assign", handler="clerk_county")
    resp = api(handler).get(f"/api/v1/rectifications/{rect.pk}/contact")
    assert resp.status_code == 200 and resp.json()["phone"] == "13912345678"
    assert ContactView.objects.filter(rectification=rect, viewer=handler).count() == 1
    assert AuditEntry.objects.filter(event="feedback.contact_view", actor_id=handler.pk).exists()


def test_list_filters_by_status_and_refuses_an_unknown_one(api, county, rect):
    director = api(county.director)
    assert director.get("/api/v1/rectifications?status=closed").json()["count"] == 0
    assert director.get("/api/v1/rectifications?status=bogus").status_code == 422


def test_an_unsubstantiated_verdict_files_an_appeal(api, county, handler, rect):
    director, h = api(county.director), api(handler)
    act(director, rect.pk, action="assign", handler="clerk_county")
    act(h, rect.pk, action="call_back", note="群众表示是误点")
    resp = act(h, rect.pk, action="verify", verdict="unsubstantiated", note="调取录像，服务规范")
    assert resp.status_code == 200
    appeal = Appeal.objects.get(rating=rect.rating)
    assert appeal.status == "pending" and appeal.filed_by == handler
    resp = director.post(
        f"/api/v1/appeals/{appeal.pk}/decide",
        json.dumps({"upheld": True, "note": "误评属实"}),
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["status"] == "upheld"
    rect.rating.refresh_from_db()
    assert rect.rating.excluded


def test_the_citizen_rates_the_handling(county, handler, rect, client):
    from yichuang.feedback import actions

    actions.rectification_assign(rectification=rect, handler=handler, actor=county.director)
    actions.rectification_call_back(rectification=rect, note="已回访", actor=handler)
    actions.rectification_verify(
        rectification=rect, verdict="substantiated", finding="属实", actor=handler
    )
    actions.rectification_rectify(rectification=rect, measures="已整改", actor=handler)
    actions.rectification_give_feedback(rectification=rect, note="已反馈", actor=handler)
    resp = client.post(f"/m/rate/followup/{rect.followup_code}", {"level": "5"})
    assert resp.status_code in (200, 302)
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.citizen_level == 5
    resp = client.post(f"/m/rate/followup/{rect.followup_code}", {"level": "1"})
    assert resp.status_code == 409
    rect.refresh_from_db()
    assert rect.citizen_level == 5


def test_overdue_rectifications_are_found(served, frozen, county):
    import datetime as dt

    rating = rate(served(1), 2)
    rect = Rectification.objects.get(rating=rating)
    assert not Rectification.objects.overdue().exists()
    frozen.shift(dt.timedelta(days=2))  # Wednesday: call-back was due Tuesday
    assert rect.callback_overdue() and not rect.rectify_overdue()
    assert list(Rectification.objects.overdue()) == [rect]


def test_an_id_number_typed_into_a_note_or_an_appeal_is_kept_masked(api, county, handler, rect):
    director, h = api(county.director), api(handler)
    assert act(director, rect.pk, action="assign", handler="clerk_county").status_code == 200
    note = "已联系群众王秀英，身份证369921198306300004，致歉"
    assert act(h, rect.pk, action="call_back", note=note).status_code == 200
    rect.refresh_from_db()
    assert "369921198306300004" not in rect.callback_note
    assert "369921" in rect.callback_note and "0004" in rect.callback_note
    notes = rect.events.values_list("note", flat=True)
    assert not any("369921198306300004" in n for n in notes)
    rated = api(rect.rating.clerk.user)
    resp = rated.post(
        f"/api/v1/ratings/{rect.rating_id}/appeals",
        json.dumps({"kind": "malicious", "reason": "评价人身份证369921198306300004，恶意"}),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    assert "369921198306300004" not in Appeal.objects.get(rating=rect.rating).reason
    assert not Appeal.objects.filter(reason__contains="369921198306300004").exists()
