"""Database-level guard: audit rows can't be updated, and (on PostgreSQL) can be
deleted only after the retention period (180 days by default; docs/domain.md, "Security").

On SQLite, the embedded database for one hall or a demonstration, the trigger
refuses UPDATE only: Django's test flush and ``seed-demo --reset`` empty tables
with DELETE there (PostgreSQL uses TRUNCATE, which row triggers don't see), and
the model layer already refuses deletes of audit entries."""

from django.db import migrations

PG_UP = """
CREATE OR REPLACE FUNCTION lib_audit_guard() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'UPDATE' THEN
    RAISE EXCEPTION 'audit entries are append-only';
  END IF;
  IF OLD.at > now() - interval '180 days' THEN
    RAISE EXCEPTION 'audit entries are kept at least 180 days';
  END IF;
  RETURN OLD;
END $$ LANGUAGE plpgsql;
CREATE TRIGGER lib_audit_guard BEFORE UPDATE OR DELETE ON lib_auditentry
  FOR EACH ROW EXECUTE FUNCTION lib_audit_guard();
"""
PG_DOWN = "DROP TRIGGER IF EXISTS lib_audit_guard ON lib_auditentry; DROP FUNCTION IF EXISTS lib_audit_guard();"

SQLITE_UP = [
    """CREATE TRIGGER lib_audit_no_update BEFORE UPDATE ON lib_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS lib_audit_no_update;",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_UP:
            schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)
    elif schema_editor.connection.vendor == "sqlite":
        for sql in SQLITE_DOWN:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("lib", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
