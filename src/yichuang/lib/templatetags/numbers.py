"""Template filters of the display rules: ``{{ value|rate }}`` → "98.4%"
truncated, ``{{ value|num }}`` → "12,898" (lib/numbers.py), ``{{ code|code_groups }}``
→ "ABCD EFGH JKMN PQRS" (lib/codes.py)."""

from __future__ import annotations

from django import template

from yichuang.lib.codes import grouped
from yichuang.lib.numbers import number_display, rate_display

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    return rate_display(value)


@register.filter
def num(value: float | int | None) -> str:
    return number_display(value)


@register.filter
def code_groups(value: str | None) -> str:
    """A citizen's code in groups of four for print: "ABCD EFGH JKMN PQRS"."""
    return grouped(value or "")
