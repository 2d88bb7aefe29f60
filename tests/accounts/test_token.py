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
    assert resp.json()["code"] == "auth.bad_credentials"
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
    assert resp.json()["code"] == "auth.bad_credentials"


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
    assert resp.json()["code"] == "auth.locked"
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
    assert resp.json()["code"] == "request.malformed"


def test_it_answers_missing_fields_with_422(api, county):
    resp = api().post("/api/v1/auth/token", {"username": "x"}, content_type="application/json")
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "request.invalid"
    assert any("password" in e["loc"] for e in body["errors"])


def test_it_refuses_protected_endpoints_without_a_token(api, county):
    resp = api().get("/api/v1/auth/me")
    assert resp.status_code == 401
    assert resp.json()["code"] == "auth.required"


def test_it_refuses_a_revoked_or_bogus_token(api, county):
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = "Bearer yc_bogus"
    assert client.get("/api/v1/auth/me").status_code == 401


def test_a_worker_trusts_a_checked_token_for_a_few_seconds_but_never_past_expiry(
    api, county, settings, monkeypatch
):
    import datetime as dt

    from django.utils import timezone

    from yichuang.accounts.models import ApiToken
    from yichuang.org import auth

    clock = [100.0]
    monkeypatch.setattr(auth.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(auth, "_CHECKED", {})
    settings.API_TOKEN_CHECK_SECONDS = 5
    path = "/api/v1/centres/county-hall/windows"

    client = api(county.clerk)
    assert client.get(path).status_code == 200  # first use: last_used_at written
    assert client.get(path).status_code == 200  # checked and kept
    ApiToken.objects.update(revoked_at=timezone.now())
    clock[0] += 4.9
    assert client.get(path).status_code == 200  # checked 4.9 s ago: still trusted
    clock[0] += 0.2
    assert client.get(path).status_code == 401  # checked again: revoked

    fresh = api(county.clerk)
    assert fresh.get(path).status_code == 200
    ApiToken.objects.filter(revoked_at=None).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert fresh.get(path).status_code == 401  # expiry needs no new check

    settings.API_TOKEN_CHECK_SECONDS = 0
    again = api(county.clerk)
    assert again.get(path).status_code == 200
    ApiToken.objects.update(revoked_at=timezone.now())
    assert again.get(path).status_code == 401  # 0: every request checks
