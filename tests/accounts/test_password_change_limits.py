"""A wrong current password on /me/password/ counts as a failed sign-in: the
same count, the same lockout and the same audit entries as /login/, so a
session left open can't be used to guess the password without limit."""

import pytest
from django.conf import settings
from django.test import Client

from yichuang.accounts.models import User
from yichuang.lib.audit import AuditEntry

OLD = "Demo@2026"
NEW = "Yunxi#Hall2027"

pytestmark = pytest.mark.django_db


def _browser(user) -> Client:
    user.set_password(OLD)
    user.save()
    browser = Client()
    assert browser.login(username=user.username, password=OLD)
    return browser


def _failures(user) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(event="auth.login", actor_id=user.pk, success=False).order_by(
            "id"
        )
    )


def test_a_wrong_current_password_counts_as_a_failed_sign_in(county):
    user = county.clerk
    browser = _browser(user)
    resp = browser.post(
        "/me/password/", {"old": "Wrong@2026pw", "new": NEW}, REMOTE_ADDR="10.1.2.3"
    )
    assert resp.status_code == 401 and "原密码不正确" in resp.content.decode()
    user.refresh_from_db()
    assert user.failed_logins == 1 and user.locked_until is None
    (entry,) = _failures(user)
    assert entry.detail["failures"] == 1 and entry.detail["via"] == "password_change"
    assert str(entry.source_ip) == "10.1.2.3"
    assert user.check_password(OLD)


def test_wrong_current_passwords_lock_the_account_and_the_page(county):
    user = county.clerk
    browser = _browser(user)
    attempts = settings.LOCKOUT_ATTEMPTS
    answers = [
        browser.post("/me/password/", {"old": f"Wrong@2026pw{i}", "new": NEW}).status_code
        for i in range(attempts)
    ]
    assert answers == [401] * (attempts - 1) + [429]
    user.refresh_from_db()
    assert user.is_locked()
    # The right current password no longer helps: the page refuses every try.
    resp = browser.post("/me/password/", {"old": OLD, "new": NEW})
    assert resp.status_code == 429 and "锁定" in resp.content.decode()
    user.refresh_from_db()
    assert user.check_password(OLD) and not user.check_password(NEW)
    assert not AuditEntry.objects.filter(event="accounts.password_change").exists()
    # Every failure is audited, the lockout marked on the last counted one.
    entries = _failures(user)
    assert [e.detail.get("failures") for e in entries[:attempts]] == list(range(1, attempts + 1))
    assert entries[attempts - 1].detail["locked"] is True
    assert entries[-1].detail.get("reason") == "locked"
    # The account is locked as for sign-in, at /login/ and through the API.
    assert Client().post("/login/", {"username": user.username, "password": OLD}).status_code == 429
    token = Client().post(
        "/api/v1/auth/token",
        {"username": user.username, "password": OLD},
        content_type="application/json",
    )
    assert token.status_code == 429


def test_the_right_current_password_clears_the_count(county):
    user = county.clerk
    browser = _browser(user)
    for _ in range(settings.LOCKOUT_ATTEMPTS - 1):
        browser.post("/me/password/", {"old": "Wrong@2026pw", "new": NEW})
    resp = browser.post("/me/password/", {"old": OLD, "new": NEW})
    assert resp.status_code == 200 and "密码已修改" in resp.content.decode()
    user.refresh_from_db()
    assert user.failed_logins == 0 and not user.is_locked() and user.check_password(NEW)


def test_failures_are_counted_per_user(county):
    user, other = county.clerk, county.outsider
    browser = _browser(user)
    for _ in range(settings.LOCKOUT_ATTEMPTS):
        browser.post("/me/password/", {"old": "Wrong@2026pw", "new": NEW})
    other.refresh_from_db()
    assert other.failed_logins == 0 and not other.is_locked()
    assert User.objects.get(pk=user.pk).is_locked()
