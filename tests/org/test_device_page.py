"""The system administrator's page of hall devices (issue 18, item 22): list,
issue (the token shown once, only its hash kept), revoke; audited; nobody
else may use it."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yichuang.lib.audit import AuditEntry
from yichuang.org.auth import device_by_token
from yichuang.org.models import Device, Window


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _token(html: str) -> str:
    return re.search(r'id="device-token">([^<]+)<', html).group(1)


def test_the_system_admin_issues_a_pad_token_shown_once(county):
    client = _client(county.admin)
    window = Window.objects.get(centre=county.hall, number=3)
    before = Device.objects.count()
    resp = client.post(
        "/org/devices/new",
        {"kind": "pad", "name": "3号窗评价器", "centre": county.hall.pk, "window": window.pk},
    )
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    raw = _token(resp.content.decode())
    device = Device.objects.get(name="3号窗评价器")
    assert Device.objects.count() == before + 1
    assert device.window == window and device.token_hash != raw and raw not in device.token_hash
    assert device_by_token(raw) == device
    entry = AuditEntry.objects.get(event="org.device_issued", object_id=str(device.pk))
    assert entry.actor_name == "admin" and raw not in str(entry.detail)
    # The list shows the device, never its token again.
    page = client.get("/org/devices/").content.decode()
    assert "3号窗评价器" in page and raw not in page and "从未" in page


def test_the_system_admin_revokes_a_token(county):
    client = _client(county.admin)
    html = client.post(
        "/org/devices/new", {"kind": "kiosk", "name": "新取号机", "centre": county.hall.pk}
    ).content.decode()
    raw = _token(html)
    device = Device.objects.get(name="新取号机")
    resp = client.post(f"/org/devices/{device.pk}/revoke")
    assert resp.status_code == 302
    device.refresh_from_db()
    assert not device.is_active and device_by_token(raw) is None
    assert AuditEntry.objects.filter(event="org.device_revoked", object_id=str(device.pk)).exists()
    assert client.post(f"/org/devices/{device.pk}/revoke").status_code == 409
    assert client.post("/org/devices/99999999999999999999/revoke").status_code == 404


def test_a_pad_must_be_bound_to_a_window_of_its_centre(county):
    client = _client(county.admin)
    before = Device.objects.count()
    other = Window.objects.get(centre=county.town, number=1)
    for data in (
        {"kind": "pad", "name": "x", "centre": county.hall.pk},
        {"kind": "pad", "name": "x", "centre": county.hall.pk, "window": other.pk},
        {"kind": "kiosk", "name": "x", "centre": county.hall.pk, "window": other.pk},
        {"kind": "robot", "name": "x", "centre": county.hall.pk},
        {"kind": "kiosk", "name": "", "centre": county.hall.pk},
    ):
        resp = client.post("/org/devices/new", data)
        assert resp.status_code == 422, data
        assert 'id="device-token"' not in resp.content.decode()
    assert Device.objects.count() == before
    assert not AuditEntry.objects.filter(event="org.device_issued").exists()


@pytest.mark.parametrize(
    "persona", ["county_admin", "director", "security", "auditor", "clerk", "inspector"]
)
def test_nobody_else_lists_issues_or_revokes_devices(county, persona):
    client = _client(getattr(county, persona))
    device = Device.objects.filter(is_active=True).first()
    before = Device.objects.count()
    assert client.get("/org/devices/").status_code == 403
    resp = client.post("/org/devices/new", {"kind": "kiosk", "name": "x", "centre": county.hall.pk})
    assert resp.status_code == 403
    assert client.post(f"/org/devices/{device.pk}/revoke").status_code == 403
    device.refresh_from_db()
    assert device.is_active and Device.objects.count() == before
    assert not AuditEntry.objects.filter(event__startswith="org.device_").exists()


def test_signed_out_visitors_are_sent_to_sign_in(county):
    resp = Client().post("/org/devices/new", {"kind": "kiosk", "name": "x"})
    assert resp.status_code == 302 and not Device.objects.filter(name="x").exists()
