"""Each statement of ``insights/sql.py`` writes what the same rows built
through the ORM would be, on either database."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.models import Sum

from yichuang.insights import sql
from yichuang.insights.models import Grain, TicketCell
from yichuang.insights.rollups import COARSE_KEEP, COARSE_MODELS, SUMS, dims_of, month_end

MONTH = (2026, 3, 1)


def _rows(model, grain, fields):
    return sorted(model.objects.filter(grain=grain).values_list(*fields))


@pytest.fixture
def rolled_up(history):
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115


@pytest.mark.parametrize("model", list(SUMS), ids=lambda m: m.__name__)
def test_month_rows_insert_sums_the_day_rows_as_the_orm_would(rolled_up, model):
    first = dt.date(*MONTH)
    dims, sums = dims_of(model), SUMS[model]
    day_rows = model.objects.filter(grain=Grain.DAY, start__gte=first, start__lte=month_end(first))
    want = sorted(
        (r["centre"], *(r[d] for d in dims), *(r[s] for s in sums))
        for r in day_rows.order_by().values("centre", *dims).annotate(**{s: Sum(s) for s in sums})
    )
    assert want
    model.objects.filter(grain=Grain.MONTH).delete()
    for centre in sorted({row[0] for row in want}):
        sql.month_rows_insert(
            model,
            grain=Grain.MONTH,
            day_grain=Grain.DAY,
            dims=dims,
            sums=sums,
            centre=centre,
            first=first,
            last=month_end(first),
        )
    assert _rows(model, Grain.MONTH, ("centre", *dims, *sums)) == want
    assert set(model.objects.filter(grain=Grain.MONTH).values_list("start", flat=True)) == {first}


@pytest.mark.parametrize("model", list(COARSE_MODELS), ids=lambda m: m.__name__)
def test_coarse_rows_insert_sums_the_month_rows_as_the_orm_would(rolled_up, model):
    first = dt.date(*MONTH)
    dims, sums = dims_of(model), SUMS[model]
    kept = tuple(d for d in dims if d in COARSE_KEEP)
    other = tuple(d for d in dims if d not in COARSE_KEEP)
    defaults = tuple(model._meta.get_field(d).get_default() for d in other)
    months = model.objects.filter(grain=Grain.MONTH, start=first)
    want = sorted(
        (r["centre"], *(r[d] for d in kept), *defaults, *(r[s] for s in sums))
        for r in months.order_by().values("centre", *kept).annotate(**{s: Sum(s) for s in sums})
    )
    assert want
    model.objects.filter(grain=Grain.COARSE).delete()
    for centre in sorted({row[0] for row in want}):
        sql.coarse_rows_insert(
            model,
            grain=Grain.COARSE,
            month_grain=Grain.MONTH,
            kept=kept,
            other=other,
            sums=sums,
            centre=centre,
            first=first,
        )
    assert _rows(model, Grain.COARSE, ("centre", *kept, *other, *sums)) == want


def test_tables_analyse_gives_the_planner_statistics(rolled_up):
    table = TicketCell._meta.db_table
    sql.tables_analyse([TicketCell])
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
        else:
            cursor.execute("SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = %s", [table])
        (n,) = cursor.fetchone()
    assert n > 0
