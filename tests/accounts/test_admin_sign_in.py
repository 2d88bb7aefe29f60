"""The admin site has no sign-in of its own: /admin/login/ sends the browser to
/login/ (lockout, administrators' TOTP, audit), and only administrator roles
get in."""

import pyotp
import pytest
from django.test import Client

from yichuang.accounts.actions import user_totp_begin
from yichuang.accounts.models import User
from yichuang.lib.audit import AuditEntry

ADMIN_CONTENT = 'id="site-name"'  # the header of the admin's pages


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def sign_in(client: Client, username: str, password: str, next_: str = "/admin/"):
    return client.post(f"/login/?next={next_}", {"username": username, "password": password})


def failed_logins(username: str) -> int:
    return User.objects.values_list("failed_logins", flat=True).get(username=username)


def test_it_sends_a_password_posted_to_the_admin_login_to_the_audited_sign_in(county):
    client = Client()
    resp = client.post("/admin/login/", {"username": "countyadmin", "password": "wrong-pw"})
    assert resp.status_code == 302
    assert resp["Location"] == "/login/?next=%2Fadmin%2F"
    assert not signed_in(client)
    # The browser follows with the form of /login/, which counts and audits.
    before = AuditEntry.objects.filter(event="auth.login", actor_name="countyadmin").count()
    resp = client.post(resp["Location"], {"username": "countyadmin", "password": "wrong-pw"})
    assert resp.status_code == 401 and not signed_in(client)
    assert failed_logins("countyadmin") == 1
    rows = AuditEntry.objects.filter(event="auth.login", actor_name="countyadmin")
    assert rows.count() == before + 1
    assert rows.filter(success=False).exists()
    assert client.get("/admin/").status_code == 302


def test_it_shows_no_login_form_of_its_own(county):
    resp = Client().get("/admin/login/?next=/admin/accounts/user/")
    assert resp.status_code == 302
    assert resp["Location"] == "/login/?next=%2Fadmin%2Faccounts%2Fuser%2F"


def test_it_refuses_open_redirects_through_the_admin_login(county):
    for evil in ("https://evil.example/", "//evil.example/"):
        resp = Client().get("/admin/login/", {"next": evil})
        assert resp["Location"] == "/login/?next=%2Fadmin%2F"


def test_it_keeps_a_locked_account_out_through_the_admin_login(county):
    client = Client()
    for _ in range(5):
        client.post("/login/", {"username": "countyadmin", "password": "wrong-pw"})
    assert User.objects.get(username="countyadmin").is_locked()
    resp = client.post("/admin/login/", {"username": "countyadmin", "password": county.password})
    assert resp.status_code == 302 and resp["Location"].startswith("/login/")
    assert not signed_in(client)
    resp = client.post(resp["Location"], {"username": "countyadmin", "password": county.password})
    assert resp.status_code == 429 and not signed_in(client)
    assert client.get("/admin/").status_code == 302
    assert client.get("/dashboard/").status_code != 200


@pytest.mark.parametrize("via", ["/admin/login/?next=/admin/", "/login/?next=/admin/"])
def test_it_keeps_an_admin_without_totp_out_of_the_admin_in_production(county, settings, via):
    settings.TOTP_REQUIRED_FOR_ADMINS = True
    client = Client()
    resp = client.post(via, {"username": "admin", "password": county.password}, follow=True)
    assert not signed_in(client)
    assert ADMIN_CONTENT not in resp.content.decode()
    assert resp.request["PATH_INFO"] == "/login/"  # the project's sign-in answered
    resp = client.post("/login/?next=/admin/", {"username": "admin", "password": county.password})
    assert resp.status_code == 401 and not signed_in(client)
    assert client.get("/admin/").status_code == 302
    assert client.get("/admin/accounts/user/").status_code == 302


def test_it_keeps_a_session_without_totp_out_of_the_admin_in_production(county, settings):
    settings.TOTP_REQUIRED_FOR_ADMINS = True
    client = Client()
    client.force_login(county.admin)  # e.g. a session from before the switch
    resp = client.get("/admin/", follow=True)
    assert resp.status_code == 403 and ADMIN_CONTENT not in resp.content.decode()


def test_it_lets_an_admin_with_totp_in_through_the_sign_in(county, settings):
    settings.TOTP_REQUIRED_FOR_ADMINS = True
    secret = user_totp_begin(user=county.admin)
    client = Client()
    resp = client.post(
        "/login/?next=/admin/",
        {"username": "admin", "password": county.password, "otp": pyotp.TOTP(secret).now()},
    )
    assert resp.status_code == 302 and resp["Location"] == "/admin/"
    assert ADMIN_CONTENT in client.get("/admin/").content.decode()


@pytest.mark.parametrize("username", ["clerk_county", "director", "dept_rs", "inspector"])
def test_it_gives_staff_without_an_admin_role_no_admin_pages(county, username):
    # Being Django "staff" is not enough either.
    User.objects.filter(username=username).update(is_staff=True)
    client = Client()
    assert sign_in(client, username, county.password).status_code == 302
    assert signed_in(client)
    for url in ("/admin/", "/admin/accounts/user/", "/admin/lib/auditentry/"):
        resp = client.get(url, follow=True)
        assert resp.status_code == 403, url
        body = resp.content.decode()
        assert ADMIN_CONTENT not in body and 'name="password"' not in body, url
    assert client.get("/admin/login/").status_code == 403


@pytest.mark.parametrize("username", ["admin", "security", "auditor", "countyadmin"])
def test_it_lets_an_admin_role_signed_in_through_the_sign_in_open_the_admin(county, username):
    client = Client()
    resp = sign_in(client, username, county.password)
    assert resp.status_code == 302 and resp["Location"] == "/admin/"
    resp = client.get("/admin/")
    assert resp.status_code == 200 and ADMIN_CONTENT in resp.content.decode()
    # Signed in already: the admin login goes straight on.
    assert client.get("/admin/login/?next=/admin/")["Location"] == "/admin/"


def test_it_signs_out_of_the_admin_through_the_audited_logout(county):
    client = Client()
    sign_in(client, "countyadmin", county.password)
    resp = client.post("/admin/logout/")
    assert resp.status_code == 302 and not signed_in(client)
    assert AuditEntry.objects.filter(event="auth.logout", actor_name="countyadmin").exists()
