from __future__ import annotations

from django import template

from yichuang.lib.numbers import rate_display

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.9519 → "95.1%" (truncated, never rounded: CONTRACT §4); None → "—"."""
    return rate_display(value, int(digits))
