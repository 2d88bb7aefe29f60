import pyotp
from django.test import Client

from yichuang.accounts.actions import user_totp_begin
from yichuang.lib.audit import AuditEntry


def test_it_signs_in_and_shows_the_home_of_the_role(county):
    client = Client()
    resp = client.post("/login/", {"username": "director", "password": county.password})
    assert resp.status_code == 302
    home = client.get("/")
    assert "您好" in home.content.decode()
    assert "服务中心" in home.content.decode()  # the director sees the centres table
    assert AuditEntry.objects.filter(
        event="auth.login", actor_name="director", success=True
    ).exists()


def test_it_shows_a_clear_error_and_stays_signed_out(county):
    client = Client()
    resp = client.post("/login/", {"username": "director", "password": "bad"})
    assert resp.status_code == 401
    assert "用户名或密码不正确" in resp.content.decode()
    assert "_auth_user_id" not in client.session


def test_it_locks_the_page_login_too(county):
    client = Client()
    for _ in range(5):
        resp = client.post("/login/", {"username": "clerk_w01", "password": "bad"})
    assert resp.status_code == 429
    assert "锁定" in resp.content.decode()


def test_it_ends_idle_sessions_after_thirty_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_it_refuses_open_redirects_after_sign_in(county):
    resp = Client().post(
        "/login/?next=https://evil.example/", {"username": "director", "password": county.password}
    )
    assert resp["Location"] == "/"


def test_it_requires_totp_for_admins_in_production_mode(county, settings, api):
    settings.TOTP_REQUIRED_FOR_ADMINS = True
    client = api()
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": county.password},
        content_type="application/json",
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "accounts.totp_setup_required"
    secret = user_totp_begin(user=county.admin)
    county.admin.refresh_from_db()
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": county.password},
        content_type="application/json",
    )
    assert resp.json()["code"] == "accounts.otp_required"
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": county.password, "otp": "000000"},
        content_type="application/json",
    )
    assert resp.json()["code"] == "accounts.bad_otp"
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "admin", "password": county.password, "otp": pyotp.TOTP(secret).now()},
        content_type="application/json",
    )
    assert resp.status_code == 200
    # Clerks are not asked for a one-time password.
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "clerk_county", "password": county.password},
        content_type="application/json",
    )
    assert resp.status_code == 200


def test_it_keeps_outsiders_out_of_the_admin(county):
    client = Client()
    client.force_login(county.clerk)
    resp = client.get("/admin/")
    assert resp.status_code == 302 and "/admin/login/" in resp["Location"]
