"""Background work of supervision, run by `yichuang worker`: the ledger's
rows from ratings, complaints, cards and alerts (after each source's cursor),
and the daily overdue flag (each row flagged once, so the hourly run does a
day's work once)."""

from __future__ import annotations

from .actions import problems_flag_overdue, problems_ingest

TASKS = [
    ("supervision.ingest", 60, problems_ingest),
    ("supervision.overdue", 3600, problems_flag_overdue),
]
