"""Default ratings (docs/domain.md, "Ratings"): where a province switches it
on, a service not rated within N days gets "满意" with ``is_default`` — a
finished ticket (一次一评) and a completed case (一事一评) alike — and such
ratings are left out of every rate."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client

from yichuang.feedback.actions import rates_of, rating_fill_defaults
from yichuang.feedback.models import Rating
from yichuang.feedback.selectors import board_rows
from yichuang.lib.config import setting_set

from .helpers import rate

pytestmark = pytest.mark.django_db


def test_off_by_default(completed_case, frozen):
    frozen.shift(dt.timedelta(days=30))
    assert rating_fill_defaults() == 0
    assert not Rating.objects.exists()


def test_a_case_unrated_after_the_period_gets_the_default(completed_case, frozen):
    setting_set(key="rating.default_after_days", value=3)
    frozen.shift(dt.timedelta(days=2, hours=23))
    assert rating_fill_defaults() == 0  # still within the period
    frozen.shift(dt.timedelta(hours=2))
    assert rating_fill_defaults() == 1
    rating = Rating.objects.get(case=completed_case)
    assert (rating.service_kind, rating.level, rating.channel) == ("case", 4, "default")
    assert rating.is_default and not rating.excluded
    assert rating.item_id == completed_case.item_id
    # Once, however often the worker runs; and the citizen can no longer rate.
    assert rating_fill_defaults() == 0
    resp = Client().post(
        "/api/v1/ratings",
        json.dumps({"rating_code": completed_case.rating_code, "level": 5, "channel": "progress"}),
        content_type="application/json",
    )
    assert resp.status_code == 409


def test_a_rated_case_is_left_alone(completed_case, frozen):
    setting_set(key="rating.default_after_days", value=3)
    resp = Client().post(
        "/api/v1/ratings",
        json.dumps({"rating_code": completed_case.rating_code, "level": 5, "channel": "progress"}),
        content_type="application/json",
    )
    assert resp.status_code == 201
    frozen.shift(dt.timedelta(days=4))
    assert rating_fill_defaults() == 0
    assert Rating.objects.get().is_default is False


def test_default_ratings_of_cases_and_tickets_are_left_out_of_every_rate(
    completed_case, served, county, frozen, api
):
    setting_set(key="rating.default_after_days", value=3)
    # Real ratings: 3 good, 1 bad at window 1 → 75 %.
    for level in (5, 4, 3, 2):
        rate(served(1), level)
    unrated_ticket = served(1)
    frozen.shift(dt.timedelta(days=4))
    assert rating_fill_defaults() == 2
    defaults = Rating.objects.filter(is_default=True)
    assert {r.service_kind for r in defaults} == {"ticket", "case"}
    assert defaults.get(service_kind="ticket").ticket == unrated_ticket
    everything = Rating.objects.all()
    assert everything.count() == 6
    assert rates_of(everything) == {
        "ratings": 4,
        "satisfaction_rate": 0.75,
        "bad_rating_rate": 0.25,
        "bad": 1,
    }
    # The board (roll-up) agrees, and counts the defaults beside the rates.
    rows = board_rows(dim="centre", centres=[county.hall.pk], start=None, end=None)
    (hall,) = rows
    assert (hall["ratings"], hall["satisfaction_rate"], hall["default"]) == (4, 0.75, 2)
    # The API shows them, flagged.
    listed = api(county.director).get("/api/v1/ratings?limit=50").json()["items"]
    assert sorted(r["is_default"] for r in listed) == [False] * 4 + [True] * 2
