"""Case events are append-only: written once, never updated or deleted, one row
or a whole QuerySet at a time."""

import pytest

from yichuang.cases.models import CaseEvent
from yichuang.lib.append_only import AppendOnlyError


def snapshot(case):
    return list(CaseEvent.objects.filter(case=case).values_list("pk", "type", "reason"))


def test_it_refuses_an_update_through_the_queryset_and_changes_nothing(intake):
    case = intake().case
    before = snapshot(case)
    assert before
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(case=case).update(reason="改写")
    assert snapshot(case) == before


def test_it_refuses_a_delete_through_the_queryset_and_changes_nothing(intake):
    case = intake().case
    before = snapshot(case)
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.filter(case=case).delete()
    with pytest.raises(AppendOnlyError):
        CaseEvent.objects.all().delete()
    assert snapshot(case) == before


def test_it_refuses_to_save_or_delete_a_written_row(intake):
    case = intake().case
    event = CaseEvent.objects.filter(case=case).first()
    before = snapshot(case)
    event.reason = "改写"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["reason"])
    with pytest.raises(AppendOnlyError):
        event.delete()
    assert snapshot(case) == before
