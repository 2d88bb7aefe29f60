"""The audit log's hash chain (issue 17, item 7): every entry is sealed into a
chain of SHA-256 hashes, so an entry changed or deleted behind the app's back
(raw SQL past the trigger) is found by `yichuang audit-verify`."""

from __future__ import annotations

import contextlib
import itertools
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, connections, transaction

from yichuang.lib.audit import (
    GENESIS,
    AuditEntry,
    AuditSeal,
    audit_record,
    audit_seal,
    audit_verify,
    chain_hash,
)


def _entries(n: int) -> list[AuditEntry]:
    return [audit_record("test.chain", object_id=i, note=f"第{i}条") for i in range(n)]


def verify() -> tuple[int, str]:
    out, err = StringIO(), StringIO()
    try:
        call_command("audit_verify", stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, str(exc)
    return 0, out.getvalue()


def _raw(statement: str, params: list) -> None:
    """A change made past the app: on PostgreSQL as the tables' owner with the
    guard trigger disabled (what the owner role could do), on SQLite with the
    no-update trigger dropped."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cur.execute("ALTER TABLE lib_auditentry DISABLE TRIGGER USER")
            cur.execute(statement, params)
            cur.execute("ALTER TABLE lib_auditentry ENABLE TRIGGER USER")
        else:
            cur.execute("DROP TRIGGER lib_audit_no_update")
            cur.execute(statement, params)
            cur.execute(
                "CREATE TRIGGER lib_audit_no_update BEFORE UPDATE ON lib_auditentry"
                " BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"
            )


def test_a_fresh_log_verifies_and_every_entry_is_linked_to_the_one_before(county):
    _entries(5)
    assert audit_seal() == AuditEntry.objects.count()
    seals = list(AuditSeal.objects.select_related("entry").order_by("seq"))
    assert [s.seq for s in seals] == list(range(1, len(seals) + 1))
    assert seals[0].prev_hash == GENESIS
    for before, seal in itertools.pairwise(seals):
        assert seal.prev_hash == before.hash
        assert seal.hash == chain_hash(before.hash, seal.entry)
    code, out = verify()
    assert code == 0 and f"OK: {len(seals)} entries" in out
    assert audit_seal() == 0  # nothing sealed twice


def test_sealing_continues_the_chain_where_it_ended(county):
    _entries(3)
    audit_seal()
    head = AuditSeal.objects.order_by("-seq").first()
    later = _entries(2)
    assert audit_seal() == 2
    first_new = AuditSeal.objects.get(entry=later[0])
    assert (first_new.seq, first_new.prev_hash) == (head.seq + 1, head.hash)
    assert audit_verify().ok


def test_an_entry_edited_past_the_trigger_breaks_the_chain_there(county):
    entries = _entries(4)
    audit_seal()
    victim = entries[2]
    _raw("UPDATE lib_auditentry SET actor_name = %s WHERE id = %s", ["nobody", victim.pk])
    assert AuditEntry.objects.get(pk=victim.pk).actor_name == "nobody"
    report = audit_verify()
    assert not report.ok
    assert (report.broken_entry, report.reason) == (victim.pk, "entry was changed")
    code, message = verify()
    assert code == 1 and f"entry {victim.pk}" in message and "changed" in message


def test_an_entry_deleted_past_the_trigger_with_its_seal_leaves_a_gap(county):
    """The seal can't stay behind (its foreign key), so the attacker deletes it
    too: the chain has a hole there."""
    entries = _entries(4)
    audit_seal()
    seal = AuditSeal.objects.get(entry=entries[1])
    with connection.cursor() as cur:
        cur.execute("DELETE FROM lib_auditseal WHERE id = %s", [seal.pk])
    _raw("DELETE FROM lib_auditentry WHERE id = %s", [entries[1].pk])
    report = audit_verify()
    assert not report.ok and report.broken_seq == seal.seq and "missing" in report.reason
    assert verify()[0] == 1


def test_a_seal_rewritten_in_place_is_refused_by_the_database(county):
    _entries(1)
    audit_seal()
    seal = AuditSeal.objects.order_by("-seq").first()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE lib_auditseal SET hash = %s WHERE id = %s", ["0" * 64, seal.pk])
    assert AuditSeal.objects.get(pk=seal.pk).hash == seal.hash


@pytest.mark.django_db(transaction=True)
def test_two_sealers_at_once_make_one_linear_chain(county):
    """Two workers seal at the same moment: the unique position makes one of
    them read the new head again; no entry is sealed twice, no position twice."""
    _entries(30)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            audit_seal()
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert AuditSeal.objects.count() == AuditEntry.objects.count()
    assert audit_verify().ok


@contextlib.contextmanager
def _young_rows_deletable():
    """The purge below runs 200 days ahead of the database's clock; on
    PostgreSQL the guard trigger would keep the (really young) rows, so it is
    off meanwhile. SQLite's trigger refuses updates only."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cur.execute("ALTER TABLE lib_auditentry DISABLE TRIGGER lib_audit_guard")
        yield
        cur.execute("ALTER TABLE lib_auditentry ENABLE TRIGGER lib_audit_guard")


def test_a_retention_purge_keeps_the_chain_verifiable(county):
    """Entries past the retention period go with the chain's prefix; the new
    start is recorded, so the rest still verifies."""
    import datetime as dt

    import time_machine
    from django.utils import timezone

    from yichuang.lib.audit import audit_purge

    old = _entries(3)
    audit_seal()
    with time_machine.travel(timezone.now() + dt.timedelta(days=200), tick=False):
        young = _entries(2)
        audit_seal()
        with _young_rows_deletable():
            assert audit_purge(older_than_days=180) >= 3
        assert not AuditEntry.objects.filter(pk__in=[e.pk for e in old]).exists()
        assert AuditEntry.objects.filter(pk__in=[e.pk for e in young]).count() == 2
        audit_seal()
        report = audit_verify()
        assert report.ok, report
        assert verify()[0] == 0
        purge = AuditEntry.objects.get(event="audit.purge")
        first = AuditSeal.objects.order_by("seq").first()
        assert (first.seq - 1, first.prev_hash) == (
            purge.detail["anchor_seq"],
            purge.detail["anchor_hash"],
        )
        # The same gap without the purge's record is a break.
        young_seal = AuditSeal.objects.get(entry=young[0])
        with connection.cursor() as cur:
            cur.execute("DELETE FROM lib_auditseal WHERE id = %s", [young_seal.pk])
        assert not audit_verify().ok
        with connection.cursor() as cur:  # restore (the test's rollback would anyway)
            cur.execute(
                "INSERT INTO lib_auditseal (id, seq, entry_id, prev_hash, hash, sealed_at)"
                " VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    young_seal.pk,
                    young_seal.seq,
                    young_seal.entry_id,
                    young_seal.prev_hash,
                    young_seal.hash,
                    young_seal.sealed_at,
                ],
            )
        assert audit_verify().ok
