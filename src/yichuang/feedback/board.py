"""The director's feedback board: satisfaction by centre, department, window,
clerk or item over a period, read from the daily roll-up (``RatingDay``) so a
year of history costs a few thousand summed rows, never a scan of ratings."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Sum
from django.utils.translation import gettext_lazy as _l

from yichuang.catalog.models import Item
from yichuang.org.models import Centre, Department, Staff, Window

from .actions import satisfaction
from .models import RatingDay

DIMENSIONS = {
    "centre": "centre_id_key",
    "department": "department_id_key",
    "window": "window_id_key",
    "clerk": "clerk_id_key",
    "item": "item_id_key",
}
NONE_LABELS = {
    "centre": _l("（未关联中心）"),
    "department": _l("（未关联部门）"),
    "window": _l("（办件评价，不经窗口）"),
    "clerk": _l("（未关联人员）"),
    "item": _l("（窗口服务，未关联事项）"),
}
# Below this many valid ratings a rate is shown as "n ratings", not as a percentage.
FEW = 3


def _labels(dim: str, ids: Iterable[int]) -> dict[int, str]:
    ids = [i for i in ids if i]
    if dim == "centre":
        return dict(Centre.objects.filter(pk__in=ids).values_list("pk", "name"))
    if dim == "department":
        return {d.pk: str(d) for d in Department.objects.filter(pk__in=ids)}
    if dim == "window":
        return {
            w.pk: f"{w.number}号 {w.name}（{w.centre.name}）"
            for w in Window.objects.filter(pk__in=ids).select_related("centre")
        }
    if dim == "clerk":
        return dict(Staff.objects.filter(pk__in=ids).values_list("pk", "name"))
    return dict(Item.objects.filter(pk__in=ids).values_list("pk", "name"))


def board_rows(
    *,
    dim: str,
    centres: Iterable[int],
    start: dt.date | None,
    end: dt.date | None,
    department_id: int | None = None,
) -> list[dict[str, Any]]:
    """One row per member of ``dim`` with its counts beside its rates, worst first."""
    key = DIMENSIONS[dim]
    qs = RatingDay.objects.filter(centre_id_key__in=list(centres))
    if start:
        qs = qs.filter(day__gte=start)
    if end:
        qs = qs.filter(day__lte=end)
    if department_id:
        qs = qs.filter(department_id_key=department_id)
    sums = (
        qs.values(key)
        .annotate(
            s1=Sum("n1"),
            s2=Sum("n2"),
            s3=Sum("n3"),
            s4=Sum("n4"),
            s5=Sum("n5"),
            sx=Sum("n_excluded"),
            sd=Sum("n_default"),
        )
        .order_by()
    )
    rows = list(sums)
    labels = _labels(dim, [r[key] for r in rows])
    out = []
    for r in rows:
        counts = {lv: r[f"s{lv}"] or 0 for lv in range(1, 6)}
        rates = satisfaction(counts)
        out.append(
            {
                "id": r[key],
                "label": labels.get(r[key]) or str(NONE_LABELS[dim]),
                "counts": counts,
                "excluded": r["sx"] or 0,
                "default": r["sd"] or 0,
                "few": rates["ratings"] < FEW,
                **rates,
            }
        )
    out.sort(
        key=lambda x: (
            x["satisfaction_rate"] if x["satisfaction_rate"] is not None else 2,
            -x["ratings"],
        )
    )
    return out


def board_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    counts = {lv: sum(r["counts"][lv] for r in rows) for lv in range(1, 6)}
    return {
        **satisfaction(counts),
        "excluded": sum(r["excluded"] for r in rows),
        "default": sum(r["default"] for r in rows),
    }
