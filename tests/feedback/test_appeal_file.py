"""Appeals against bad ratings (申诉)."""

from __future__ import annotations

import json

import pytest

from yichuang.feedback.models import Appeal

from .helpers import rate

pytestmark = pytest.mark.django_db


def file(client, rating_id, **body):
    return client.post(
        f"/api/v1/ratings/{rating_id}/appeals", json.dumps(body), content_type="application/json"
    )


def test_the_rated_clerk_appeals_and_the_director_decides(api, county, served, frozen):
    bad = rate(served(1), 1)
    resp = file(
        api(county.window_clerk), bad.pk, kind="malicious", reason="群众与他人争执后报复性差评"
    )
    assert resp.status_code == 201
    assert (
        file(api(county.window_clerk), bad.pk, kind="mistaken", reason="再次申诉").status_code
        == 409
    )
    appeal = Appeal.objects.get()
    # The clerk cannot decide; the director can.
    resp = api(county.window_clerk).post(
        f"/api/v1/appeals/{appeal.pk}/decide",
        json.dumps({"upheld": True}),
        content_type="application/json",
    )
    assert resp.status_code == 403
    resp = api(county.director).post(
        f"/api/v1/appeals/{appeal.pk}/decide",
        json.dumps({"upheld": True, "note": "查实"}),
        content_type="application/json",
    )
    assert resp.status_code == 200
    bad.refresh_from_db()
    assert bad.excluded
    assert [e.type for e in appeal.events.all()] == [
        "appeal.filed",
        "appeal.decided",
        "rating.excluded",
    ]


def test_it_refuses_appeals_on_good_ratings_and_by_others(api, county, served, frozen):
    good = rate(served(1), 5)
    assert file(api(county.window_clerk), good.pk, kind="mistaken", reason="无").status_code == 422
    bad = rate(served(1), 2)
    # Another clerk of the same centre may not see clerk_w01's rating at all.
    resp = file(api(county.clerk), bad.pk, kind="mistaken", reason="不是我办的")
    assert resp.status_code == 404
    resp = file(api(county.window_clerk), bad.pk, kind="bogus", reason="理由理由")
    assert resp.status_code == 422
    assert Appeal.objects.count() == 0
