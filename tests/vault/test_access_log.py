"""The access log: one row per read of a person's data, written once."""

import pytest

from yichuang.lib.append_only import AppendOnlyError
from yichuang.org.scopes import staff_of
from yichuang.vault import actions, selectors
from yichuang.vault.models import AccessLog

ID = "11010519491231002X"


@pytest.fixture
def person(db):
    return actions.person_find_or_create(name="张小花", id_number=ID, phone="13800138000")


@pytest.fixture
def logged(person, county):
    actions.person_lookup(id_number=ID, actor=county.clerk, purpose="受理前查询")
    return AccessLog.objects.get(person=person)


def test_it_records_who_read_where_and_why(logged, county):
    staff = staff_of(county.clerk)
    assert (logged.kind, logged.basis, logged.purpose) == ("lookup", "lookup", "受理前查询")
    assert logged.actor == county.clerk and logged.actor_name
    assert (logged.department, logged.centre) == (staff.department, staff.centre)


def test_it_refuses_to_change_or_delete_a_row(logged):
    logged.purpose = "改写"
    with pytest.raises(AppendOnlyError):
        logged.save()
    with pytest.raises(AppendOnlyError):
        logged.save(update_fields=["purpose"])
    with pytest.raises(AppendOnlyError):
        logged.delete()
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=logged.pk).update(purpose="改写")
    with pytest.raises(AppendOnlyError):
        AccessLog.objects.filter(pk=logged.pk).delete()
    logged.refresh_from_db()
    assert logged.purpose == "受理前查询"


def test_the_citizen_page_reads_the_newest_rows_first(person, county):
    actions.person_lookup(id_number=ID, actor=county.clerk, purpose="第一次")
    actions.person_unmask(person=person, actor=county.director, reason="核对户籍信息")
    assert [log.purpose for log in selectors.access_log_for(person)] == ["核对户籍信息", "第一次"]
    assert [log.purpose for log in selectors.access_log_for(person, limit=1)] == ["核对户籍信息"]
