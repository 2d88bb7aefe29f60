"""The daily pass over the ledger: rows past their deadline are flagged once
(``overdue_since`` and an ``overdue`` event, which the unit's pages and the
appraisal read). The flag shown on a row is computed when read
(``ProblemQuerySet.overdue``); this records when it started."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Problem, ProblemEvent
from .common import problem_event

BATCH = 500


def problems_flag_overdue(*, today: dt.date | None = None, limit: int = BATCH) -> int:
    """Flag the rows that fell overdue and are not flagged yet; the number
    flagged. Each row is claimed by a conditional UPDATE, so several workers
    may run it."""
    today = today or timezone.localdate()
    now = timezone.now()
    flagged = 0
    candidates = list(
        Problem.objects.overdue(today)
        .filter(overdue_since__isnull=True)
        .order_by("due_date", "id")
        .values_list("pk", "due_date", "status")[:limit]
    )
    for pk, due, status in candidates:
        with transaction.atomic():
            claimed = Problem.objects.filter(pk=pk, overdue_since__isnull=True).update(
                overdue_since=today, updated_at=now
            )
            if not claimed:
                continue
            problem_event(
                Problem(pk=pk),
                ProblemEvent.Type.OVERDUE,
                old=status,
                new=status,
                note=_("整改期限 %(d)s 已过，尚未销号。") % {"d": due.isoformat()},
                at=now,
            )
            flagged += 1
    return flagged
