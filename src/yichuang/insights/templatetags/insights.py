"""Number formatting for the dashboard and reports: percentages are truncated,
never rounded, so 94.96 % shows as 94.9 % and is never lifted onto a target."""

from __future__ import annotations

import math

from django import template

register = template.Library()


def pct_text(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    scale = 10**digits
    shown = math.floor(value * 100 * scale + 1e-9) / scale
    return f"{shown:.{digits}f}%"


def num_text(value: float | None, digits: int = 1) -> str:
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    scale = 10**digits
    return f"{math.floor(value * scale + 1e-9) / scale:,.{digits}f}"


@register.filter
def pct(value: float | None) -> str:
    return pct_text(value)


@register.filter
def num(value: float | None) -> str:
    return num_text(value)


@register.filter
def gap(value: float | None, goal: float) -> str:
    """Percentage points still missing to the goal ("" when met)."""
    if value is None or value >= goal:
        return ""
    return f"{math.ceil((goal - value) * 1000 - 1e-9) / 10:.1f}"
