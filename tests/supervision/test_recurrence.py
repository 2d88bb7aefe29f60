"""Recurrence (问题反复出现): a new row of the same category at the same unit
within 90 days of an earlier one closing links the earlier rows, counts them
in ``recurrence`` and, at the third occurrence, is escalated to the director."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.supervision.actions import (
    problem_open,
    problem_plan,
    problem_submit,
    problem_verify,
)
from yichuang.supervision.models import Problem

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10), tzinfo=TZ)


@pytest.fixture
def occur(county, sup):
    """``occur(found_on, closed_on=None, **unit)`` opens a row at the 人社
    window (environment) and, if ``closed_on``, rectifies and verifies it then."""

    def make(found_on, closed_on=None, category="appearance", window=None):
        p = problem_open(
            source="self_check",
            centre=county.hall,
            window=window or sup.window,
            category=category,
            severity="general",
            description="未佩戴胸牌",
            actor=county.director,
            found_on=found_on,
            now=at(found_on),
        )
        if closed_on:
            problem_plan(problem=p, actor=county.dept_lead, measure="整改", now=at(closed_on))
            problem_submit(problem=p, actor=county.dept_lead, evidence="已整改", now=at(closed_on))
            problem_verify(problem=p, actor=county.inspector, now=at(closed_on))
        p.refresh_from_db()
        return p

    return make


def previous_of(p: Problem) -> set[int]:
    return set(p.previous.values_list("pk", flat=True))


def test_the_first_second_and_third_occurrence(occur):
    first = occur(dt.date(2026, 1, 5), closed_on=dt.date(2026, 1, 9))
    assert first.recurrence == 0 and not first.escalated
    second = occur(dt.date(2026, 3, 2), closed_on=dt.date(2026, 3, 6))
    assert second.recurrence == 1 and previous_of(second) == {first.pk}
    assert not second.escalated
    third = occur(dt.date(2026, 4, 1))
    assert third.recurrence == 2 and previous_of(third) == {first.pk, second.pk}
    assert third.escalated and third.escalated_at is not None
    assert third.events.filter(type="escalated").count() == 1
    assert set(Problem.objects.recurring().values_list("pk", flat=True)) == {second.pk, third.pk}


def test_ninety_days_after_closing_counts_and_ninety_one_does_not(occur):
    first = occur(dt.date(2026, 4, 1), closed_on=dt.date(2026, 4, 3))
    inside = occur(dt.date(2026, 7, 2), closed_on=dt.date(2026, 7, 2))
    assert inside.recurrence == 1 and previous_of(inside) == {first.pk}
    # 91 days after ``inside`` closed: a new problem, not a recurrence.
    outside = occur(dt.date(2026, 10, 1))
    assert outside.recurrence == 0 and previous_of(outside) == set()


def test_another_category_another_unit_or_an_open_row_is_no_recurrence(county, occur, sup):
    from yichuang.org.models import Window

    occur(dt.date(2026, 3, 2), closed_on=dt.date(2026, 3, 3))
    other_category = occur(dt.date(2026, 3, 10), category="language")
    assert other_category.recurrence == 0
    other_dept = (
        Window.objects.filter(centre=county.hall)
        .exclude(department=sup.window.department)
        .exclude(department=None)
        .first()
    )
    assert occur(dt.date(2026, 3, 10), window=other_dept).recurrence == 0
    still_open = occur(dt.date(2026, 4, 1), category="discipline")
    assert still_open.recurrence == 0
    assert occur(dt.date(2026, 4, 2), category="discipline").recurrence == 0


def test_the_ledger_filters_recurring_rows(api, county, occur):
    first = occur(dt.date(2026, 1, 5), closed_on=dt.date(2026, 1, 9))
    second = occur(dt.date(2026, 2, 2))
    resp = api(county.director).get("/api/v1/problems?recurring=true")
    assert resp.status_code == 200, resp.content
    rows = resp.json()["items"]
    assert [r["id"] for r in rows] == [second.pk]
    assert rows[0]["recurrence"] == 1 and rows[0]["previous"] == [first.pk]
