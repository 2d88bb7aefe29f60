"""The roll-ups kept incrementally by the worker equal a rebuild from scratch."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from tests.insights.conftest import START, snapshot

from yichuang.demo.history import History
from yichuang.feedback.models import FeedbackEvent, Rating
from yichuang.insights.models import (
    CaseCell,
    CaseFact,
    DurationBucket,
    Grain,
    RectificationCell,
    TicketCell,
    WaitBucket,
)
from yichuang.insights.rollups import SUMS, rollup_tick

MODELS = [*SUMS, CaseFact]


def _all():
    return {m.__name__: snapshot(m) for m in MODELS}


def test_it_keeps_rollups_equal_to_a_rebuild(world):
    history = History(seed=5, per_day=25)
    for i in range(10):
        history.day(START + dt.timedelta(days=i))
        if i % 3 == 2:
            rollup_tick(settle=0)
    # A later event of an old rating: its rectification's cells are looked at again.
    r = Rating.objects.filter(excluded=False, is_default=False).order_by("id").first()
    FeedbackEvent.objects.create(type="rating.excluded", rating=r)
    rollup_tick(settle=0)
    incremental = _all()
    assert incremental["TicketCell"], "no ticket cells"
    assert any(row for row in incremental["WaitBucket"])
    # The coarse month rows are kept by the worker too, and compared below.
    for model in (TicketCell, WaitBucket, CaseCell, DurationBucket):
        assert model.objects.filter(grain=Grain.COARSE).exists(), model.__name__
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _all() == incremental


def test_it_sums_month_rows_from_day_rows(history):
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for model in (TicketCell, WaitBucket, CaseCell, DurationBucket, RectificationCell):
        for field in SUMS[model]:
            days = sum(model.objects.filter(grain=Grain.DAY).values_list(field, flat=True))
            months = sum(model.objects.filter(grain=Grain.MONTH).values_list(field, flat=True))
            assert days == months, (model.__name__, field)


def test_it_skips_a_batch_another_worker_claimed(history):
    from yichuang.insights.models import Cursor
    from yichuang.insights.rollups import tick_source

    assert tick_source("ticket_event", settle=0) > 0
    before = Cursor.objects.get(source="ticket_event").last_id
    assert tick_source("ticket_event", settle=0) > 0 or True
    # Nothing new: a second run reads nothing and leaves the cursor alone.
    while tick_source("ticket_event", settle=0):
        pass
    assert Cursor.objects.get(source="ticket_event").last_id >= before
    assert tick_source("ticket_event", settle=0) == 0


def test_it_freezes_a_baseline_from_the_command_line(history):
    from io import StringIO

    from yichuang.insights.models import Baseline

    call_command("rebuild_rollups", stdout=StringIO())
    out = StringIO()
    call_command("freeze_baseline", "--from", "2026-03-01", "--to", "2026-03-31", stdout=out)
    baseline = Baseline.objects.get(is_active=True)
    assert "county median" in out.getvalue()
    assert baseline.medians["county"]["cases"] > 0


def test_it_builds_the_demo_dashboard(history):
    from yichuang.demo import insights as demo
    from yichuang.demo.base import DemoRun

    run = DemoRun()
    demo.build(run)
    assert TicketCell.objects.exists()
    assert any("看板汇总" in line for line in run.out)


def test_it_sums_coarse_month_rows_from_month_rows(history):
    from django.db.models import Sum

    from yichuang.insights.rollups import COARSE_MODELS

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for model in COARSE_MODELS:
        keep = [f for f in ("department", "minute", "workdays") if hasattr(model, f)]
        fields = ("start", "centre", *keep)
        sums = {f: Sum(f) for f in SUMS[model]}

        def grouped(grain, model=model, fields=fields, sums=sums):
            rows = model.objects.filter(grain=grain).order_by().values(*fields).annotate(**sums)
            return sorted(tuple(r.values()) for r in rows)

        assert grouped(Grain.COARSE) == grouped(Grain.MONTH), model.__name__
        # Every other dimension is 0 (or false) in a coarse row.
        coarse = model.objects.filter(grain=Grain.COARSE)
        for field in ("window", "queue", "clerk", "item"):
            if hasattr(model, field):
                assert not coarse.exclude(**{field: 0}).exists(), (model.__name__, field)
        assert coarse.count() < model.objects.filter(grain=Grain.MONTH).count()


def test_its_migration_fills_the_coarse_rows_of_an_older_database(history, monkeypatch):
    """A database migrated from before grain "c" gets the rows the worker and
    the rebuild would have written (for the tables that are still there: the
    rating cells were dropped by a later migration)."""
    import importlib
    from types import SimpleNamespace

    from django.apps import apps
    from django.db import connection

    from yichuang.insights.rollups import COARSE_MODELS

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    want = {m.__name__: snapshot(m) for m in COARSE_MODELS}
    for model in COARSE_MODELS:
        model.objects.filter(grain=Grain.COARSE).delete()
    migration = importlib.import_module("yichuang.insights.migrations.0004_fill_coarse_month_rows")
    monkeypatch.delitem(migration.TABLES, "RatingCell")
    # fill() uses only the editor's connection.
    migration.fill(apps, SimpleNamespace(connection=connection))
    assert {m.__name__: snapshot(m) for m in COARSE_MODELS} == want
