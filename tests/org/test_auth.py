"""Tokens are looked up on every request: revoking a token, deactivating a user
or a device, or taking a role away applies to the very next request."""

import datetime as dt

from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from yichuang.accounts.actions import (
    api_token_revoke,
    user_grant_role,
    user_revoke_role,
)
from yichuang.accounts.models import Role, User
from yichuang.org.auth import DEVICE_COOKIE, DEVICE_SALT, device_from_request
from yichuang.org.models import Device, device_token_hash

WINDOWS = "/api/v1/centres/county-hall/windows"
TOWN_WINDOWS = "/api/v1/centres/chengguan/windows"


def _raw(client) -> str:
    return client.defaults["HTTP_AUTHORIZATION"].removeprefix("Bearer ")


def test_it_refuses_a_revoked_token_on_the_next_request(api, county):
    client = api(county.clerk)
    other = api(county.clerk)
    assert client.get(WINDOWS).status_code == 200
    api_token_revoke(raw=_raw(client), actor=county.clerk)
    resp = client.get(WINDOWS)
    assert resp.status_code == 401
    assert resp.json()["code"] == "accounts.auth_required"
    assert other.get(WINDOWS).status_code == 200  # only that token


def test_it_refuses_the_token_of_a_deactivated_user_on_the_next_request(api, county):
    client = api(county.clerk)
    assert client.get(WINDOWS).status_code == 200
    User.objects.filter(pk=county.clerk.pk).update(is_active=False)
    assert client.get(WINDOWS).status_code == 401


def test_it_refuses_a_token_past_its_expiry(api, county, settings, time_machine):
    client = api(county.clerk)
    assert client.get(WINDOWS).status_code == 200
    time_machine.move_to(timezone.now() + dt.timedelta(days=settings.API_TOKEN_DAYS, seconds=1))
    assert client.get(WINDOWS).status_code == 401


def test_it_applies_a_role_taken_away_or_given_on_the_next_request(api, county):
    # An account left with only an administrator role has no place in the halls
    # (三权分立): its staff record opens no centre while that is all it holds.
    user = county.inspector
    client = api(user)
    assert client.get(TOWN_WINDOWS).status_code == 200

    user_grant_role(user=user, role=Role.AUDIT_ADMIN)
    user_revoke_role(user=user, role=Role.INSPECTOR)
    resp = client.get(TOWN_WINDOWS)
    assert (resp.status_code, resp.json()["code"]) == (404, "org.centre_not_found")
    assert client.get("/api/v1/auth/me").json()["roles"] == ["audit_admin"]

    user_grant_role(user=user, role=Role.INSPECTOR)
    assert client.get(TOWN_WINDOWS).status_code == 200


def test_it_applies_a_changed_staff_scope_on_the_next_request(api, county):
    client = api(county.director)
    assert client.get(TOWN_WINDOWS).status_code == 200
    staff = county.director.staff
    staff.scope, staff.centre = staff.Scope.CENTRE, county.hall
    staff.save(update_fields=["scope", "centre"])
    assert client.get(TOWN_WINDOWS).status_code == 404
    assert client.get(WINDOWS).status_code == 200


def _device(centre, kind="display") -> str:
    raw = Device.new_token()
    Device.objects.create(kind=kind, name="t", centre=centre, token_hash=device_token_hash(raw))
    return raw


def test_it_refuses_a_device_deactivated_since_its_last_request(api, county):
    raw = _device(county.hall)
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    assert client.get(WINDOWS).status_code == 200
    Device.objects.filter(token_hash=device_token_hash(raw)).update(is_active=False)
    assert client.get(WINDOWS).status_code == 401
    Device.objects.filter(token_hash=device_token_hash(raw)).update(is_active=True)
    assert client.get(WINDOWS).status_code == 200


def test_it_marks_when_a_device_was_last_seen_at_most_once_a_minute(api, county, time_machine):
    raw = _device(county.hall)
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    client.get(WINDOWS)
    seen = Device.objects.get(token_hash=device_token_hash(raw)).last_seen_at
    assert seen is not None
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=30))
    client.get(WINDOWS)
    assert Device.objects.get(token_hash=device_token_hash(raw)).last_seen_at == seen
    time_machine.move_to(timezone.now() + dt.timedelta(seconds=61))
    client.get(WINDOWS)
    assert Device.objects.get(token_hash=device_token_hash(raw)).last_seen_at > seen


def _signed_cookie(raw: str) -> str:
    response = HttpResponse()
    response.set_signed_cookie(DEVICE_COOKIE, raw, salt=DEVICE_SALT)
    return response.cookies[DEVICE_COOKIE].value


def test_it_finds_a_page_device_by_query_or_by_cookie(county):
    raw = _device(county.hall, kind="kiosk")
    factory = RequestFactory()
    by_query = device_from_request(factory.get("/k/", {"device": raw}))
    assert by_query is not None and by_query.centre == county.hall

    request = factory.get("/k/")
    request.COOKIES[DEVICE_COOKIE] = _signed_cookie(raw)
    assert device_from_request(request) == by_query

    Device.objects.filter(pk=by_query.pk).update(is_active=False)
    assert device_from_request(request) is None
    assert device_from_request(factory.get("/k/", {"device": raw})) is None


def test_it_finds_no_device_without_a_valid_device_token(county):
    factory = RequestFactory()
    assert device_from_request(factory.get("/k/")) is None
    assert device_from_request(factory.get("/k/", {"device": "yc_staff_token"})) is None
    forged = factory.get("/k/")
    forged.COOKIES[DEVICE_COOKIE] = _device(county.hall)  # not signed
    assert device_from_request(forged) is None
