"""The one generator of past activity: the demo county's months of hall
traffic (``seed-demo``), the histories the tests check the roll-ups and KPIs
against, and the benchmarks' large county.

``generator.py`` walks the working days and the centres; ``traffic.py`` writes
a centre's day of tickets, events and appointments; ``services.py`` the cases
that follow; ``ratings.py`` the ratings, rectifications and the ratings' daily
roll-up; ``writer.py`` the fast bulk writer they share.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from ..base import DemoRun
from .generator import History, HistoryStats, generate
from .ratings import rating_days_add

# The demo's county hall on an ordinary day, and a township centre's share of it.
DEMO_PER_DAY = 420
DEMO_TOWNSHIP_SHARE = 55 / 420


def build_history(run: DemoRun, months: int) -> int:
    """``months`` of hall traffic up to yesterday for the demo county (tickets,
    their events and appointments; the demo's cases and ratings steps follow).
    Returns the number of tickets."""
    end = timezone.localdate() - dt.timedelta(days=1)
    start = end - dt.timedelta(days=int(months * 30.4))
    history = History(
        seed=run.rng.randrange(2**32),
        per_day=DEMO_PER_DAY,
        township_share=DEMO_TOWNSHIP_SHARE,
        cases=False,
        ratings=False,
    )
    return history.days(start, end).tickets


__all__ = ["History", "HistoryStats", "build_history", "generate", "rating_days_add"]
