"""A password change revokes the API tokens taken with the old password."""

import pytest
from django.test import Client

from yichuang.accounts.models import ApiToken
from yichuang.lib.audit import AuditEntry

OLD = "Demo@2026"
NEW = "Yunxi#Hall2027"

pytestmark = pytest.mark.django_db


def _token(username: str, password: str) -> str:
    resp = Client().post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
    )
    assert resp.status_code == 200, resp.content
    return resp.json()["token"]


def _me(token: str) -> int:
    return Client().get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Bearer {token}").status_code


def test_a_password_change_revokes_the_users_tokens(county):
    user = county.clerk
    user.set_password(OLD)
    user.save()
    other = county.outsider
    other.set_password(OLD)
    other.save()
    token, others = _token(user.username, OLD), _token(other.username, OLD)
    assert (_me(token), _me(others)) == (200, 200)
    browser = Client()
    assert browser.login(username=user.username, password=OLD)
    resp = browser.post("/me/password/", {"old": OLD, "new": NEW})
    assert resp.status_code == 200 and "密码已修改" in resp.content.decode()
    assert _me(token) == 401  # taken with the old password
    assert _me(others) == 200  # another user's token is untouched
    assert _me(_token(user.username, NEW)) == 200
    entry = AuditEntry.objects.filter(event="accounts.password_change").latest("id")
    assert entry.detail["tokens_revoked"] == 1
    assert ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() == 1


def test_a_refused_password_change_keeps_the_tokens(county):
    user = county.clerk
    user.set_password(OLD)
    user.save()
    token = _token(user.username, OLD)
    browser = Client()
    assert browser.login(username=user.username, password=OLD)
    browser.post("/me/password/", {"old": "wrong-old-password", "new": NEW})
    browser.post("/me/password/", {"old": OLD, "new": "short"})
    assert _me(token) == 200
    assert not AuditEntry.objects.filter(event="accounts.password_change").exists()
