"""Complaints through the API and the staff pages: filing, scoping, actions."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from yichuang.feedback.models import Complaint

pytestmark = pytest.mark.django_db


def post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def test_a_citizen_files_and_staff_handle_it(api, county, hall, frozen):
    resp = post(
        Client(),
        "/api/v1/complaints",
        {"kind": "complaint", "description": "窗口推诿", "centre": "county-hall", "window": 3},
    )
    assert resp.status_code == 201
    body = resp.json()
    assert body["reference"].startswith("TS2026") and body["due_date"] == "2026-03-23"
    director = api(county.director)
    listed = director.get("/api/v1/complaints?status=received").json()
    assert listed["count"] == 1 and listed["items"][0]["window"] == 3
    cid = listed["items"][0]["id"]
    resp = post(
        director,
        f"/api/v1/complaints/{cid}/actions",
        {"action": "assign", "handler": "clerk_county"},
    )
    assert resp.status_code == 200 and resp.json()["status"] == "assigned"
    resp = post(
        api(county.clerk),
        f"/api/v1/complaints/{cid}/actions",
        {"action": "reply", "note": "已约谈", "verdict": "partly", "verdict_note": "态度问题属实"},
    )
    assert resp.status_code == 200 and resp.json()["status"] == "replied"
    assert (resp.json()["verdict"], resp.json()["verdict_note"]) == ("partly", "态度问题属实")
    resp = post(director, f"/api/v1/complaints/{cid}/actions", {"action": "fly"})
    assert resp.status_code == 422


def test_the_outsider_sees_nothing_and_changes_nothing(api, county, hall, frozen):
    post(
        Client(),
        "/api/v1/complaints",
        {"kind": "complaint", "description": "x", "centre": "county-hall"},
    )
    c = Complaint.objects.get()
    outsider = api(county.outsider)
    assert outsider.get("/api/v1/complaints").json()["count"] == 0
    resp = post(outsider, f"/api/v1/complaints/{c.pk}/actions", {"action": "reply", "note": "x"})
    assert resp.status_code == 404
    page = Client()
    page.force_login(county.outsider)
    assert page.get(f"/feedback/complaints/{c.pk}").status_code == 404
    c.refresh_from_db()
    assert c.status == "received" and c.reply == ""


def test_phone_complaints_need_staff(county, hall, frozen):
    resp = post(
        Client(),
        "/api/v1/complaints",
        {"kind": "complaint", "description": "x", "channel": "phone"},
    )
    assert resp.status_code == 403
    resp = post(
        Client(), "/api/v1/complaints", {"kind": "complaint", "description": "x", "channel": "fax"}
    )
    assert resp.status_code == 422
    assert Complaint.objects.count() == 0


def test_the_import_page(county, hall, frozen):
    from django.core.files.uploadedfile import SimpleUploadedFile

    director = Client()
    director.force_login(county.director)
    csv = ("工单编号,受理时间,诉求类型,诉求内容\nGD1,2026-03-16 08:00,建议,增加停车位\n").encode(
        "utf-8-sig"
    )
    resp = director.post("/feedback/complaints/import", {"file": SimpleUploadedFile("w.csv", csv)})
    assert resp.status_code == 200 and "已导入 1 条工单" in resp.content.decode()
    assert Complaint.objects.get().channel == "hotline"
