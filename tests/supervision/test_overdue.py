"""The daily overdue pass: a row past its deadline is flagged once (the day
it fell late and an ``overdue`` event); the flag on the row is computed when
read, so a closed row is never overdue."""

from __future__ import annotations

import datetime as dt

from yichuang.supervision.actions import (
    problem_open,
    problem_plan,
    problem_submit,
    problem_verify,
    problems_flag_overdue,
)
from yichuang.supervision.models import Problem


def open_row(county, severity: str = "severe"):
    return problem_open(
        source="self_check",
        centre=county.hall,
        category="environment",
        severity=severity,
        description="饮水机无水",
        actor=county.director,
        found_on=dt.date(2026, 3, 16),
    )


def test_a_late_row_is_flagged_once(county):
    late, on_time = open_row(county), open_row(county, "general")
    assert late.due_date == dt.date(2026, 3, 18)
    assert problems_flag_overdue(today=dt.date(2026, 3, 18)) == 0
    assert problems_flag_overdue(today=dt.date(2026, 3, 19)) == 1
    assert problems_flag_overdue(today=dt.date(2026, 3, 20)) == 0
    late.refresh_from_db()
    assert late.overdue_since == dt.date(2026, 3, 19)
    assert late.events.filter(type="overdue").count() == 1
    assert not on_time.events.filter(type="overdue").exists()
    assert list(Problem.objects.overdue(dt.date(2026, 3, 19))) == [late]


def test_a_closed_row_is_not_overdue(county):
    row = open_row(county)
    problem_plan(problem=row, actor=county.director, measure="补水")
    problem_submit(problem=row, actor=county.director, evidence="已补水")
    problem_verify(problem=row, actor=county.inspector)
    row.refresh_from_db()
    assert not row.is_overdue(dt.date(2026, 4, 1))
    assert problems_flag_overdue(today=dt.date(2026, 4, 1)) == 0
