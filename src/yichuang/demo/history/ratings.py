"""Ratings of served tickets and completed cases — mostly good, the bad ones
more frequent for some clerks than for others, a few given by default or
excluded after an appeal — each bad one with its rectification, and the
ratings' daily roll-up (``feedback.RatingDay``) as the feedback actions would
have kept it."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable
from typing import TYPE_CHECKING

from yichuang.feedback.models import RatingDay

if TYPE_CHECKING:
    from .generator import History

TICKET_RATED = 0.45  # a served ticket is rated on the pad
LEVEL_WEIGHTS = (70, 18, 7, 3, 2)  # levels 5, 4, 3, 2, 1
DEFAULT_SHARE = 0.01  # filled in as 满意 when nobody rated in time
EXCLUDED_SHARE = 0.15  # of the bad ratings: excluded after an upheld appeal
UTC = dt.UTC

RATING_FIELDS = (
    "service_kind",
    "service_key",
    "ticket",
    "case",
    "rating_code",
    "level",
    "channel",
    "is_default",
    "excluded",
    "centre",
    "department",
    "window",
    "clerk",
    "item",
    "queue",
    "day",
    "created_at",
)
RECTIFICATION_FIELDS = (
    "rating",
    "status",
    "centre",
    "department",
    "callback_due",
    "rectify_due",
    "feedback_at",
    "closed_at",
    "followup_code",
    "created_at",
    "updated_at",
)
DAY_KEY = (
    "day",
    "centre_id_key",
    "department_id_key",
    "window_id_key",
    "clerk_id_key",
    "item_id_key",
)
DAY_COUNTS = ("n1", "n2", "n3", "n4", "n5", "n_excluded", "n_default")

# (day, centre, department, window, clerk, item, level, excluded, is_default)
RatingFact = tuple[dt.date, int, int | None, int | None, int | None, int | None, int, bool, bool]


class Rater:
    """Draws the ratings of one history and writes them with their rectifications."""

    def __init__(self, h: History, clerks: Iterable[int]) -> None:
        self.h = h
        self.facts: list[RatingFact] = []
        # Each clerk's share of bad ratings, so that windows and clerks differ.
        self.bad_factor: dict[int | None, float] = {None: 1.0}
        for clerk in clerks:
            self.bad_factor[clerk] = 0.4 + 2.2 * h.rng.random() ** 2

    def level(self, clerk: int | None) -> int:
        rnd = self.h.rng.random
        r = rnd() * 100
        bad = self.bad_factor.get(clerk, 1.0)
        if r < LEVEL_WEIGHTS[4] * bad:
            return 1
        if r < (LEVEL_WEIGHTS[4] + LEVEL_WEIGHTS[3]) * bad:
            return 2
        r = rnd() * 95
        return 3 if r < LEVEL_WEIGHTS[2] else 4 if r < 25 else 5

    def rate(
        self,
        kind: str,
        service: int,
        code: str,
        channel: str,
        at: dt.datetime,
        *,
        centre: int,
        department: int | None,
        window: int | None = None,
        clerk: int | None = None,
        item: int | None = None,
        queue: int | None = None,
    ) -> None:
        h = self.h
        rnd = h.rng.random
        level = self.level(clerk)
        default = rnd() < DEFAULT_SHARE
        excluded = not default and level <= 2 and rnd() < EXCLUDED_SHARE
        day = at.astimezone(h.tz).date()
        rating = h.tables["rating"].add(
            kind,
            f"{kind}:{service}",
            service if kind == "ticket" else None,
            service if kind == "case" else None,
            code,
            level,
            channel,
            default,
            excluded,
            centre,
            department,
            window,
            clerk,
            item,
            queue,
            day,
            at,
        )
        self.facts.append((day, centre, department, window, clerk, item, level, excluded, default))
        if level > 2 or excluded or default:
            return
        roll = rnd()
        feedback = None
        if roll < 0.8:
            feedback = h.cal.add(day, 2 + int(rnd() * 13))
        elif roll < 0.9:
            feedback = h.cal.add(day, 16 + int(rnd() * 5))
        if feedback is not None and feedback >= h.today:
            feedback = None
        fb_at = (
            dt.datetime.combine(feedback, dt.time(10), tzinfo=h.tz).astimezone(UTC)
            if feedback
            else None
        )
        h.tables["rect"].add(
            rating,
            "closed" if fb_at else "assigned",
            centre,
            department,
            h.cal.add(day, 1),
            h.cal.add(day, 15),
            fb_at,
            fb_at + dt.timedelta(hours=1) if fb_at else None,
            secrets.token_urlsafe(12),
            at,
            fb_at or at,
        )

    def flush(self) -> None:
        facts, self.facts = self.facts, []
        rating_days_add(facts)


def rating_days_add(facts: Iterable[RatingFact]) -> int:
    """Count these ratings into the daily roll-up the way the feedback actions
    do: a default rating as default, an excluded one as excluded, any other by
    its level. Returns the number of cells written."""
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(DAY_COUNTS, 0))
    for day, centre, dept, window, clerk, item, level, excluded, default in facts:
        count = "n_default" if default else "n_excluded" if excluded else f"n{level}"
        cells[(day, centre, dept or 0, window or 0, clerk or 0, item or 0)][count] += 1
    if not cells:
        return 0
    existing = {
        tuple(getattr(row, f) for f in DAY_KEY): row
        for row in RatingDay.objects.filter(day__in={key[0] for key in cells})
    }
    new, changed = [], []
    for key, counts in cells.items():
        row = existing.get(key)
        if row is None:
            new.append(RatingDay(**dict(zip(DAY_KEY, key, strict=True)), **counts))
            continue
        for name, n in counts.items():
            setattr(row, name, getattr(row, name) + n)
        changed.append(row)
    RatingDay.objects.bulk_create(new, batch_size=2000)
    RatingDay.objects.bulk_update(changed, DAY_COUNTS, batch_size=500)
    return len(cells)
