"""Keeping the roll-up tables (``insights/models.py``) in step with the facts.

The facts live in the apps of the service loop, which never import insights;
the roll-ups follow their event tables from here. ``rollup_tick`` (run by the
worker, ``worker.py``) reads each source table past its cursor, works out which
(centre, day) cells the new rows touch, and recomputes exactly those cells from
the source rows; ``rebuild`` (``rebuild.py``) recomputes every cell the same
way. One module per family of cells: ``tickets.py``, ``cases.py``,
``rectifications.py``; what they share is in ``cells.py``. Ratings need no
family of their own: the feedback app keeps its daily roll-up
(``feedback.RatingDay``) as it writes them, and the KPIs read that.
"""

from .cases import (
    DONE_CASE_STATUSES,
    FACT_FIELDS,
    case_on_time,
    case_workdays,
    recompute_cases,
    refresh_facts,
)
from .cells import (
    COARSE_KEEP,
    COARSE_MODELS,
    SUMS,
    TZ,
    Pairs,
    dims_of,
    insert_rows,
    local_date,
    month_end,
    month_start,
    refresh_months,
)
from .rebuild import analyse, rebuild
from .rectifications import DONE_RECTIFICATION, recompute_rectifications, rectification_done_on
from .tickets import (
    PEAK_HOURS,
    WAIT_CAP_MINUTES,
    is_peak,
    recompute_tickets,
    ticket_wait,
    wait_minute,
)
from .worker import (
    BATCH,
    FAMILIES,
    SETTLE_SECONDS,
    SOURCES,
    apply,
    freshness,
    rollup_tick,
    tick_source,
)

__all__ = [
    "BATCH",
    "COARSE_KEEP",
    "COARSE_MODELS",
    "DONE_CASE_STATUSES",
    "DONE_RECTIFICATION",
    "FACT_FIELDS",
    "FAMILIES",
    "PEAK_HOURS",
    "SETTLE_SECONDS",
    "SOURCES",
    "SUMS",
    "TZ",
    "WAIT_CAP_MINUTES",
    "Pairs",
    "analyse",
    "apply",
    "case_on_time",
    "case_workdays",
    "dims_of",
    "freshness",
    "insert_rows",
    "is_peak",
    "local_date",
    "month_end",
    "month_start",
    "rebuild",
    "recompute_cases",
    "recompute_rectifications",
    "recompute_tickets",
    "rectification_done_on",
    "refresh_facts",
    "refresh_months",
    "rollup_tick",
    "tick_source",
    "ticket_wait",
    "wait_minute",
]
