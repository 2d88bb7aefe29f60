"""The KPI block of a scope and period, and the frozen baseline that the
actual duration reduction is measured against."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog import metrics as catalog_metrics
from yichuang.feedback.models import RatingDay
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Unprocessable
from yichuang.org.models import Centre, Department

from ..models import (
    Baseline,
    CaseCell,
    DurationBucket,
    Grain,
    RectificationCell,
    TicketCell,
    WaitBucket,
)
from ..rollups import WAIT_CAP_MINUTES
from .formulas import buckets, median_from_buckets, percentile_from_buckets, ratio, sums
from .scope import Scope, period_q

FORMULA_VERSION = "2026.1"
TARGETS = {"satisfaction_rate": 0.95, "committed_compression": 0.30, "one_visit_coverage": 0.90}
# A rate over fewer ratings than this is shown, but labelled as a small sample.
MIN_RATINGS = 30
LEVELS = ("n1", "n2", "n3", "n4", "n5")


def wait_figures(q: Q) -> dict[str, Any]:
    t = sums(
        TicketCell,
        q,
        ("issued", "called", "served", "no_show", "expired", "wait_seconds", "service_seconds"),
    )
    p90 = percentile_from_buckets(buckets(WaitBucket, q, "minute"), 0.9)
    return {
        "tickets": t["issued"],
        "tickets_called": t["called"],
        "tickets_served": t["served"],
        "avg_wait_minutes": (t["wait_seconds"] / t["called"] / 60) if t["called"] else None,
        "p90_wait_minutes": p90,
        "p90_wait_capped": p90 is not None and p90 >= WAIT_CAP_MINUTES,
        "avg_service_minutes": ((t["service_seconds"] / t["served"] / 60) if t["served"] else None),
        "no_show_rate": ratio(t["no_show"], t["called"]),
        "no_shows": t["no_show"],
        # Left waiting (or called and not served) at closing: the tickets the
        # hall failed to serve, per ticket taken (a citizen's visit once).
        "tickets_expired": t["expired"],
        "expired_rate": ratio(t["expired"], t["issued"]),
    }


def rating_figures(scope: Scope, lo: dt.date, hi: dt.date) -> dict[str, Any]:
    """Read from the ratings' daily roll-up that the feedback app keeps
    (``feedback.RatingDay``): valid ratings by level, excluded and default ones."""
    r = sums(RatingDay, scope.rating_days_q(lo, hi), (*LEVELS, "n_excluded", "n_default"))
    valid = sum(r[f] for f in LEVELS)
    return {
        "satisfaction_rate": ratio(r["n3"] + r["n4"] + r["n5"], valid),
        "bad_rating_rate": ratio(r["n1"] + r["n2"], valid),
        "ratings": valid,
        "bad_ratings": r["n1"] + r["n2"],
        "ratings_by_level": {str(i): r[f"n{i}"] for i in range(1, 6)},
        "ratings_excluded": r["n_excluded"],
        "ratings_default": r["n_default"],
        "ratings_small_sample": valid < MIN_RATINGS,
    }


def case_figures(q: Q) -> dict[str, Any]:
    c = sums(
        CaseCell,
        q,
        (
            "accepted",
            "completed",
            "on_time",
            "one_visit",
            "zero_visit",
            "visits",
            "yellow_cards",
            "red_cards",
        ),
    )
    return {
        "cases": c["completed"],
        "cases_accepted": c["accepted"],
        "one_visit_share_cases": ratio(c["one_visit"], c["completed"]),
        "zero_visit_share_cases": ratio(c["zero_visit"], c["completed"]),
        "avg_visits_per_case": ratio(c["visits"], c["completed"]),
        "on_time_rate": ratio(c["on_time"], c["completed"]),
        "median_workdays": median_from_buckets(buckets(DurationBucket, q, "workdays")),
        "yellow_cards": c["yellow_cards"],
        "red_cards": c["red_cards"],
    }


def rectification_figures(scope_q: Q, lo: dt.date, hi: dt.date) -> dict[str, Any]:
    """Rectifications due in the period: on time ÷ (on time + late + open past due)."""
    today = timezone.localdate()
    base = RectificationCell.objects.filter(scope_q, grain=Grain.DAY, start__gte=lo, start__lte=hi)
    fields = ("due", "on_time", "late", "open")
    row = base.aggregate(
        **{f"sum_{f}": Sum(f) for f in fields},
        sum_past=Sum("open", filter=Q(start__lt=today)),
    )
    all_ = {f: row[f"sum_{f}"] or 0 for f in fields}
    past = row["sum_past"] or 0
    settled = all_["on_time"] + all_["late"] + past
    return {
        "rectification_on_time_rate": ratio(all_["on_time"], settled),
        "rectifications": {
            "due": all_["due"],
            "on_time": all_["on_time"],
            "late": all_["late"],
            "open_overdue": past,
            "open_not_due": all_["open"] - past,
        },
    }


def catalogue_figures(scope: Scope) -> dict[str, Any]:
    """The catalogue's own metrics (catalog.metrics), for the scope."""
    if scope.centres is None and scope.department is None:
        m = catalog_metrics.catalog_metrics("county")
    elif scope.department is None and scope.centre_code:
        m = catalog_metrics.catalog_metrics(f"centre:{scope.centre_code}")
    elif scope.centres is None:
        m = catalog_metrics.catalog_metrics(f"department:{scope.department_code}")
    else:
        # A department inside a centre: the same formulas over those items.
        items, _info = catalog_metrics.scope_items("county")
        items = items.filter(centres__in=scope.centres, department_id=scope.department)
        m = catalog_metrics.figures(catalog_metrics._rows(items.distinct()))
    return {
        "items": m["items"],
        "one_visit_coverage": m["one_visit_coverage"],
        "zero_visit_share": m["zero_visit_share"],
        "volume_weighted_coverage": m["volume_weighted_coverage"],
        "committed_compression": m["committed_compression"],
        "statutory_days_total": m["statutory_days_total"],
        "committed_days_total": m["committed_days_total"],
    }


def active_baseline() -> Baseline | None:
    return Baseline.objects.filter(is_active=True).first()


def baseline_median(baseline: Baseline, scope: Scope) -> tuple[float | None, int]:
    stored = baseline.medians.get(scope.key)
    if stored is not None:
        return stored.get("median"), stored.get("cases", 0)
    q = scope.q() & period_q(baseline.period_from, baseline.period_to, coarse=True)
    counted = buckets(DurationBucket, q, "workdays")
    return median_from_buckets(counted), sum(counted.values())


def duration_figures(scope: Scope, median: float | None) -> dict[str, Any]:
    baseline = active_baseline()
    if baseline is None:
        return {"actual_duration_reduction": None, "baseline": None}
    base_median, base_cases = baseline_median(baseline, scope)
    reduction = None
    if median is not None and base_median:
        reduction = 1 - median / base_median
    return {
        "actual_duration_reduction": reduction,
        "baseline": {
            "label": baseline.label,
            "from": baseline.period_from.isoformat(),
            "to": baseline.period_to.isoformat(),
            "median_workdays": base_median,
            "cases": base_cases,
            "formula_version": baseline.formula_version,
            "frozen_at": timezone.localtime(baseline.frozen_at).isoformat(),
        },
    }


def kpis(scope: Scope, lo: dt.date, hi: dt.date) -> dict[str, Any]:
    """Every KPI of the scope over [lo, hi] (``GET /api/v1/kpis`` of the public API)."""
    q = scope.q() & period_q(lo, hi, coarse=True)
    out: dict[str, Any] = {"scope": scope.key, "scope_name": scope.name}
    out["from"], out["to"] = lo.isoformat(), hi.isoformat()
    out.update(rating_figures(scope, lo, hi))
    out.update(catalogue_figures(scope))
    cases = case_figures(q)
    out.update(cases)
    out.update(duration_figures(scope, cases["median_workdays"]))
    out.update(wait_figures(q))
    out.update(rectification_figures(scope.q(), lo, hi))
    out["targets"] = dict(TARGETS)
    out["formula_version"] = FORMULA_VERSION
    out["min_ratings"] = MIN_RATINGS
    # Every source the KPIs read is installed: nothing is unavailable.
    out["unavailable"] = []
    return out


def baseline_freeze(*, label: str, date_from: dt.date, date_to: dt.date, actor=None) -> Baseline:
    """Freeze the medians of a past period as the baseline (county, each centre,
    each department); the previous baseline stays, inactive."""
    if date_from > date_to:
        raise Unprocessable("insights.bad_period", _("开始日期不能晚于结束日期。"))
    medians: dict[str, dict[str, Any]] = {}
    scopes = [Scope(key="county", name="")]
    scopes += [
        Scope(key=f"centre:{c.code}", name="", centres=(c.id,), centre_code=c.code)
        for c in Centre.objects.all()
    ]
    scopes += [
        Scope(key=f"department:{d.code}", name="", department=d.id, department_code=d.code)
        for d in Department.objects.all()
    ]
    period = period_q(date_from, date_to, coarse=True)
    for s in scopes:
        counted = buckets(DurationBucket, s.q() & period, "workdays")
        if counted:
            medians[s.key] = {
                "median": median_from_buckets(counted),
                "cases": sum(counted.values()),
            }
    with transaction.atomic():
        Baseline.objects.filter(is_active=True).update(is_active=False)
        baseline = Baseline.objects.create(
            label=label,
            period_from=date_from,
            period_to=date_to,
            formula_version=FORMULA_VERSION,
            medians=medians,
            frozen_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            "insights.baseline_freeze",
            actor=actor,
            obj=baseline,
            period=f"{date_from}/{date_to}",
            formula_version=FORMULA_VERSION,
        )
    return baseline
