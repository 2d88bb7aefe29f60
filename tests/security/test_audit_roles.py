"""The audit log protected from the app's own database role (issue 17, item 7).

Reproduced first: the role the app connects as owned the tables, so TRUNCATE,
ALTER TABLE … DISABLE TRIGGER, DROP TRIGGER and replacing the trigger function
all succeeded on the audit table. After `yichuang db-roles` the app's runtime
role owns nothing and may only INSERT and SELECT audit rows."""

from __future__ import annotations

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from yichuang.lib.audit import AuditEntry, AuditSeal, audit_record, audit_seal

pg_only = pytest.mark.only_on("postgresql")  # database roles are PostgreSQL's

# What an app role that owns the tables could do to hide its tracks.
ATTACKS = {
    "truncate": "TRUNCATE lib_auditentry CASCADE",
    "update": "UPDATE lib_auditentry SET event = 'forged'",
    "delete": "DELETE FROM lib_auditentry",
    "disable_trigger": "ALTER TABLE lib_auditentry DISABLE TRIGGER lib_audit_guard",
    "disable_all_triggers": "ALTER TABLE lib_auditentry DISABLE TRIGGER ALL",
    "drop_trigger": "DROP TRIGGER lib_audit_guard ON lib_auditentry",
    "replace_function": (
        "CREATE OR REPLACE FUNCTION lib_audit_guard() RETURNS trigger AS $$"
        " BEGIN RETURN COALESCE(NEW, OLD); END $$ LANGUAGE plpgsql"
    ),
    "drop_table": "DROP TABLE lib_auditentry CASCADE",
    "update_seal": "UPDATE lib_auditseal SET hash = 'x'",
    "delete_seal": "DELETE FROM lib_auditseal",
    "truncate_seal": "TRUNCATE lib_auditseal",
    "own_function": (
        "CREATE FUNCTION public.yichuang_probe() RETURNS int AS 'SELECT 1' LANGUAGE sql"
    ),
}


def _connect(role: str):
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s.get("HOST") or "127.0.0.1",
        port=s.get("PORT") or 5432,
        dbname=s["NAME"],
        user=role,
        autocommit=True,
    )


@pytest.fixture
def roles(county):
    """Unique role names for this run (roles are the whole cluster's), dropped
    afterwards with everything they own or were granted, ownership going back
    to the test's own role."""
    suffix = uuid.uuid4().hex[:8]
    owner, runtime = f"yc_owner_{suffix}", f"yc_app_{suffix}"
    yield owner, runtime
    with connection.cursor() as cur:
        for role in (owner, runtime):
            cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [role])
            if cur.fetchone():
                cur.execute(f'REASSIGN OWNED BY "{role}" TO CURRENT_USER')
                cur.execute(f'DROP OWNED BY "{role}"')
                cur.execute(f'DROP ROLE "{role}"')


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_app_role_that_owns_the_tables_can_destroy_the_audit_log(roles):
    """The hole as found: a role owning the audit table gets past its trigger."""
    owner, _runtime = roles
    audit_record("test.before")
    with connection.cursor() as cur:
        cur.execute(f'CREATE ROLE "{owner}" LOGIN')
        cur.execute(f'ALTER TABLE lib_auditentry OWNER TO "{owner}"')
    with _connect(owner) as conn:
        conn.execute("ALTER TABLE lib_auditentry DISABLE TRIGGER lib_audit_guard")
        conn.execute("DELETE FROM lib_auditentry WHERE event = 'test.before'")
        conn.execute("ALTER TABLE lib_auditentry ENABLE TRIGGER lib_audit_guard")
    assert not AuditEntry.objects.filter(event="test.before").exists()


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_runtime_role_only_appends_to_and_reads_the_audit_log(roles):
    owner, runtime = roles
    entry = audit_record("test.before", note="kept")
    audit_seal()
    out = StringIO()
    call_command("db_roles", "--owner", owner, "--runtime", runtime, stdout=out)
    assert f"owner {owner}, runtime {runtime}" in out.getvalue()
    # Idempotent: a second run changes nothing and does not fail.
    call_command("db_roles", "--owner", owner, "--runtime", runtime, stdout=StringIO())

    with _connect(runtime) as conn:
        # What the app needs: append and read audit rows, use the other tables.
        conn.execute(
            "INSERT INTO lib_auditentry (at, actor_name, event, object_type, object_id,"
            " success, detail) VALUES (now(), 'app', 'test.runtime', '', '', true, '{}')"
        )
        events = {row[0] for row in conn.execute("SELECT event FROM lib_auditentry")}
        assert {"test.before", "test.runtime"} <= events
        conn.execute("SELECT count(*) FROM lib_auditseal").fetchone()
        conn.execute("UPDATE accounts_user SET failed_logins = failed_logins WHERE id = -1")
        # What it must not do.
        allowed = []
        for name, statement in ATTACKS.items():
            try:
                conn.execute(statement)
            except Exception as exc:  # each must be a privilege error
                assert getattr(exc, "sqlstate", None) == "42501", (name, exc)
            else:
                allowed.append(name)
        assert allowed == []
        owned = conn.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles"
            " WHERE rolname = current_user)"
        ).fetchone()[0]
        assert owned == 0

    # Nothing changed: the entry, its seal and the trigger are all there.
    assert AuditEntry.objects.get(pk=entry.pk).detail == {"note": "kept"}
    assert AuditSeal.objects.filter(entry=entry).exists()
    with connection.cursor() as cur:
        cur.execute(
            "SELECT t.tgenabled, c.relowner::regrole::text FROM pg_trigger t"
            " JOIN pg_class c ON c.oid = t.tgrelid WHERE t.tgname = 'lib_audit_guard'"
        )
        assert cur.fetchone() == ("O", owner)


@pg_only
@pytest.mark.django_db(transaction=True)
def test_the_owner_role_runs_migrations_and_new_tables_open_to_the_runtime_role(roles):
    owner, runtime = roles
    call_command("db_roles", "--owner", owner, "--runtime", runtime, stdout=StringIO())
    table = f"yc_probe_{uuid.uuid4().hex[:6]}"
    with _connect(owner) as conn:
        conn.execute(f"CREATE TABLE {table} (id bigint GENERATED BY DEFAULT AS IDENTITY, x int)")
    try:
        with _connect(runtime) as conn:
            conn.execute(f"INSERT INTO {table} (x) VALUES (1)")
            assert conn.execute(f"SELECT x FROM {table}").fetchone() == (1,)
    finally:
        with _connect(owner) as conn:
            conn.execute(f"DROP TABLE {table}")


@pg_only
def test_it_refuses_unsafe_role_names(county):
    with pytest.raises(CommandError, match="role name"):
        call_command("db_roles", "--owner", 'x"; DROP TABLE y; --', "--runtime", "ok_app")
    with pytest.raises(CommandError, match="must differ"):
        call_command("db_roles", "--owner", "same_role", "--runtime", "same_role")


@pytest.mark.only_on("sqlite")  # SQLite's refusal
def test_it_explains_that_sqlite_has_no_roles(county):
    with pytest.raises(CommandError) as caught:
        call_command("db_roles", stdout=StringIO())
    message = str(caught.value)
    assert "只适用于 PostgreSQL" in message and "PostgreSQL only" in message
    assert caught.value.returncode != 0


def test_it_prints_the_statements_without_running_them(county):
    out = StringIO()
    call_command("db_roles", "--print-sql", "--owner", "o_role", "--runtime", "r_role", stdout=out)
    text = out.getvalue()
    assert 'REVOKE UPDATE, DELETE ON lib_auditentry FROM "r_role"' in text
    assert 'REVOKE UPDATE, DELETE ON lib_auditseal FROM "r_role"' in text
    statements = [line for line in text.splitlines() if not line.startswith("--")]
    assert not [line for line in statements if "GRANT" in line and "TRUNCATE" in line]


@pg_only
@pytest.mark.django_db(transaction=True)
def test_an_install_whose_app_role_owned_the_tables_is_converted(roles):
    """The install as found: the app's role owns the audit table and its
    trigger function. Named as the runtime role, it loses both."""
    import psycopg

    owner, runtime = roles
    with connection.cursor() as cur:
        cur.execute(f'CREATE ROLE "{runtime}" LOGIN')
        cur.execute(f'ALTER TABLE lib_auditentry OWNER TO "{runtime}"')
        cur.execute(f'ALTER FUNCTION lib_audit_guard() OWNER TO "{runtime}"')
    call_command("db_roles", "--owner", owner, "--runtime", runtime, stdout=StringIO())
    with _connect(runtime) as conn:
        for name in ("truncate", "disable_trigger", "drop_trigger", "replace_function"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(ATTACKS[name])
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relowner::regrole::text FROM pg_class WHERE relname = 'lib_auditentry'"
            " UNION ALL SELECT proowner::regrole::text FROM pg_proc"
            " WHERE proname = 'lib_audit_guard'"
        )
        assert {row[0] for row in cur.fetchall()} == {owner}
