"""The KPIs split by centre, department, window, clerk, item or queue; the
monthly trend; the "what holds us back" lists; the halls right now."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import models
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.models import Item
from yichuang.feedback.models import Rating, RatingDay
from yichuang.lib.errors import Unprocessable
from yichuang.org.models import Centre, Department, Staff, Window
from yichuang.queueing.models import Queue, QueueAlert, Ticket

from ..models import CaseCell, DurationBucket, Grain, TicketCell, WaitBucket
from ..rollups import month_end, month_start
from .figures import LEVELS, MIN_RATINGS
from .formulas import median_from_buckets, percentile_from_buckets, ratio
from .scope import Scope, months_of, period_q

DIMENSIONS = ("centre", "department", "window", "clerk", "item", "queue")
# The key of each dimension in the ratings' daily roll-up; it has no queue, so
# ratings by queue are counted from the ratings themselves.
RATING_DAY_KEYS = {
    "centre": "centre_id_key",
    "department": "department_id_key",
    "window": "window_id_key",
    "clerk": "clerk_id_key",
    "item": "item_id_key",
}
NAMED: dict[str, type[models.Model]] = {
    "centre": Centre,
    "department": Department,
    "window": Window,
    "clerk": Staff,
    "item": Item,
    "queue": Queue,
}
ALL_PARTS = ("tickets", "ratings", "cases")


def _group(
    model: type[models.Model], q: Q, dim: str, fields: Iterable[str]
) -> dict[int, dict[str, int]]:
    fields = list(fields)
    return {
        r[dim]: {f: r[f] or 0 for f in fields}
        for r in model._default_manager.filter(q)
        .order_by()
        .values(dim)
        .annotate(**{f: Sum(f) for f in fields})
    }


def ratings_by(
    scope: Scope, lo: dt.date, hi: dt.date, dim: str, window: int | None = None
) -> dict[int, dict[str, int]]:
    """Valid ratings by level ({id: {"n1": …, …}}) of each value of ``dim``
    (``window``: only the ratings given at that window)."""
    if dim == "queue":
        only = Q(window_id=window) if window else Q()
        return {
            queue or 0: dict(zip(LEVELS, counts, strict=True))
            for queue, *counts in Rating.objects.filter(
                scope.ratings_q(lo, hi), only, excluded=False, is_default=False
            )
            .order_by()
            .values("queue_id")
            .annotate(**{f"n{i}": Count("id", filter=Q(level=i)) for i in range(1, 6)})
            .values_list("queue_id", *LEVELS)
        }
    key = RATING_DAY_KEYS[dim]
    only = Q(window_id_key=window) if window else Q()
    return {
        r[key]: {f: r[f] or 0 for f in LEVELS}
        for r in RatingDay.objects.filter(scope.rating_days_q(lo, hi), only)
        .order_by()
        .values(key)
        .annotate(**{f: Sum(f) for f in LEVELS})
    }


def window_label(window: Window) -> str:
    """A window as the hall calls it: "5号 社保参保"."""
    return f"{window.number}号 {window.name}"


def centre_short_name(name: str) -> str:
    """A centre as a chart label names it: the place (城关镇, 云溪县)."""
    for tail in ("便民服务中心", "政务服务中心"):
        if name.endswith(tail) and len(name) > len(tail):
            return name[: -len(tail)]
    return name


def short_names(dim: str, ids: Iterable[int]) -> dict[int, str]:
    """Chart labels: a window or queue without its centre's long name; where
    the rows span several centres the place stays in front ("城关镇 4号 绿色通道"),
    else two centres' 4号 windows read alike."""
    ids = [i for i in ids if i]
    # (id, centre's name, label)
    rows: list[tuple[int, str, str]]
    if dim == "window":
        windows = Window.objects.filter(id__in=ids).select_related("centre")
        rows = [(w.id, w.centre.name, window_label(w)) for w in windows]
    elif dim == "queue":
        queues = Queue.objects.filter(id__in=ids).select_related("centre")
        rows = [(q.id, q.centre.name, f"{q.prefix} {q.name}") for q in queues]
    else:
        return {}
    if len({centre for _id, centre, _label in rows}) > 1:
        return {i: f"{centre_short_name(centre)} {label}" for i, centre, label in rows}
    return {i: label for i, _centre, label in rows}


def _names(dim: str, ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in ids if i]
    if dim == "window":
        return {
            w.id: f"{w.centre.name} {w.number}号 {w.name}"
            for w in Window.objects.filter(id__in=ids).select_related("centre")
        }
    if dim == "queue":
        return {
            q.id: f"{q.centre.name} {q.prefix} {q.name}"
            for q in Queue.objects.filter(id__in=ids).select_related("centre")
        }
    return dict(NAMED[dim]._default_manager.filter(id__in=ids).values_list("id", "name"))


def unattributed_name(dim: str) -> str:
    """What the row of figures without a value of ``dim`` stands for."""
    if dim == "department":
        return _("综合受理（未分部门）")
    if dim == "window":
        return _("未叫号（无窗口）")
    if dim == "clerk":
        return _("未叫号或无经办人")
    return _("（未指定）")


def breakdown(
    scope: Scope,
    lo: dt.date,
    hi: dt.date,
    dim: str,
    parts: tuple[str, ...] = ALL_PARTS,
    window: int | None = None,
) -> list[dict[str, Any]]:
    """The KPIs of each centre / department / window / clerk / item / queue
    (``parts`` limits which roll-ups are read; the others count as zero).
    ``window``: only what happened at that window (tickets and ratings; cases
    are not kept by window)."""
    if dim not in DIMENSIONS:
        raise Unprocessable("insights.bad_dimension", _("不支持的分组方式。"))
    if window:
        parts = tuple(p for p in parts if p != "cases")
    # A centre or department breakdown needs no finer cells than the coarse ones.
    coarse = dim in ("centre", "department") and not window
    q = scope.q() & period_q(lo, hi, coarse=coarse)
    if window:
        q &= Q(window=window)
    tickets = (
        _group(TicketCell, q, dim, ("issued", "called", "no_show", "wait_seconds"))
        if dim != "item" and "tickets" in parts
        else {}
    )
    ratings = ratings_by(scope, lo, hi, dim, window) if "ratings" in parts else {}
    case_fields = ("completed", "on_time", "one_visit", "visits", "red_cards", "yellow_cards")
    cases = (
        _group(CaseCell, q, dim, case_fields)
        if dim in ("centre", "department", "clerk", "item") and "cases" in parts
        else {}
    )
    keys = set(tickets) | set(ratings) | set(cases)
    names = _names(dim, keys)
    rows: list[dict[str, Any]] = []
    for key in keys:
        t = tickets.get(key, {})
        r = ratings.get(key, {})
        c = cases.get(key, {})
        valid = sum(r.get(f, 0) for f in LEVELS)
        rows.append(
            {
                "id": key,
                "name": names.get(key) or unattributed_name(dim),
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
    """Satisfaction, one-visit share of cases and the median duration, by month
    (every month that [lo, hi] touches, whole)."""
    months = months_of(lo, hi)
    q = scope.q() & Q(grain=Grain.COARSE, start__in=months)
    ratings: dict[dt.date, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LEVELS, 0))
    for day, *counts in (
        RatingDay.objects.filter(scope.rating_days_q(months[0], month_end(months[-1])))
        .order_by()
        .values("day")
        .annotate(**{f: Sum(f) for f in LEVELS})
        .values_list("day", *LEVELS)
    ):
        month = ratings[month_start(day)]
        for f, n in zip(LEVELS, counts, strict=True):
            month[f] += n or 0
    cases: dict[dt.date, Any] = {
        row["start"]: row
        for row in CaseCell.objects.filter(q)
        .order_by()
        .values("start")
        .annotate(completed=Sum("completed"), one_visit=Sum("one_visit"), on_time=Sum("on_time"))
    }
    durations: dict[dt.date, dict[int, int]] = defaultdict(dict)
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
        valid = sum(r.get(f, 0) for f in LEVELS)
        out.append(
            {
                "month": m.strftime("%Y-%m"),
                "ratings": valid,
                "satisfaction_rate": ratio(r.get("n3", 0) + r.get("n4", 0) + r.get("n5", 0), valid),
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
    items = [r for r in rows("item", ("cases",)) if r["cases"]]
    out["items_most_visits"] = sorted(
        items, key=lambda r: (-(r["avg_visits_per_case"] or 0), -r["cases"], r["name"])
    )[:limit]
    windows = [r for r in rows("window", ("ratings",)) if r["ratings"] and r["id"]]
    out["windows_lowest_satisfaction"] = sorted(
        windows, key=lambda r: (r["satisfaction_rate"], -r["ratings"], r["name"])
    )[:limit]
    depts = rows("department", ("cases",))
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
    centres = list(centres)
    ids = [c.id for c in centres]
    today = timezone.localdate()

    def per_centre(qs: models.QuerySet) -> dict[int, int]:
        return dict(
            qs.order_by().values("centre_id").annotate(n=Count("id")).values_list("centre_id", "n")
        )

    waiting = per_centre(
        Ticket.objects.filter(centre_id__in=ids, day=today, status=Ticket.Status.WAITING)
    )
    serving = per_centre(
        Ticket.objects.filter(centre_id__in=ids, day=today, status__in=Ticket.ACTIVE)
    )
    windows = per_centre(Window.objects.filter(centre_id__in=ids, is_active=True, state="open"))
    alerts = per_centre(
        QueueAlert.objects.filter(centre_id__in=ids, day=today, resolved_at__isnull=True)
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
