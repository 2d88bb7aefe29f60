"""The county's KPIs, exactly as docs/domain.md ("The three targets", "Ratings")
defines them, read from the roll-ups (and the catalogue's own metrics) for any
period and scope.

Rates are fractions 0–1, never rounded here; ``None`` where there is no data.
The formulas, the baseline and ``FORMULA_VERSION`` are documented in
docs/insights.md; change the version whenever a formula changes. ``scope.py``
says whose figures and when, ``figures.py`` computes the KPI block and the
baseline, ``breakdowns.py`` splits them (by dimension, by month).
"""

from .breakdowns import (
    ALL_PARTS,
    DIMENSIONS,
    breakdown,
    holding_back,
    live_halls,
    monthly_trend,
    ratings_by,
    short_names,
    window_label,
)
from .figures import (
    FORMULA_VERSION,
    MIN_RATINGS,
    TARGETS,
    active_baseline,
    baseline_freeze,
    baseline_median,
    case_figures,
    catalogue_figures,
    duration_figures,
    kpis,
    rating_figures,
    rectification_figures,
    wait_figures,
)
from .formulas import median_from_buckets, percentile_from_buckets, ratio
from .scope import (
    Scope,
    county_wide,
    months_of,
    parse_period,
    period_q,
    resolve_scope,
    system_scope,
)

__all__ = [
    "ALL_PARTS",
    "DIMENSIONS",
    "FORMULA_VERSION",
    "MIN_RATINGS",
    "TARGETS",
    "Scope",
    "active_baseline",
    "baseline_freeze",
    "baseline_median",
    "breakdown",
    "case_figures",
    "catalogue_figures",
    "county_wide",
    "duration_figures",
    "holding_back",
    "kpis",
    "live_halls",
    "median_from_buckets",
    "monthly_trend",
    "months_of",
    "parse_period",
    "percentile_from_buckets",
    "period_q",
    "rating_figures",
    "ratings_by",
    "ratio",
    "rectification_figures",
    "resolve_scope",
    "short_names",
    "system_scope",
    "wait_figures",
    "window_label",
]
