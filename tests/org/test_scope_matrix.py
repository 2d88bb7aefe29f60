"""Every demo persona against every centre and every window: what the API
answers (200 or 404) must be what ``centres_for`` and ``windows_for`` say the
persona may see (a department lead: every centre, his department's windows)."""

import pytest
from django.test import Client

from yichuang.accounts.models import User
from yichuang.org.models import Centre, Window
from yichuang.org.scopes import centres_for, windows_for

# The personas of the demo county, by username (a trailing * takes every
# user whose name starts so: one lead per department, one clerk per window).
PERSONAS = [
    "admin",
    "security",
    "auditor",
    "countyadmin",
    "director",
    "director_*",
    "dept_*",
    "inspector",
    "greeter",
    "clerk_county",
    "clerk_w*",
    "clerk_town",
]


def _users(pattern: str) -> list[User]:
    if pattern.endswith("*"):
        users = User.objects.filter(username__startswith=pattern[:-1])
    else:
        users = User.objects.filter(username=pattern)
    return list(users.order_by("username"))


def _mismatches(user: User, centres: list[Centre], windows: list[Window]) -> list[str]:
    client = Client()
    client.force_login(user)
    seen = set(centres_for(user).values_list("code", flat=True))
    mine = set(windows_for(user).values_list("pk", flat=True))
    wrong = []
    for centre in centres:
        resp = client.get(f"/api/v1/centres/{centre.code}/windows")
        if centre.code in seen:
            listed = {w["id"] for w in resp.json()} if resp.status_code == 200 else None
            expected = {
                w.pk for w in windows if w.centre_id == centre.pk and w.is_active and w.pk in mine
            }
            if listed != expected:
                wrong.append(f"{user.username}: centre {centre.code} -> {resp.status_code}")
        elif (resp.status_code, resp.json().get("code")) != (404, "org.centre_not_found"):
            wrong.append(f"{user.username}: centre {centre.code} -> {resp.status_code}, not 404")
    for window in windows:
        resp = client.get(f"/api/v1/windows/{window.pk}/current")
        if window.pk in mine:
            assert window.centre.code in seen
            ok = resp.status_code == 200 and resp.json()["window"]["id"] == window.pk
        else:
            ok = (resp.status_code, resp.json().get("code")) == (404, "org.window_not_found")
        if not ok:
            wrong.append(f"{user.username}: window {window.pk} -> {resp.status_code}")
    return wrong


@pytest.mark.parametrize("pattern", PERSONAS)
def test_the_api_answers_each_window_as_the_scopes_say(county, pattern):
    users = _users(pattern)
    assert users, pattern
    centres = list(Centre.objects.all())
    windows = list(Window.objects.select_related("centre"))
    wrong = [line for user in users for line in _mismatches(user, centres, windows)]
    assert wrong == []


def test_the_personas_see_different_parts_of_the_county(county):
    """The matrix above compares real differences: county staff see every
    centre, a township clerk one, and the hall's clerks only the hall."""
    seen = {
        name: sorted(centres_for(_users(name)[0]).values_list("code", flat=True))
        for name in ("director", "clerk_town", "clerk_county", "dept_rs", "director_baisha")
    }
    every = sorted(Centre.objects.values_list("code", flat=True))
    assert seen["director"] == seen["dept_rs"] == every
    assert seen["clerk_town"] == ["chengguan"]
    assert seen["clerk_county"] == ["county-hall"]
    assert seen["director_baisha"] == ["baisha"]
    assert len(every) > 1 and Window.objects.exclude(centre__code="county-hall").exists()
    rs = sorted(windows_for(_users("dept_rs")[0]).values_list("centre__code", "department__code"))
    assert rs == [("county-hall", "rs")] * 4
