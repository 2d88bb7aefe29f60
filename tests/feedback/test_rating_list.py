"""GET /api/v1/ratings: staff only, scoped, paginated."""

from __future__ import annotations

import pytest

from .helpers import rate

pytestmark = pytest.mark.django_db


def test_it_lists_scoped_and_paginated(api, county, served, frozen):
    for level in (5, 5, 4, 2):
        rate(served(1), level)
    rate(served(2), 3)
    director = api(county.director)
    body = director.get("/api/v1/ratings?limit=2").json()
    assert body["count"] == 5 and len(body["items"]) == 2
    item = body["items"][0]
    assert {"level", "channel", "excluded", "is_default", "created_at"} <= set(item)
    assert item["created_at"].endswith("+08:00")
    assert body["summary"]["satisfaction_rate"] == pytest.approx(0.8)
    assert director.get("/api/v1/ratings?offset=4").json()["items"][0]["level"] in (5, 4, 2, 3)
    hall = director.get("/api/v1/ratings?scope=centre:county-hall").json()
    assert hall["count"] == 5
    assert director.get("/api/v1/ratings?scope=centre:chengguan").json()["count"] == 0
    assert director.get("/api/v1/ratings?from=2026-03-17").json()["count"] == 0
    assert director.get("/api/v1/ratings?from=2026-03-16&to=2026-03-16").json()["count"] == 5


def test_clerks_see_their_own_and_outsiders_nothing(api, county, served, frozen):
    rate(served(1), 5)
    rate(served(2), 4)
    assert api(county.window_clerk).get("/api/v1/ratings").json()["count"] == 1
    assert api(county.outsider).get("/api/v1/ratings").json()["count"] == 0


def test_it_refuses_anonymous_devices_and_bad_input(api, county, pad, client, frozen):
    assert client.get("/api/v1/ratings").status_code == 401
    token = pad(1)
    assert client.get("/api/v1/ratings", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 403
    director = api(county.director)
    assert director.get("/api/v1/ratings?from=2026-13-01").status_code == 422
    assert director.get("/api/v1/ratings?from=1900-01-01").status_code == 422
    assert director.get("/api/v1/ratings?from=2026-03-02&to=2026-03-01").status_code == 422
    assert director.get("/api/v1/ratings?scope=planet:mars").status_code == 422
    assert director.get("/api/v1/ratings?limit=0").status_code == 422
