"""Satisfaction (docs/domain.md, "The three targets") on hand-made examples:
excluded and default ratings are left out of every rate."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.feedback.actions import (
    appeal_decide,
    appeal_file,
    rates_of,
    rating_fill_defaults,
    satisfaction,
)
from yichuang.feedback.models import Rating
from yichuang.feedback.selectors import board_rows
from yichuang.lib.config import setting_set

from .helpers import rate

pytestmark = pytest.mark.django_db


def test_satisfaction_counts_levels_3_to_5_over_valid_ratings():
    assert satisfaction({5: 6, 4: 2, 3: 1, 2: 1}) == {
        "ratings": 10,
        "satisfaction_rate": 0.9,
        "bad_rating_rate": 0.1,
        "bad": 1,
    }
    assert satisfaction({})["satisfaction_rate"] is None
    assert satisfaction({1: 3})["satisfaction_rate"] == 0.0


def test_excluded_and_default_ratings_are_left_out(served, county, frozen):
    # 3 good, 2 bad; one bad one is then excluded by an upheld appeal.
    for level in (5, 4, 3):
        rate(served(1), level)
    bad1 = rate(served(1), 1)
    rate(served(1), 2)
    assert rates_of(Rating.objects.all())["satisfaction_rate"] == pytest.approx(3 / 5)

    appeal = appeal_file(
        rating=bad1, kind="malicious", reason="该群众未在本窗口办理", actor=county.window_clerk
    )
    appeal_decide(appeal=appeal, upheld=True, note="核实为误评", actor=county.director)
    bad1.refresh_from_db()
    assert bad1.excluded and "核实为误评" in bad1.exclusion_reason
    assert rates_of(Rating.objects.all()) == {
        "ratings": 4,
        "satisfaction_rate": 0.75,
        "bad_rating_rate": 0.25,
        "bad": 1,
    }

    # A province's "default good after N days": such ratings are left out too.
    setting_set(key="rating.default_after_days", value=3)
    unrated = served(1)
    frozen.shift(dt.timedelta(days=4))
    assert rating_fill_defaults() == 1
    default = Rating.objects.get(ticket=unrated)
    assert default.is_default and default.level == 4 and default.channel == "default"
    assert rates_of(Rating.objects.all())["ratings"] == 4

    # The board's roll-up gives the same figures.
    rows = board_rows(dim="window", centres=[county.hall.pk], start=None, end=None)
    row = next(r for r in rows if r["label"].startswith("1号"))
    assert (row["ratings"], row["satisfaction_rate"]) == (4, 0.75)
    assert row["excluded"] == 1 and row["default"] == 1


def test_a_rejected_appeal_keeps_the_rating_counted(served, county, frozen):
    bad = rate(served(1), 2)
    appeal = appeal_file(
        rating=bad, kind="mistaken", reason="群众误点了不满意", actor=county.window_clerk
    )
    appeal_decide(appeal=appeal, upheld=False, note="证据不足", actor=county.director)
    bad.refresh_from_db()
    assert not bad.excluded
    assert rates_of(Rating.objects.all())["satisfaction_rate"] == 0.0
