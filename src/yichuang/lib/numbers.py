"""The one display rule for rates (CONTRACT §4): a fraction is shown as a
percentage truncated to one decimal, never rounded up ("只舍不入"), so no
page, PDF or workbook shows a target met that is not. The API keeps the
unrounded fractions; only what people read goes through here."""

from __future__ import annotations

import math

# Floating-point noise: 0.984 * 1000 is 983.9999999999999; a margin far below
# one tenth of a per mille keeps it at 984 without lifting 0.98399 to 98.4.
_EPSILON = 1e-9


def rate_truncated(fraction: float | None, digits: int = 1) -> float | None:
    """The fraction truncated so that, as a percentage, it keeps ``digits``
    decimals: 0.98487 → 0.984 (98.4 %). Workbooks store this value."""
    if fraction is None:
        return None
    scale = 100 * 10**digits
    return math.floor(fraction * scale + _EPSILON) / scale


def rate_points(fraction: float | None, digits: int = 1) -> float | None:
    """The truncated percentage as a number (0.98487 → 98.4), for charts."""
    if fraction is None:
        return None
    scale = 10**digits
    return math.floor(fraction * 100 * scale + _EPSILON) / scale


def rate_display(fraction: float | None, digits: int = 1) -> str:
    """The text of a rate: 0.98487 → "98.4%"; "—" where there is no data."""
    points = rate_points(fraction, digits)
    if points is None:
        return "—"
    return f"{points:.{digits}f}%"


def number_display(value: float | int | None, digits: int = 1) -> str:
    """Counts with thousands separators; other figures truncated to ``digits``."""
    if value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    scale = 10**digits
    return f"{math.floor(value * scale + _EPSILON) / scale:,.{digits}f}"


def number_truncated(value: float | int | None, digits: int = 1) -> float | int | None:
    """A figure as a workbook stores it: counts unchanged, others truncated to
    ``digits`` decimals (17.66838 → 17.6), matching ``number_display``."""
    if value is None or isinstance(value, int):
        return value
    scale = 10**digits
    return math.floor(value * scale + _EPSILON) / scale
