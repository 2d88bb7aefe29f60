"""Recomputing every roll-up from the source tables, the same way the worker
recomputes a dirty cell, so the two agree by construction
(``tests/insights/test_rollups.py`` checks that they do)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import models, transaction
from django.db.models import Max, Min

from yichuang.cases.models import Card, Case
from yichuang.feedback.models import Rectification
from yichuang.queueing.models import Ticket

from .. import sql
from ..models import CaseFact, Cursor
from .cases import refresh_facts
from .cells import SUMS, chunks, local_date, month_end, month_start, refresh_months
from .worker import FAMILIES, SOURCES, cursor_of

Spans = dict[int, tuple[dt.date, dt.date]]


def _month_ranges(first: dt.date, last: dt.date) -> list[list[dt.date]]:
    out = []
    m = month_start(first)
    while m <= last:
        end = min(month_end(m), last)
        out.append([m + dt.timedelta(days=i) for i in range((end - m).days + 1)])
        m = month_end(m) + dt.timedelta(days=1)
    return out


def _span(model: type[models.Model], field: str, centre_field: str = "centre_id") -> dict:
    """{centre: (first, last) value of ``field``} over the whole table."""
    return {
        r[centre_field]: (r["lo"], r["hi"])
        for r in model._default_manager.order_by()
        .values(centre_field)
        .annotate(lo=Min(field), hi=Max(field))
        if r["lo"] is not None
    }


def _widen(spans: Spans, more: Spans) -> None:
    for centre, (lo, hi) in more.items():
        a, b = spans.get(centre, (lo, hi))
        spans[centre] = (min(a, lo), max(b, hi))


def _case_spans() -> Spans:
    """The days of each centre's case cells: acceptances, completions, cards."""
    spans: Spans = {}
    for field in ("accepted_on", "completed_on"):
        _widen(spans, _span(CaseFact, field, "centre"))
    cards = _span(Card, "recorded_at", "case__centre_id")
    _widen(spans, {c: (local_date(lo), local_date(hi)) for c, (lo, hi) in cards.items()})
    return spans


def rebuild(out: Callable[[str], object] | None = None) -> dict[str, int]:
    """Recompute every roll-up from the source tables, in one transaction."""

    def say(msg: str) -> None:
        if out is not None:
            out(msg)

    counts: dict[str, int] = {}
    with transaction.atomic():
        cursor_of("lock")
        Cursor.objects.select_for_update().filter(source="lock").first()
        # Cursors first: whatever arrives while we rebuild is applied afterwards.
        for source, (model, _t, _f) in SOURCES.items():
            top = model._default_manager.aggregate(m=Max("id"))["m"]
            Cursor.objects.update_or_create(source=source, defaults={"last_id": top or 0})
        tables: list[type[models.Model]] = [*SUMS, CaseFact]
        for table in tables:
            table._default_manager.all().delete()
        ids = list(Case.objects.order_by("id").values_list("id", flat=True))
        for chunk in chunks(ids, 20000):
            refresh_facts(chunk)
        counts["case_facts"] = CaseFact.objects.count()
        say(f"case facts: {counts['case_facts']}")
        plan: list[tuple[str, Spans]] = [
            ("tickets", _span(Ticket, "day")),
            ("cases", _case_spans()),
            ("rectifications", _span(Rectification, "rectify_due")),
        ]
        for family, spans in plan:
            recompute, cell_models = FAMILIES[family]
            for centre, (lo, hi) in sorted(spans.items()):
                for days in _month_ranges(lo, hi):
                    recompute(centre, days)
                    for model in cell_models:
                        refresh_months(model, centre, [days[0]])
            counts[family] = cell_models[0]._default_manager.count()
            say(f"{family}: {counts[family]} cells")
    analyse()
    return counts


def analyse() -> None:
    """Refresh the planner's statistics of the roll-up tables: a rebuild
    replaces every row, and until the database samples them again it plans
    the dashboard's reads for the old (often empty) tables."""
    sql.tables_analyse((*SUMS, CaseFact))
