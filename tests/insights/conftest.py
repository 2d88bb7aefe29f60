"""The world of the insights tests: the demo county with its catalogue and
queues, and a generated history on top."""

from __future__ import annotations

import datetime as dt

import pytest

START = dt.date(2026, 3, 2)  # a Monday
DAYS = 12


def ensure_world() -> None:
    """Demo catalogue and queues on top of the shared organisation."""
    from yichuang.catalog.models import Item
    from yichuang.demo import catalog
    from yichuang.demo.base import DemoRun
    from yichuang.demo.queueing import build_structure
    from yichuang.org.models import Centre, Department

    build_structure()
    if not Item.objects.exists():
        run = DemoRun(seed=7)
        centres = list(Centre.objects.order_by("id"))
        run.ctx.update(
            departments={d.code: d for d in Department.objects.all()},
            centres=centres,
            hall=Centre.objects.get(code="county-hall"),
        )
        catalog.build(run)


def snapshot(model) -> list[tuple]:
    fields = [f.name for f in model._meta.concrete_fields if f.name not in ("id", "updated_at")]
    return sorted(model.objects.values_list(*fields))


@pytest.fixture
def world(county):
    ensure_world()
    return county


@pytest.fixture
def history(world):
    from yichuang.demo.history import generate

    return generate(start=START, days=DAYS, seed=11, per_day=30)
