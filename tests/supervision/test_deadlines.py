"""Rectification deadlines by severity (一般 10, 较重 5, 严重 2 working days,
settings) on the working-day calendar: across the 2026 National Day holiday
(1–7 October) and its make-up Saturday (10 October)."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.lib.config import setting_set
from yichuang.supervision.actions import deadline_for, problem_open

FOUND = dt.date(2026, 9, 29)  # a Tuesday: two working days before the holiday


@pytest.mark.parametrize(
    "severity, due",
    [
        ("severe", dt.date(2026, 10, 8)),  # 30 Sep, 8 Oct
        ("major", dt.date(2026, 10, 12)),  # … 9 Oct, Saturday 10 Oct (make-up), 12 Oct
        ("general", dt.date(2026, 10, 19)),
    ],
)
def test_a_deadline_across_the_national_day_holiday(county, severity, due):
    assert deadline_for(severity, FOUND) == due
    p = problem_open(
        source="leadership",
        centre=county.hall,
        category="environment",
        severity=severity,
        description="国庆前领导检查发现导向标识缺失",
        actor=county.inspector,
        found_on=FOUND,
    )
    assert p.due_date == due


def test_the_days_are_a_setting(county):
    setting_set(key="supervision.general_workdays", value=5, actor=county.county_admin)
    assert deadline_for("general", FOUND) == dt.date(2026, 10, 12)


def test_a_year_whose_calendar_is_not_loaded_leaves_the_deadline_pending(county):
    assert deadline_for("general", dt.date(2099, 12, 20)) is None
