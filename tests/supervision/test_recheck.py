"""回头看: a closed 严重 or 较重 row gets a re-check 30 days on; a relapse
opens a new row that recurs the closed one."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.lib.errors import DomainError
from yichuang.supervision.actions import (
    problem_open,
    problem_plan,
    problem_submit,
    problem_verify,
    recheck_record,
)
from yichuang.supervision.models import Problem, RecheckTask


@pytest.fixture
def task(county, sup, frozen):
    row = problem_open(
        source="self_check",
        centre=county.hall,
        window=sup.window,
        category="discipline",
        severity="severe",
        description="窗口收取清单外复印费",
        actor=county.director,
    )
    problem_plan(problem=row, actor=county.dept_lead, measure="退还费用，通报批评")
    problem_submit(problem=row, actor=county.dept_lead, evidence="退费凭证")
    problem_verify(problem=row, actor=county.inspector)
    return RecheckTask.objects.get(problem=row)


def test_the_task_is_due_30_days_after_closing(task):
    assert task.due_on == dt.date(2026, 4, 15)


def test_a_held_rectification_is_recorded(county, task):
    recheck_record(task=task, actor=county.inspector, result="held", note="未再收费")
    task.refresh_from_db()
    assert task.result == "held" and task.done_by == county.inspector
    assert task.problem.events.filter(type="rechecked").count() == 1
    with pytest.raises(DomainError) as err:
        recheck_record(task=task, actor=county.inspector, result="held")
    assert err.value.code == "supervision.recheck_done"


def test_a_relapse_opens_a_recurrence(county, task):
    recheck_record(task=task, actor=county.inspector, result="relapsed", note="又收取复印费")
    new = Problem.objects.exclude(pk=task.problem_id).get()
    assert new.recurrence == 1
    assert list(new.previous.all()) == [task.problem]
    assert (new.category, new.severity, new.window) == ("discipline", "severe", task.problem.window)


def test_only_verifiers_record_rechecks(county, task):
    with pytest.raises(DomainError) as err:
        recheck_record(task=task, actor=county.dept_lead, result="held")
    assert err.value.code == "supervision.not_verifier"
