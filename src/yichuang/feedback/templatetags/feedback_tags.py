from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value: float | None, digits: int = 1) -> str:
    """0.9512 → "95.1%"; None → "—"."""
    if value is None:
        return "—"
    return f"{value * 100:.{int(digits)}f}%"
