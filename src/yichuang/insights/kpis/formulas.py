"""The pure arithmetic of the KPIs, and the two ways they read a roll-up table:
summed counters and a summed histogram."""

from __future__ import annotations

import math
from collections.abc import Iterable

from django.db import models
from django.db.models import Q, Sum


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


def sums(model: type[models.Model], q: Q, fields: Iterable[str]) -> dict[str, int]:
    fields = list(fields)
    row = model._default_manager.filter(q).aggregate(**{f: Sum(f) for f in fields})
    return {f: row[f] or 0 for f in fields}


def buckets(model: type[models.Model], q: Q, value: str) -> dict[int, int]:
    return {
        v: n
        for v, n in model._default_manager.filter(q)
        .order_by()
        .values_list(value)
        .annotate(s=Sum("n"))
        .values_list(value, "s")
    }
