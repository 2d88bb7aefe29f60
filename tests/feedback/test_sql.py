"""Each statement of ``feedback.sql`` against what the ORM reads or computes
(run on SQLite and on PostgreSQL)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Count, Q
from django.utils import timezone

from yichuang.feedback import sql
from yichuang.feedback.actions import appeal_decide, appeal_file
from yichuang.feedback.actions.ratings import rating_prepare, rating_write
from yichuang.feedback.models import Rating, RatingDay, Throttle

from .helpers import rate

pytestmark = pytest.mark.django_db

BUCKET = dt.datetime(2026, 3, 16, 2, 0, tzinfo=dt.UTC)


def hits(key: str, bucket: dt.datetime) -> int:
    return Throttle.objects.get(key=key, bucket=bucket).hits


def test_a_throttle_hit_returns_the_count_the_table_holds():
    counts = [sql.throttle_hit("k", BUCKET) for _ in range(3)]
    assert counts == [1, 2, 3] and hits("k", BUCKET) == 3
    later = BUCKET + dt.timedelta(minutes=1)
    assert sql.throttle_hit("k", later) == 1
    assert hits("k", BUCKET) == 3 and hits("k", later) == 1


def test_a_throttle_hit_reads_the_other_counter_as_the_table_holds_it():
    assert sql.throttle_hit_reading("a", BUCKET, other_key="b", other_bucket=BUCKET) == (1, 0)
    sql.throttle_hit("b", BUCKET)
    sql.throttle_hit("b", BUCKET)
    got = sql.throttle_hit_reading("a", BUCKET, other_key="b", other_bucket=BUCKET)
    assert got == (hits("a", BUCKET), hits("b", BUCKET)) == (2, 2)


def prepared(ticket, level: int = 5):
    return rating_prepare(
        rating_code=ticket.rating_code,
        level=level,
        channel="qr",
        reasons=["attitude"] if level <= 2 else [],
        comment="很好",
        phone="",
        device=None,
        source_ip="10.0.0.9",
        now=timezone.now(),
    )


def test_a_rating_insert_writes_the_row_the_orm_reads_back(served, frozen):
    rating = prepared(served(1), 4).rating
    assert sql.rating_insert(rating)
    assert rating.pk is not None and not rating._state.adding
    stored = Rating.objects.get(pk=rating.pk)
    for field in Rating._meta.concrete_fields:
        assert getattr(stored, field.attname) == getattr(rating, field.attname), field.name


def test_a_second_insert_of_one_service_writes_nothing(served, frozen):
    ticket = served(1)
    assert sql.rating_insert(prepared(ticket, 5).rating)
    again = prepared(ticket, 1).rating
    assert not sql.rating_insert(again)
    assert again.pk is None
    assert list(Rating.objects.values_list("level", flat=True)) == [5]


CELL = ("day", "centre_id", "department_id", "window_id", "clerk_id", "item_id")
COUNTS = ("n1", "n2", "n3", "n4", "n5", "n_excluded", "n_default")


def cells_from_ratings() -> dict[tuple, tuple]:
    """The roll-up computed by the ORM: a GROUP BY over ratings."""
    valid = Q(excluded=False, is_default=False)
    rows = (
        Rating.objects.values(*CELL)
        .annotate(
            n1=Count("id", filter=valid & Q(level=1)),
            n2=Count("id", filter=valid & Q(level=2)),
            n3=Count("id", filter=valid & Q(level=3)),
            n4=Count("id", filter=valid & Q(level=4)),
            n5=Count("id", filter=valid & Q(level=5)),
            n_excluded=Count("id", filter=Q(excluded=True)),
            n_default=Count("id", filter=Q(is_default=True)),
        )
        .order_by()
    )
    return {
        tuple(r[k] or 0 if k != "day" else r[k] for k in CELL): tuple(r[n] for n in COUNTS)
        for r in rows
    }


def cells_stored() -> dict[tuple, tuple]:
    rows = RatingDay.objects.values(
        "day",
        "centre_id_key",
        "department_id_key",
        "window_id_key",
        "clerk_id_key",
        "item_id_key",
        *COUNTS,
    )
    return {
        (
            r["day"],
            r["centre_id_key"],
            r["department_id_key"],
            r["window_id_key"],
            r["clerk_id_key"],
            r["item_id_key"],
        ): tuple(r[n] for n in COUNTS)
        for r in rows
    }


def test_rating_day_cells_equal_a_group_by_over_ratings(served, county, frozen):
    # Three windows, every level, over two days; one rating excluded by an
    # upheld appeal and one default rating.
    levels = [1, 4, 3, 2, 5, 5, 5, 4]
    made = [rate(served(1 + i % 3), level, ip=f"10.0.1.{i}") for i, level in enumerate(levels)]
    frozen.shift(dt.timedelta(days=1))
    made += [rate(served(2), level, ip="10.0.2.1") for level in (5, 2)]
    unrated = served(3)
    with_default = rating_prepare(
        rating_code=unrated.rating_code,
        level=4,
        channel="default",
        reasons=[],
        comment="",
        phone="",
        device=None,
        source_ip=None,
        now=timezone.now(),
        is_default=True,
    )
    rating_write(with_default)
    bad = next(r for r in made if r.level == 1)
    appeal = appeal_file(
        rating=bad, kind="mistaken", reason="群众误点了", actor=county.window_clerk
    )
    appeal_decide(appeal=appeal, upheld=True, note="误评", actor=county.director)

    assert cells_stored() == cells_from_ratings()
    assert sum(sum(v) for v in cells_stored().values()) == len(made) + 1


def test_a_negative_count_on_a_missing_cell_starts_at_zero(served, frozen):
    rating = prepared(served(1), 5).rating
    sql.rating_day_add(rating, "n5", -1)
    sql.rating_day_add(rating, "n_excluded", 1)
    cell = RatingDay.objects.get()
    assert (cell.n5, cell.n_excluded) == (0, 1)
    with pytest.raises(ValueError):
        sql.rating_day_add(rating, "level", 1)
