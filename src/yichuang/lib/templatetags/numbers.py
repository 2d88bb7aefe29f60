"""Template filters of the one display rule for rates (lib/numbers.py):
``{{ value|rate }}`` → "98.4%" truncated, ``{{ value|num }}`` → "12,898"."""

from __future__ import annotations

from django import template

from yichuang.lib.numbers import number_display, rate_display

register = template.Library()


@register.filter
def rate(value: float | None) -> str:
    return rate_display(value)


@register.filter
def num(value: float | int | None) -> str:
    return number_display(value)
