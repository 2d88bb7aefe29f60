"""三权分立 on the pages: the system, security and audit administrators are
refused the halls' desks (403 org.administrators_only) instead of being shown
an empty desk; hall staff still open them."""

from __future__ import annotations

import pytest
from tests.conftest import login_client

PAGES = [
    "/cases/",
    "/cases/new/",
    "/feedback/desk/",
    "/feedback/complaints/new",
    "/console/",
    "/dashboard/",
]


@pytest.mark.parametrize("who", ["admin", "security", "auditor"])
def test_administrators_are_refused_the_halls_desks(county, who):
    client = login_client(getattr(county, who))
    for path in PAGES:
        resp = client.get(path)
        assert resp.status_code == 403, path
        assert "三权分立" in resp.content.decode(), path
    resp = client.get("/api/v1/cases", HTTP_ACCEPT="application/json")
    assert resp.status_code in (200, 403)
    if resp.status_code == 200:
        assert resp.json()["items"] == []


def test_hall_staff_still_open_them(county):
    client = login_client(county.director)
    for path in PAGES:
        assert client.get(path).status_code == 200, path
