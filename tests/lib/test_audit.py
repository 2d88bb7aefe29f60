import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from yichuang.lib.audit import AppendOnlyError, AuditEntry, audit_record


def test_it_records_who_what_where_and_outcome(county):
    entry = audit_record(
        "test.event",
        actor=county.clerk,
        obj=county.hall,
        success=False,
        source_ip="10.1.2.3",
        note="x",
    )
    entry = AuditEntry.objects.get(pk=entry.pk)
    assert (entry.actor_name, entry.event, entry.object_type, entry.object_id) == (
        "clerk_county",
        "test.event",
        "org.centre",
        str(county.hall.pk),
    )
    assert entry.success is False and entry.source_ip == "10.1.2.3"
    assert entry.detail == {"note": "x"}


def test_it_refuses_changes_through_the_model(county):
    entry = audit_record("test.event")
    entry.event = "forged"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(event="forged")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).event == "test.event"


def test_it_refuses_an_update_in_the_database_itself(county):
    entry = audit_record("test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE lib_auditentry SET event = 'forged' WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.get(pk=entry.pk).event == "test.event"


@pytest.mark.only_on("postgresql")  # the delete guard is PostgreSQL's
def test_it_refuses_deleting_young_entries_in_postgresql(county):
    entry = audit_record("test.event")
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("DELETE FROM lib_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()
