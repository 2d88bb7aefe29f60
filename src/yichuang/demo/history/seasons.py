"""The hall's year (DOMAIN §13): how busy each queue is on a date, relative to
an ordinary day of the same weekday.

* residents' medical-insurance contributions (城乡居民医保集中缴费期), September
  to December: the 医保 and 税务 lines, busiest at the end of the period;
* hukou and residence certificates before school starts, August: 户籍;
* the Spring Festival return of migrant workers, late January to February: ID
  cards and hukou, and some 社保 (cards, transfers);
* graduation, June and July: 社保 and 就业 (employment registration, the
  social-security card);
* the year-end reviews of benefits (低保, 特困, 高龄津贴 and the disability
  subsidies), December: 民政, 残联, 退役军人, and in townships the 综合 line
  that takes them;
* the first working days after a long holiday are heavier (``after_break``).

Queue codes are the demo's (``demo/queueing.py``); a township's 社保医保 line
(``social``) takes both the 社保 and the 医保 seasons.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Season:
    name: str
    first: tuple[int, int]  # (month, day), inclusive
    last: tuple[int, int]
    # queue code → factor; county hall and township centres apart when they differ
    county: dict[str, float]
    township: dict[str, float]

    def covers(self, day: dt.date) -> bool:
        return self.first <= (day.month, day.day) <= self.last


SEASONS = (
    Season(
        "医保集中缴费（前期）",
        (9, 1),
        (10, 31),
        {"medical": 1.35, "tax": 1.8, "general": 1.05},
        {"social": 1.3},
    ),
    Season(
        "医保集中缴费（截止前）",
        (11, 1),
        (12, 31),
        {"medical": 1.6, "tax": 2.4, "general": 1.1},
        {"social": 1.5},
    ),
    Season(
        "开学前户籍、居住证",
        (8, 1),
        (8, 31),
        {"household": 1.8, "general": 1.05},
        {"general": 1.1},
    ),
    Season(
        "春节返乡",
        (1, 20),
        (2, 29),
        {"household": 1.6, "social": 1.15, "general": 1.1},
        {"general": 1.15, "social": 1.1},
    ),
    Season(
        "毕业季",
        (6, 1),
        (7, 31),
        {"social": 1.3},
        {"social": 1.1},
    ),
    Season(
        "年终待遇复核",
        (12, 1),
        (12, 31),
        {"civil": 1.5, "disability": 1.4, "veterans": 1.3},
        {"general": 1.2},
    ),
)

# The first, second and third working days after a break of more than three days.
AFTER_BREAK = (1.5, 1.25, 1.1)


def queue_factor(day: dt.date, code: str, *, county: bool) -> float:
    """How busy queue ``code`` is on ``day`` relative to an ordinary day."""
    factor = 1.0
    for season in SEASONS:
        if season.covers(day):
            factor *= (season.county if county else season.township).get(code, 1.0)
    return factor


def after_break(workdays_since: int | None) -> float:
    """The extra load of the ``workdays_since``-th working day (0: the first)
    after a break of more than three days; None: no break recently."""
    if workdays_since is None or workdays_since >= len(AFTER_BREAK):
        return 1.0
    return AFTER_BREAK[workdays_since]
