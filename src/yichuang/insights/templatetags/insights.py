"""Number formatting for the dashboard and reports: every rate goes through the
one display rule of lib/numbers.py (truncated to one decimal, never rounded),
so 94.96 % shows as 94.9 % and is never lifted onto a target."""

from __future__ import annotations

import math

from django import template

from yichuang.lib.numbers import number_display, rate_display

register = template.Library()


def pct_text(value: float | None) -> str:
    return rate_display(value)


def num_text(value: float | None) -> str:
    return number_display(value)


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
