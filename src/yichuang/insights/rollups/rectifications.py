"""Bad-rating rectifications rolled up by the day their feedback was due."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from yichuang.feedback.models import Rectification

from ..models import RectificationCell
from .cells import local_date, replace_day_cells

DONE_RECTIFICATION = ("feedback_given", "closed")
RECTIFICATION_FIELDS = ("start", "department", "due", "on_time", "late", "open")


def rectification_done_on(
    status: str, feedback_at: dt.datetime | None, closed_at: dt.datetime | None
) -> dt.date | None:
    if status not in DONE_RECTIFICATION:
        return None
    at = feedback_at or closed_at
    return local_date(at) if at is not None else None


def recompute_rectifications(centre: int, days: list[dt.date]) -> None:
    if not days:
        return
    cells: dict[tuple, list[int]] = defaultdict(lambda: [0] * 4)
    for due, dept, status, feedback_at, closed_at in (
        Rectification.objects.filter(centre_id=centre, rectify_due__in=days)
        .order_by()
        .values_list("rectify_due", "department_id", "status", "feedback_at", "closed_at")
    ):
        c = cells[(due, dept or 0)]
        c[0] += 1
        done = rectification_done_on(status, feedback_at, closed_at)
        if status in DONE_RECTIFICATION:
            c[1 if done is None or due is None or done <= due else 2] += 1
        else:
            c[3] += 1
    replace_day_cells(
        RectificationCell,
        centre,
        days,
        RECTIFICATION_FIELDS,
        [(*key, *v) for key, v in cells.items()],
    )
