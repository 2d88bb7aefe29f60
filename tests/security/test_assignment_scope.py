"""Who may be named handler of a rectification or a complaint (issue 17, item 4).

The attack: ``dept_rs`` assigned a county-hall 人社 rectification to
``clerk_town``, who then read the rater's phone at
``/rectifications/<id>/contact``; a complaint against a clerk was assigned
to that same clerk. The rule: the handler is active staff inside the item's
centre and department, never the clerk rated or complained about."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from yichuang.accounts.models import User
from yichuang.feedback.models import Complaint, ContactView, FeedbackEvent, Rectification
from yichuang.lib.audit import AuditEntry
from yichuang.org.models import Window

pytestmark = pytest.mark.django_db


def user(name: str) -> User:
    return User.objects.get(username=name)


def act(client, path: str, **body):
    return client.post(path, json.dumps(body), content_type="application/json")


def refused(resp, status: int, code: str) -> bool:
    return (resp.status_code, resp.json().get("code")) == (status, code)


@pytest.fixture
def rs_rect(hall, frozen):
    """A bad rating of the 人社 window 5 at the county hall, by a citizen who
    left a phone: its rectification, waiting for a handler."""
    from yichuang.feedback.actions import rating_submit
    from yichuang.queueing.actions import ticket_call_next, ticket_finish, ticket_issue, window_open

    w5 = Window.objects.get(centre=hall, number=5)
    clerk = user("clerk_w05")
    window_open(window=w5, actor=clerk)
    ticket_issue(centre=hall, queue_code="social", channel="kiosk", phone="13912345678")
    ticket_call_next(window=w5, actor=clerk)
    ticket = ticket_finish(window=w5, actor=clerk)
    rating = rating_submit(
        rating_code=ticket.rating_code,
        level=1,
        channel="qr",
        reasons=["attitude"],
        source_ip="10.0.0.1",
        phone="13912345678",
    )
    rect = Rectification.objects.get(rating=rating)
    assert (rect.centre.code, rect.department.code) == ("county-hall", "rs")
    return rect


def rect_state(rect: Rectification):
    rect.refresh_from_db()
    return (
        rect.status,
        rect.handler_id,
        FeedbackEvent.objects.filter(rectification=rect).count(),
        ContactView.objects.count(),
    )


def test_a_department_lead_cannot_hand_a_rectification_to_a_township_clerk(api, rs_rect):
    before = rect_state(rs_rect)
    path = f"/api/v1/rectifications/{rs_rect.pk}/actions"
    resp = act(api(user("dept_rs")), path, action="assign", handler="clerk_town")
    assert refused(resp, 403, "feedback.handler_out_of_scope"), resp.content
    assert "承办人" in resp.json()["message"]
    assert rect_state(rs_rect) == before
    # so the township clerk never reaches the rater's phone
    contact = api(user("clerk_town")).get(f"/api/v1/rectifications/{rs_rect.pk}/contact")
    assert refused(contact, 404, "feedback.rectification_not_found")
    assert rect_state(rs_rect) == before
    assert not AuditEntry.objects.filter(event="feedback.contact_view").exists()


def test_a_rectification_stays_inside_its_department_and_off_the_rated_clerk(api, rs_rect):
    lead = api(user("dept_rs"))
    path = f"/api/v1/rectifications/{rs_rect.pk}/actions"
    before = rect_state(rs_rect)
    # 医保 window clerk of the same hall: another department
    resp = act(lead, path, action="assign", handler="clerk_w09")
    assert refused(resp, 403, "feedback.handler_out_of_scope")
    # the audit administrator: 三权分立, never a handler
    resp = act(lead, path, action="assign", handler="auditor")
    assert resp.status_code in (403, 422) and resp.json()["code"] in (
        "feedback.handler_out_of_scope",
        "feedback.bad_handler",
    )
    resp = act(lead, path, action="assign", handler="clerk_w05")
    assert refused(resp, 422, "feedback.handler_is_rated")
    assert rect_state(rs_rect) == before
    # a 人社 colleague of the hall, a comprehensive clerk of the hall, the lead himself
    for name in ("clerk_w06", "clerk_county", "dept_rs"):
        resp = act(lead, path, action="assign", handler=name)
        assert (resp.status_code, resp.json()["handler"]) == (200, name), resp.content


@pytest.fixture
def complaint_about_w05(hall, frozen):
    """A complaint about the clerk of the 人社 window 5 at the county hall."""
    from yichuang.feedback.actions import complaint_submit

    w5 = Window.objects.get(centre=hall, number=5)
    return complaint_submit(
        kind="complaint",
        channel="mobile",
        description="窗口人员态度生硬",
        window=w5,
        clerk=user("clerk_w05").staff,
        phone="13600001234",
    )


def complaint_state(c: Complaint):
    c.refresh_from_db()
    return (
        c.status,
        c.handler_id,
        FeedbackEvent.objects.filter(complaint=c).count(),
        ContactView.objects.count(),
    )


def test_a_complaint_is_never_handled_by_the_clerk_complained_about(api, complaint_about_w05):
    c = complaint_about_w05
    assert (c.centre.code, c.department.code) == ("county-hall", "rs")
    before = complaint_state(c)
    path = f"/api/v1/complaints/{c.pk}/actions"
    for lead in ("director", "dept_rs"):
        resp = act(api(user(lead)), path, action="assign", handler="clerk_w05")
        assert refused(resp, 422, "feedback.handler_is_complained"), resp.content
    assert complaint_state(c) == before


def test_a_complaint_is_handled_inside_its_centre_and_department(api, complaint_about_w05):
    c = complaint_about_w05
    path = f"/api/v1/complaints/{c.pk}/actions"
    before = complaint_state(c)
    for handler in ("clerk_town", "clerk_w09", "director_chengguan"):
        resp = act(api(user("dept_rs")), path, action="assign", handler=handler)
        assert refused(resp, 403, "feedback.handler_out_of_scope"), handler
    client = Client()
    client.force_login(user("clerk_town"))
    assert client.post(f"/feedback/complaints/{c.pk}", {"action": "contact"}).status_code == 404
    assert complaint_state(c) == before
    resp = act(api(user("dept_rs")), path, action="assign", handler="clerk_w06")
    assert (resp.status_code, resp.json()["status"]) == (200, "assigned")


def test_the_complaint_page_refuses_the_same(complaint_about_w05):
    c = complaint_about_w05
    client = Client()
    client.force_login(user("director"))
    before = complaint_state(c)
    html = client.post(
        f"/feedback/complaints/{c.pk}", {"action": "assign", "handler": "clerk_w05"}
    ).content.decode()
    assert "被投诉" in html
    html = client.post(
        f"/feedback/complaints/{c.pk}", {"action": "assign", "handler": "clerk_town"}
    ).content.decode()
    assert "承办人须为" in html
    assert complaint_state(c) == before


def test_the_page_offers_only_the_handlers_the_rule_allows(rs_rect):
    client = Client()
    client.force_login(user("dept_rs"))
    html = client.get(f"/feedback/rectifications/{rs_rect.pk}").content.decode()
    offered = set(re.findall(r'<option value="([^"]+)"', html))
    assert {"clerk_w06", "clerk_county", "dept_rs"} <= offered
    assert not offered & {"clerk_town", "clerk_w09", "clerk_w05", "auditor", "director_chengguan"}
