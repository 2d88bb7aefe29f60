from yichuang.lib.audit import AuditEntry


def test_it_issues_a_token_with_roles_and_centres(api, county):
    client = api()
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "clerk_county", "password": county.password},
        content_type="application/json",
    )
    assert resp.status_code == 200
    body = resp.json()
    assert body["token"].startswith("yc_")
    assert body["user"]["username"] == "clerk_county"
    assert body["user"]["roles"] == ["clerk"]
    assert body["user"]["centres"] == ["county-hall"]
    assert AuditEntry.objects.filter(event="auth.token_issue", actor_name="clerk_county").exists()


def test_it_refuses_a_wrong_password_with_401_in_contract_shape(api, county):
    resp = api().post(
        "/api/v1/auth/token",
        {"username": "clerk_county", "password": "nope"},
        content_type="application/json",
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "accounts.bad_credentials"
    assert "密码" in resp.json()["message"]
    entry = AuditEntry.objects.filter(event="auth.login", success=False).first()
    assert entry is not None and entry.actor_name == "clerk_county"


def test_it_refuses_an_unknown_user_like_a_wrong_password(api, county):
    resp = api().post(
        "/api/v1/auth/token",
        {"username": "ghost", "password": "x"},
        content_type="application/json",
    )
    assert resp.status_code == 401
    assert resp.json()["code"] == "accounts.bad_credentials"


def test_it_locks_after_five_failures_with_429_even_for_the_right_password(api, county):
    client = api()
    codes = [
        client.post(
            "/api/v1/auth/token",
            {"username": "inspector", "password": "wrong"},
            content_type="application/json",
        ).status_code
        for _ in range(5)
    ]
    assert codes == [401, 401, 401, 401, 429]
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "inspector", "password": county.password},
        content_type="application/json",
    )
    assert resp.status_code == 429
    assert resp.json()["code"] == "accounts.locked"
    county.inspector.refresh_from_db()
    assert county.inspector.is_locked()


def test_it_unlocks_after_fifteen_minutes(api, county, time_machine):
    import datetime as dt

    from django.utils import timezone

    client = api()
    for _ in range(5):
        client.post(
            "/api/v1/auth/token",
            {"username": "inspector", "password": "wrong"},
            content_type="application/json",
        )
    time_machine.move_to(timezone.now() + dt.timedelta(minutes=16))
    resp = client.post(
        "/api/v1/auth/token",
        {"username": "inspector", "password": county.password},
        content_type="application/json",
    )
    assert resp.status_code == 200


def test_it_answers_malformed_json_in_contract_shape(api, county):
    resp = api().post("/api/v1/auth/token", "{not json", content_type="application/json")
    assert resp.status_code == 400
    assert resp.json()["code"] == "api.malformed_request"


def test_it_answers_missing_fields_with_422(api, county):
    resp = api().post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "api.invalid_request"
    assert any("password" in e["loc"] for e in body["errors"])


def test_it_refuses_protected_endpoints_without_a_token(api, county):
    resp = api().get("/api/v1/auth/me")
    assert resp.status_code == 401
    assert resp.json()["code"] == "accounts.auth_required"


def test_it_refuses_a_revoked_or_bogus_token(api, county):
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer yc_bogus"
    assert client.get("/api/v1/auth/me").status_code == 401
