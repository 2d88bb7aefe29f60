"""The county's KPIs, exactly as DOMAIN §6 defines them, read from the roll-ups
(and the catalogue's own metrics) for any period and scope.

Rates are fractions 0–1, never rounded here; ``None`` where there is no data.
The formulas, the baseline and ``FORMULA_VERSION`` are documented in
docs/insights.md; change the version whenever a formula changes.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.catalog import metrics as catalog_metrics
from yichuang.lib.errors import Forbidden, NotFound, Unprocessable
from yichuang.org.models import Centre, Department, Staff
from yichuang.org.scopes import centres_for, departments_for, staff_of

from .models import (
    Baseline,
    CaseCell,
    DurationBucket,
    Grain,
    RatingCell,
    RectificationCell,
    TicketCell,
    WaitBucket,
)
from .rollups import WAIT_CAP_MINUTES, month_end, month_start, source_model

FORMULA_VERSION = "2026.1"
TARGETS = {"satisfaction_rate": 0.95, "committed_compression": 0.30, "one_visit_coverage": 0.90}
# A rate over fewer ratings than this is shown, but labelled as a small sample.
MIN_RATINGS = 30


# --- scope and period ----------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    key: str
    name: str
    centres: tuple[int, ...] | None = None  # None: every centre
    department: int | None = None
    centre_code: str = ""
    department_code: str = ""

    def q(self) -> Q:
        q = Q()
        if self.centres is not None:
            q &= Q(centre__in=self.centres)
        if self.department is not None:
            q &= Q(department=self.department)
        return q

    def narrow(self, *, department: Department | None = None) -> Scope:
        """This scope limited to one department (a drill-down inside a centre)."""
        if department is None:
            return self
        return Scope(
            key=f"{self.key}/department:{department.code}",
            name=f"{self.name} · {department.name}",
            centres=self.centres,
            department=department.id,
            centre_code=self.centre_code,
            department_code=department.code,
        )


def _county_wide(user) -> bool:
    if user.is_superuser or user.has_role(Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN):
        return True
    staff = staff_of(user)
    return staff is not None and staff.scope == Staff.Scope.COUNTY


def resolve_scope(user, scope: str | None) -> Scope:
    """``county`` | ``centre:CODE`` | ``department:CODE``, within the user's own
    scope: outside it a centre or department is not found (404); the county is
    refused (403) to users who see only a centre or a department."""
    raw = (scope or "county").strip()
    staff = staff_of(user)
    by_dept = staff is not None and staff.scope == Staff.Scope.DEPARTMENT
    by_centre = staff is not None and staff.scope == Staff.Scope.CENTRE
    if raw == "county":
        if not _county_wide(user):
            raise Forbidden(
                "insights.scope_forbidden", _("您的数据范围不包括全县，请选择本中心或本部门。")
            )
        return Scope(key="county", name=_("全县"), centres=None)
    kind, _sep, code = raw.partition(":")
    if kind == "centre" and code:
        centre = centres_for(user).filter(code=code).first() if not by_dept else None
        if centre is None:
            raise NotFound("insights.scope_not_found", _("没有找到该服务中心：%(c)s") % {"c": code})
        return Scope(key=raw, name=centre.name, centres=(centre.id,), centre_code=centre.code)
    if kind == "department" and code:
        dept = departments_for(user).filter(code=code).first()
        if dept is None:
            raise NotFound("insights.scope_not_found", _("没有找到该部门：%(c)s") % {"c": code})
        if by_centre:
            # A centre's staff see a department only inside their own centre.
            centre = staff.centre if staff else None
            return Scope(
                key=raw,
                name=f"{centre.name if centre else ''} · {dept.name}",
                centres=(centre.id,) if centre else (),
                department=dept.id,
                centre_code=centre.code if centre else "",
                department_code=dept.code,
            )
        return Scope(key=raw, name=dept.name, department=dept.id, department_code=dept.code)
    raise Unprocessable(
        "insights.scope_invalid", _("统计范围须为 county、centre:代码 或 department:代码。")
    )


def system_scope(scope: str = "county") -> Scope:
    """A scope resolved without a user (the CLI report)."""
    raw = (scope or "county").strip()
    if raw == "county":
        return Scope(key="county", name=_("全县"))
    kind, _sep, code = raw.partition(":")
    if kind == "centre":
        centre = Centre.objects.filter(code=code).first()
        if centre:
            return Scope(key=raw, name=centre.name, centres=(centre.id,), centre_code=code)
    if kind == "department":
        dept = Department.objects.filter(code=code).first()
        if dept:
            return Scope(key=raw, name=dept.name, department=dept.id, department_code=code)
    raise NotFound("insights.scope_not_found", _("没有找到统计范围：%(s)s") % {"s": raw})


def parse_period(date_from: str | None, date_to: str | None) -> tuple[dt.date, dt.date]:
    """Dates ``YYYY-MM-DD``; by default the current year up to today."""
    today = timezone.localdate()
    try:
        lo = dt.date.fromisoformat(date_from) if date_from else today.replace(month=1, day=1)
        hi = dt.date.fromisoformat(date_to) if date_to else today
    except ValueError as exc:
        raise Unprocessable(
            "insights.bad_date", _("日期格式应为 YYYY-MM-DD。"), value=f"{date_from}/{date_to}"
        ) from exc
    if lo > hi:
        raise Unprocessable("insights.bad_period", _("开始日期不能晚于结束日期。"))
    if (hi - lo).days > 3660:
        raise Unprocessable("insights.bad_period", _("统计期间不能超过十年。"))
    return lo, hi


def period_q(lo: dt.date, hi: dt.date, *, coarse: bool = False) -> Q:
    """Cells covering [lo, hi]: whole months from month rows, edges from day rows.
    ``coarse``: whole months from the coarse month rows (centre × department
    only), for figures that group by nothing finer than the department."""
    q = Q(pk__in=[])
    months = []
    m = month_start(lo)
    while m <= hi:
        end = month_end(m)
        if m >= lo and end <= hi:
            months.append(m)
        else:
            q |= Q(grain=Grain.DAY, start__gte=max(m, lo), start__lte=min(end, hi))
        m = end + dt.timedelta(days=1)
    if months:
        q |= Q(grain=Grain.COARSE if coarse else Grain.MONTH, start__in=months)
    return q


# --- pure formulas -------------------------------------------------------------------


def ratio(num: float, den: float) -> float | None:
    return num / den if den else None


def percentile_from_buckets(buckets: dict[int, int], p: float) -> int | None:
    """Nearest-rank percentile of whole values counted in ``buckets``."""
    total = sum(buckets.values())
    if not total:
        return None
    rank = math.ceil(p * total)
    seen = 0
    for value in sorted(buckets):
        seen += buckets[value]
        if seen >= rank:
            return value
    return max(buckets)


def median_from_buckets(buckets: dict[int, int]) -> float | None:
    """The median (mean of the two middle values when the count is even)."""
    total = sum(buckets.values())
    if not total:
        return None
    lo_pos, hi_pos = (total - 1) // 2, total // 2
    values: list[int] = []
    seen = 0
    for value in sorted(buckets):
        nxt = seen + buckets[value]
        if seen <= lo_pos < nxt:
            values.append(value)
        if seen <= hi_pos < nxt:
            values.append(value)
        if len(values) == 2:
            break
        seen = nxt
    return (values[0] + values[-1]) / 2


def _sums(model: Any, q: Q, fields: Iterable[str]) -> dict[str, int]:
    fields = list(fields)
    row = model.objects.filter(q).aggregate(**{f: Sum(f) for f in fields})
    return {f: row[f] or 0 for f in fields}


def _buckets(model: Any, q: Q, value: str) -> dict[int, int]:
    return {
        v: n
        for v, n in model.objects.filter(q)
        .order_by()
        .values_list(value)
        .annotate(s=Sum("n"))
        .values_list(value, "s")
    }


def has_cases() -> bool:
    return source_model("cases.Case") is not None


def has_ratings() -> bool:
    return source_model("feedback.Rating") is not None


# --- the KPI block -------------------------------------------------------------------


def wait_figures(q: Q) -> dict[str, Any]:
    t = _sums(
        TicketCell,
        q,
        ("issued", "called", "served", "no_show", "wait_seconds", "service_seconds"),
    )
    buckets = _buckets(WaitBucket, q, "minute")
    p90 = percentile_from_buckets(buckets, 0.9)
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
    }


def rating_figures(q: Q) -> dict[str, Any]:
    if not has_ratings():
        return {
            "satisfaction_rate": None,
            "bad_rating_rate": None,
            "ratings": None,
            "ratings_small_sample": None,
        }
    r = _sums(RatingCell, q, ("n1", "n2", "n3", "n4", "n5", "excluded", "defaulted"))
    valid = r["n1"] + r["n2"] + r["n3"] + r["n4"] + r["n5"]
    return {
        "satisfaction_rate": ratio(r["n3"] + r["n4"] + r["n5"], valid),
        "bad_rating_rate": ratio(r["n1"] + r["n2"], valid),
        "ratings": valid,
        "bad_ratings": r["n1"] + r["n2"],
        "ratings_by_level": {str(i): r[f"n{i}"] for i in range(1, 6)},
        "ratings_excluded": r["excluded"],
        "ratings_default": r["defaulted"],
        "ratings_small_sample": valid < MIN_RATINGS,
    }


def case_figures(q: Q) -> dict[str, Any]:
    if not has_cases():
        return {
            "cases": None,
            "one_visit_share_cases": None,
            "on_time_rate": None,
            "median_workdays": None,
            "yellow_cards": None,
            "red_cards": None,
        }
    c = _sums(
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
    durations = _buckets(DurationBucket, q, "workdays")
    return {
        "cases": c["completed"],
        "cases_accepted": c["accepted"],
        "one_visit_share_cases": ratio(c["one_visit"], c["completed"]),
        "zero_visit_share_cases": ratio(c["zero_visit"], c["completed"]),
        "avg_visits_per_case": ratio(c["visits"], c["completed"]),
        "on_time_rate": ratio(c["on_time"], c["completed"]),
        "median_workdays": median_from_buckets(durations),
        "yellow_cards": c["yellow_cards"],
        "red_cards": c["red_cards"],
    }


def rectification_figures(scope_q: Q, lo: dt.date, hi: dt.date) -> dict[str, Any]:
    """Rectifications due in the period: on time ÷ (on time + late + open past due)."""
    if not has_ratings():
        return {"rectification_on_time_rate": None, "rectifications": None}
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
    buckets = _buckets(DurationBucket, q, "workdays")
    return median_from_buckets(buckets), sum(buckets.values())


def duration_figures(scope: Scope, median: float | None) -> dict[str, Any]:
    baseline = active_baseline()
    if baseline is None or not has_cases():
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
    """Every KPI of the scope over [lo, hi] (CONTRACT: GET /api/v1/kpis)."""
    q = scope.q() & period_q(lo, hi, coarse=True)
    out: dict[str, Any] = {"scope": scope.key, "scope_name": scope.name}
    out["from"], out["to"] = lo.isoformat(), hi.isoformat()
    out.update(rating_figures(q))
    out.update(catalogue_figures(scope))
    cases = case_figures(q)
    out.update(cases)
    out.update(duration_figures(scope, cases["median_workdays"]))
    out.update(wait_figures(q))
    out.update(rectification_figures(scope.q(), lo, hi))
    out["targets"] = dict(TARGETS)
    out["formula_version"] = FORMULA_VERSION
    out["min_ratings"] = MIN_RATINGS
    missing = [name for name, ok in (("cases", has_cases()), ("ratings", has_ratings())) if not ok]
    out["unavailable"] = missing
    return out


# --- baseline ------------------------------------------------------------------------


def baseline_freeze(*, label: str, date_from: dt.date, date_to: dt.date, actor=None) -> Baseline:
    """Freeze the medians of a past period as the baseline (county, each centre,
    each department); the previous baseline stays, inactive."""
    from django.db import transaction

    from yichuang.lib.audit import audit_record

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
        buckets = _buckets(DurationBucket, s.q() & period, "workdays")
        if buckets:
            medians[s.key] = {
                "median": median_from_buckets(buckets),
                "cases": sum(buckets.values()),
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


# --- breakdowns ----------------------------------------------------------------------

DIMENSIONS = ("centre", "department", "window", "clerk", "item", "queue")


def _group(model: Any, q: Q, dim: str, fields: Iterable[str]) -> dict[int, dict[str, int]]:
    fields = list(fields)
    return {
        r[dim]: {f: r[f] or 0 for f in fields}
        for r in model.objects.filter(q)
        .order_by()
        .values(dim)
        .annotate(**{f: Sum(f) for f in fields})
    }


def _names(dim: str, ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in ids if i]
    label = {
        "centre": "org.Centre",
        "department": "org.Department",
        "window": "org.Window",
        "clerk": "org.Staff",
        "item": "catalog.Item",
        "queue": "queueing.Queue",
    }[dim]
    model = source_model(label)
    if dim == "window":
        return {
            w.id: f"{w.centre.name} {w.number}号 {w.name}"
            for w in model.objects.filter(id__in=ids).select_related("centre")
        }
    if dim == "queue":
        return {
            q.id: f"{q.centre.name} {q.prefix} {q.name}"
            for q in model.objects.filter(id__in=ids).select_related("centre")
        }
    return dict(model.objects.filter(id__in=ids).values_list("id", "name"))


ALL_PARTS = ("tickets", "ratings", "cases")


def breakdown(
    scope: Scope, lo: dt.date, hi: dt.date, dim: str, parts: tuple[str, ...] = ALL_PARTS
) -> list[dict[str, Any]]:
    """The KPIs of each centre / department / window / clerk / item / queue
    (``parts`` limits which roll-ups are read; the others count as zero)."""
    if dim not in DIMENSIONS:
        raise Unprocessable("insights.bad_dimension", _("不支持的分组方式。"))
    # A centre or department breakdown needs no finer cells than the coarse ones.
    q = scope.q() & period_q(lo, hi, coarse=dim in ("centre", "department"))
    tickets = (
        _group(TicketCell, q, dim, ("issued", "called", "no_show", "wait_seconds"))
        if dim != "item" and "tickets" in parts
        else {}
    )
    ratings = (
        _group(RatingCell, q, dim, ("n1", "n2", "n3", "n4", "n5"))
        if has_ratings() and "ratings" in parts
        else {}
    )
    case_fields = ("completed", "on_time", "one_visit", "visits", "red_cards", "yellow_cards")
    cases = (
        _group(CaseCell, q, dim, case_fields)
        if has_cases() and dim in ("centre", "department", "clerk", "item") and "cases" in parts
        else {}
    )
    keys = set(tickets) | set(ratings) | set(cases)
    names = _names(dim, keys)
    rows: list[dict[str, Any]] = []
    for key in keys:
        t = tickets.get(key, {})
        r = ratings.get(key, {})
        c = cases.get(key, {})
        valid = sum(r.get(f"n{i}", 0) for i in range(1, 6))
        rows.append(
            {
                "id": key,
                "name": names.get(key) or _("（未指定）"),
                "tickets": t.get("issued", 0),
                "avg_wait_minutes": (
                    t["wait_seconds"] / t["called"] / 60 if t.get("called") else None
                ),
                "no_show_rate": ratio(t.get("no_show", 0), t.get("called", 0)),
                "ratings": valid,
                "satisfaction_rate": ratio(r.get("n3", 0) + r.get("n4", 0) + r.get("n5", 0), valid),
                "bad_ratings": r.get("n1", 0) + r.get("n2", 0),
                "small_sample": valid < MIN_RATINGS,
                "cases": c.get("completed", 0),
                "on_time_rate": ratio(c.get("on_time", 0), c.get("completed", 0)),
                "one_visit_share_cases": ratio(c.get("one_visit", 0), c.get("completed", 0)),
                "avg_visits_per_case": ratio(c.get("visits", 0), c.get("completed", 0)),
                "red_cards": c.get("red_cards", 0),
                "yellow_cards": c.get("yellow_cards", 0),
            }
        )
    rows.sort(key=lambda x: (-x["tickets"], -x["cases"], -x["ratings"], x["name"]))
    return rows


def monthly_trend(scope: Scope, lo: dt.date, hi: dt.date) -> list[dict[str, Any]]:
    """Satisfaction, one-visit share of cases and the median duration, by month."""
    months = []
    m = month_start(lo)
    while m <= hi:
        months.append(m)
        m = month_end(m) + dt.timedelta(days=1)
    q = scope.q() & Q(grain=Grain.COARSE, start__in=months)
    ratings: dict[dt.date, Any] = defaultdict(dict)
    if has_ratings():
        for row in (
            RatingCell.objects.filter(q)
            .order_by()
            .values("start")
            .annotate(**{f"n{i}": Sum(f"n{i}") for i in range(1, 6)})
        ):
            ratings[row["start"]] = row
    cases: dict[dt.date, Any] = defaultdict(dict)
    durations: dict[dt.date, dict[int, int]] = defaultdict(dict)
    if has_cases():
        for row in (
            CaseCell.objects.filter(q)
            .order_by()
            .values("start")
            .annotate(
                completed=Sum("completed"), one_visit=Sum("one_visit"), on_time=Sum("on_time")
            )
        ):
            cases[row["start"]] = row
        for start, w, n in (
            DurationBucket.objects.filter(q)
            .order_by()
            .values("start", "workdays")
            .annotate(s=Sum("n"))
            .values_list("start", "workdays", "s")
        ):
            durations[start][w] = n
    tickets: dict[dt.date, Any] = {
        row["start"]: row
        for row in TicketCell.objects.filter(q)
        .order_by()
        .values("start")
        .annotate(issued=Sum("issued"), called=Sum("called"), wait=Sum("wait_seconds"))
    }
    out = []
    for m in months:
        r, c, t = ratings.get(m, {}), cases.get(m, {}), tickets.get(m, {})
        valid = sum(r.get(f"n{i}", 0) or 0 for i in range(1, 6))
        out.append(
            {
                "month": m.strftime("%Y-%m"),
                "ratings": valid,
                "satisfaction_rate": ratio(
                    (r.get("n3") or 0) + (r.get("n4") or 0) + (r.get("n5") or 0), valid
                ),
                "cases": c.get("completed") or 0,
                "one_visit_share_cases": ratio(c.get("one_visit") or 0, c.get("completed") or 0),
                "on_time_rate": ratio(c.get("on_time") or 0, c.get("completed") or 0),
                "median_workdays": median_from_buckets(durations.get(m, {})),
                "tickets": t.get("issued") or 0,
                "avg_wait_minutes": (t["wait"] / t["called"] / 60) if t.get("called") else None,
            }
        )
    return out


def holding_back(
    scope: Scope,
    lo: dt.date,
    hi: dt.date,
    limit: int = 10,
    known: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The "what holds us back" lists. ``known``: full breakdowns the caller
    already has ({dimension: rows}), reused instead of read again."""
    known = known or {}

    def rows(dim: str, parts: tuple[str, ...]) -> list[dict[str, Any]]:
        if dim in known:
            return known[dim]
        return breakdown(scope, lo, hi, dim, parts)

    q = scope.q() & period_q(lo, hi)
    out: dict[str, Any] = {}
    items = [r for r in rows("item", ("cases",)) if r["cases"]] if has_cases() else []
    out["items_most_visits"] = sorted(
        items, key=lambda r: (-(r["avg_visits_per_case"] or 0), -r["cases"], r["name"])
    )[:limit]
    windows = [r for r in rows("window", ("ratings",)) if r["ratings"] and r["id"]]
    out["windows_lowest_satisfaction"] = sorted(
        windows, key=lambda r: (r["satisfaction_rate"], -r["ratings"], r["name"])
    )[:limit]
    depts = rows("department", ("cases",)) if has_cases() else []
    out["departments_most_red_cards"] = sorted(
        [r for r in depts if r["red_cards"] or r["yellow_cards"]],
        key=lambda r: (-r["red_cards"], -r["yellow_cards"], r["name"]),
    )[:limit]
    per_queue: dict[int, dict[int, int]] = defaultdict(dict)
    for queue, minute, n in (
        WaitBucket.objects.filter(q, peak=True)
        .order_by()
        .values("queue", "minute")
        .annotate(s=Sum("n"))
        .values_list("queue", "minute", "s")
    ):
        per_queue[queue][minute] = n
    names = _names("queue", per_queue)
    queues: list[dict[str, Any]] = [
        {
            "id": qid,
            "name": names.get(qid, "?"),
            "p90_wait_minutes": percentile_from_buckets(b, 0.9),
            "tickets": sum(b.values()),
        }
        for qid, b in per_queue.items()
    ]
    out["queues_longest_peak_p90"] = sorted(
        queues, key=lambda r: (-(r["p90_wait_minutes"] or 0), -r["tickets"], r["name"])
    )[:limit]
    return out


def live_halls(centres: Iterable[Centre]) -> list[dict[str, Any]]:
    """Waiting citizens, open windows and open peak alerts of each centre now."""
    from django.db.models import Count

    from yichuang.org.models import Window
    from yichuang.queueing.models import QueueAlert, Ticket

    centres = list(centres)
    ids = [c.id for c in centres]
    today = timezone.localdate()
    waiting = dict(
        Ticket.objects.filter(centre_id__in=ids, day=today, status=Ticket.Status.WAITING)
        .order_by()
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    serving = dict(
        Ticket.objects.filter(centre_id__in=ids, day=today, status__in=Ticket.ACTIVE)
        .order_by()
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    windows = dict(
        Window.objects.filter(centre_id__in=ids, is_active=True, state="open")
        .order_by()
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    alerts = dict(
        QueueAlert.objects.filter(centre_id__in=ids, day=today, resolved_at__isnull=True)
        .order_by()
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )
    return [
        {
            "code": c.code,
            "name": c.name,
            "waiting": waiting.get(c.id, 0),
            "serving": serving.get(c.id, 0),
            "open_windows": windows.get(c.id, 0),
            "alerts": alerts.get(c.id, 0),
        }
        for c in centres
    ]
