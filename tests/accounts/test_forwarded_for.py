"""A client's ``X-Forwarded-For`` can't break the sign-in's audit write (and so
roll back the failure count), forge the audited address, or buy a fresh per-IP
budget: the app reads the header only through the configured trusted proxies."""

import pytest

from yichuang.accounts.models import User
from yichuang.cases.models import RateBucket
from yichuang.lib.audit import AuditEntry

TOKEN = "/api/v1/auth/token"


def sign_in(client, username, password, forwarded):
    return client.post(
        TOKEN,
        {"username": username, "password": password},
        content_type="application/json",
        HTTP_X_FORWARDED_FOR=forwarded,
    )


@pytest.mark.parametrize("proxies", [0, 1])
@pytest.mark.parametrize("forwarded", ["x", "999.1.1.1", "1.2.3.4, garbage", "", "\x00"])
def test_it_counts_and_audits_every_failure_whatever_the_header(
    api, county, settings, proxies, forwarded
):
    settings.TRUSTED_PROXIES = proxies
    client = api()
    codes = []
    for attempt in range(1, settings.LOCKOUT_ATTEMPTS + 1):
        codes.append(sign_in(client, "inspector", "wrong", forwarded).status_code)
        if attempt < settings.LOCKOUT_ATTEMPTS:
            assert User.objects.get(pk=county.inspector.pk).failed_logins == attempt
    assert codes == [401] * (settings.LOCKOUT_ATTEMPTS - 1) + [429]
    rows = AuditEntry.objects.filter(event="auth.login", actor_name="inspector")
    assert rows.count() == settings.LOCKOUT_ATTEMPTS
    assert {(r.success, r.source_ip) for r in rows} == {(False, "127.0.0.1")}
    # Locked: the right password is refused too, and that is audited as well.
    resp = sign_in(client, "inspector", county.password, forwarded)
    assert resp.status_code == 429 and resp.json()["code"] == "accounts.locked"
    assert User.objects.get(pk=county.inspector.pk).is_locked()
    assert rows.all().count() == settings.LOCKOUT_ATTEMPTS + 1


def test_a_forged_address_does_not_reach_the_audit_log(api, county, settings):
    settings.TRUSTED_PROXIES = 0
    resp = sign_in(api(), "clerk_county", county.password, "1.2.3.4")
    assert resp.status_code == 200
    entry = AuditEntry.objects.get(event="auth.login", actor_name="clerk_county")
    assert entry.success is True and entry.source_ip == "127.0.0.1"
    issue = AuditEntry.objects.get(event="auth.token_issue", actor_name="clerk_county")
    assert issue.source_ip == "127.0.0.1"


def test_the_address_a_trusted_proxy_saw_is_audited(api, county, settings):
    settings.TRUSTED_PROXIES = 1
    resp = sign_in(api(), "clerk_county", county.password, "1.2.3.4, 10.9.8.7")
    assert resp.status_code == 200
    entry = AuditEntry.objects.get(event="auth.login", actor_name="clerk_county")
    assert entry.source_ip == "10.9.8.7"


def progress(client, forwarded=None):
    extra = {} if forwarded is None else {"HTTP_X_FORWARDED_FOR": forwarded}
    return client.get("/api/v1/progress/unknown", **extra).status_code


def test_a_forged_address_gets_no_fresh_rate_limit_budget(api, county, settings):
    settings.TRUSTED_PROXIES = 0
    client = api()
    assert [progress(client) for _ in range(30)] == [404] * 30
    assert progress(client, "1.2.3.4") == 429
    assert progress(client, "5.6.7.8, 9.9.9.9") == 429
    assert progress(client, "x") == 429
    assert RateBucket.objects.count() == 1


def test_behind_a_trusted_proxy_each_client_has_its_own_budget(api, county, settings):
    settings.TRUSTED_PROXIES = 1
    client = api()
    assert [progress(client, "6.6.6.6, 10.0.0.1") for _ in range(30)] == [404] * 30
    assert progress(client, "10.0.0.1") == 429
    # What the client itself wrote to the left of the proxy's entry changes nothing.
    assert progress(client, "1.2.3.4, 10.0.0.1") == 429
    assert progress(client, "10.0.0.2") == 404
    assert RateBucket.objects.count() == 2
