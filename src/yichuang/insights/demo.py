"""Demo step for `seed-demo` (to be listed in demo/steps.py after the steps
that write history): computes the roll-ups of the demo history and, when there
are at least six months of it, freezes its first three whole months as the
duration baseline, so the dashboard shows the demo county at once."""

from __future__ import annotations

import datetime as dt

from django.db.models import Min

from .kpis import active_baseline, baseline_freeze
from .models import CaseFact
from .rollups import month_end, rebuild


def build(run) -> None:
    counts = rebuild()
    first = CaseFact.objects.aggregate(m=Min("completed_on"))["m"]
    if first is not None and active_baseline() is None:
        start = month_end(first) + dt.timedelta(days=1)
        end = month_end(month_end(month_end(start) + dt.timedelta(days=1)) + dt.timedelta(days=1))
        if (dt.date.today() - end).days >= 90:
            baseline_freeze(label="演示基线", date_from=start, date_to=end)
    run.say("看板汇总：" + "，".join(f"{k} {v}" for k, v in counts.items()))
