"""Where a figure is counted: a card on the first day past its limit (not the
day a late worker wrote it), a ticket at a comprehensive window for the
department of its queue or case; what stays unattributed says what it is."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.management import call_command
from django.db.models import Sum

from yichuang.cases.models import Card, Case
from yichuang.insights import kpis as k
from yichuang.insights.models import CaseCell, Grain
from yichuang.insights.rollups import rollup_tick

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def _yellow(centre: int, day: dt.date) -> int:
    return (
        CaseCell.objects.filter(grain=Grain.DAY, centre=centre, start=day).aggregate(
            n=Sum("yellow_cards")
        )["n"]
        or 0
    )


def _rebuild() -> None:
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_a_card_written_late_counts_on_the_day_the_limit_passed(history):
    case = (
        Case.objects.filter(due_date__isnull=False, item__isnull=False)
        .exclude(cards__rule="committed")
        .order_by("id")
        .first()
    )
    assert case is not None
    late_by = case.due_date + dt.timedelta(days=1)
    written = case.due_date + dt.timedelta(days=40)
    _rebuild()
    before = (_yellow(case.centre_id, late_by), _yellow(case.centre_id, written))
    Card.objects.create(
        case=case,
        level="yellow",
        rule="committed",
        reason="超过承诺时限",
        recorded_at=dt.datetime.combine(written, dt.time(10), tzinfo=TZ),
    )
    rollup_tick(settle=0)
    after_tick = (_yellow(case.centre_id, late_by), _yellow(case.centre_id, written))
    _rebuild()
    after = (_yellow(case.centre_id, late_by), _yellow(case.centre_id, written))
    assert after == (before[0] + 1, before[1])
    assert after_tick == after
    # The month report of the late day shows it.
    month = late_by.replace(day=1)
    scope = k.system_scope("county")
    figures = k.kpis(scope, month, (month + dt.timedelta(days=31)).replace(day=1) - dt.timedelta(1))
    assert figures["yellow_cards"] >= 1


def test_the_rows_without_a_department_or_window_say_what_they_are(history):
    _rebuild()
    scope = k.system_scope("county")
    lo, hi = dt.date(2026, 1, 1), dt.date(2026, 12, 31)
    names = {r["name"] for r in k.breakdown(scope, lo, hi, "department") if not r["id"]}
    names |= {r["name"] for r in k.breakdown(scope, lo, hi, "window") if not r["id"]}
    assert "（未指定）" not in names
