"""Demo step: computes the roll-ups of the demo history and, when there
are at least six months of it, freezes its first three whole months as the
duration baseline (with a shorter history, its first whole month, as long as a
month of history follows it), so the dashboard shows the demo county at once."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min

from yichuang.insights.kpis import active_baseline, baseline_freeze
from yichuang.insights.models import CaseFact
from yichuang.insights.rollups import month_end, rebuild

from .base import DemoRun


def build(run: DemoRun) -> None:
    counts = rebuild()
    first = CaseFact.objects.aggregate(m=Min("completed_on"))["m"]
    if first is not None and active_baseline() is None:
        start = month_end(first) + dt.timedelta(days=1)
        one = month_end(start)
        three = month_end(month_end(one + dt.timedelta(days=1)) + dt.timedelta(days=1))
        if (dt.date.today() - three).days >= 90:
            baseline_freeze(label="演示基线", date_from=start, date_to=three)
        elif (dt.date.today() - one).days >= 28:
            baseline_freeze(label="演示基线（首月）", date_from=start, date_to=one)
    run.say("看板汇总：" + "，".join(f"{k} {v}" for k, v in counts.items()))
