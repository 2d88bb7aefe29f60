"""Raw statements of the lib app: a column rewritten in batches for the data
migrations that encrypt what was stored in clear (both databases), and the
PostgreSQL roles (docs/deployment.md, "Database roles").

The owner role owns the database, the schema and every table, sequence and
function in it; migrations run as the owner. The runtime role, which the app
and the worker connect as, owns nothing: it reads and writes the app's tables,
but on the audit log (entries and their seals) it may only INSERT and SELECT,
so it can neither change, delete or truncate audit rows nor disable, drop or
replace the trigger that guards them (all of those need ownership).
"""

from __future__ import annotations

import re
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper

REWRITE_BATCH = 1000


def rewrite_column(connection: Any, table: str, column: str, convert: Any) -> int:
    """Rewrite every non-empty value of ``table.column`` through ``convert`` (which
    returns the new value, or None to leave the row as it is), in batches by id.
    Reads and writes raw values, so it works whatever the model's field is now."""
    qn = connection.ops.quote_name
    select = (
        f"SELECT id, {qn(column)} FROM {qn(table)} "
        f"WHERE id > %s AND {qn(column)} IS NOT NULL AND {qn(column)} <> '' "
        f"ORDER BY id LIMIT {REWRITE_BATCH}"
    )
    update = f"UPDATE {qn(table)} SET {qn(column)} = %s WHERE id = %s"
    changed, last = 0, 0
    with connection.cursor() as cursor:
        while True:
            cursor.execute(select, [last])
            rows = cursor.fetchall()
            if not rows:
                return changed
            last = rows[-1][0]
            updates = [(new, pk) for pk, value in rows if (new := convert(value)) is not None]
            if updates:
                cursor.executemany(update, updates)
                changed += len(updates)


# Tables the runtime role may only append to and read.
APPEND_ONLY_TABLES = ("lib_auditentry", "lib_auditseal")

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def supports_roles(connection: BaseDatabaseWrapper) -> bool:
    return connection.vendor == "postgresql"


def _literal(name: str) -> str:
    return "'" + name + "'"


def role_statements(owner: str, runtime: str) -> list[tuple[str, list[str]]]:
    """``(what, statements)`` in order; every statement may run again (idempotent).
    Role names are checked against ``ROLE_NAME`` by the caller, so quoting them
    as identifiers is safe."""
    o, r = f'"{owner}"', f'"{runtime}"'
    tables = ", ".join(APPEND_ONLY_TABLES)
    return [
        (
            f"create role {owner} (login) unless it exists",
            [_create_role(owner)],
        ),
        (
            f"create role {runtime} (login) unless it exists",
            [_create_role(runtime)],
        ),
        (
            f"{runtime}: no superuser, no role or database creation, not a member of {owner}",
            [
                f"ALTER ROLE {r} NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION",
                f"DO $$ BEGIN IF pg_has_role({_literal(runtime)}, {_literal(owner)}, 'MEMBER')"
                f" THEN REVOKE {o} FROM {r}; END IF; END $$",
            ],
        ),
        (
            f"{owner} owns the database and the schema public; nobody else creates in it",
            [
                "DO $$ BEGIN EXECUTE format('ALTER DATABASE %I OWNER TO "
                + o
                + "', current_database()); END $$",
                f"ALTER SCHEMA public OWNER TO {o}",
                "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
                f"REVOKE ALL ON SCHEMA public FROM {r}",
                f"GRANT USAGE ON SCHEMA public TO {r}",
            ],
        ),
        (
            f"{owner} owns every table, view, sequence and function in public",
            [_OWN_EVERYTHING.replace("{owner}", o)],
        ),
        (
            f"{runtime}: SELECT, INSERT, UPDATE, DELETE on the app's tables (no TRUNCATE,"
            " REFERENCES or TRIGGER)",
            [
                f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {r}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}",
            ],
        ),
        (
            f"{runtime}: only INSERT and SELECT on {tables}",
            [
                f"DO $$ BEGIN IF to_regclass('public.{t}') IS NOT NULL THEN"
                f" REVOKE UPDATE, DELETE ON {t} FROM {r}; END IF; END $$"
                for t in APPEND_ONLY_TABLES
            ],
        ),
        (
            f"{runtime}: use the sequences (ids)",
            [
                f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {r}",
                f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}",
            ],
        ),
        (
            f"tables and sequences {owner} creates later (migrations) are open to {runtime} alike",
            [
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public"
                f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {r}",
                f"ALTER DEFAULT PRIVILEGES FOR ROLE {o} IN SCHEMA public"
                f" GRANT USAGE, SELECT ON SEQUENCES TO {r}",
            ],
        ),
    ]


def _create_role(name: str) -> str:
    return (
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {_literal(name)})"
        f' THEN CREATE ROLE "{name}" LOGIN; END IF; END $$'
    )


# Tables (with the sequences of their columns), views, free sequences and the
# functions (the audit triggers') of the schema, given to the owner.
_OWN_EVERYTHING = """DO $$
DECLARE obj record;
BEGIN
  FOR obj IN
    SELECT c.relname, c.relkind FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
      AND NOT (c.relkind = 'S' AND EXISTS (
        SELECT FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
  LOOP
    EXECUTE format(
      CASE obj.relkind WHEN 'S' THEN 'ALTER SEQUENCE %I OWNER TO {owner}'
                       WHEN 'v' THEN 'ALTER VIEW %I OWNER TO {owner}'
                       WHEN 'm' THEN 'ALTER MATERIALIZED VIEW %I OWNER TO {owner}'
                       ELSE 'ALTER TABLE %I OWNER TO {owner}' END,
      obj.relname);
  END LOOP;
  FOR obj IN
    SELECT p.oid::regprocedure AS sig FROM pg_proc p
    JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public'
      AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('ALTER ROUTINE %s OWNER TO {owner}', obj.sig);
  END LOOP;
END $$"""


def role_problems(connection: BaseDatabaseWrapper, owner: str, runtime: str) -> list[str]:
    """Why the roles can't be set up from this connection (empty: they can)."""
    problems = []
    for name in (owner, runtime):
        if not ROLE_NAME.match(name):
            problems.append(f"{name!r}: a role name is lower-case letters, digits and _")
    if owner == runtime:
        problems.append("the owner and the runtime role must differ")
    if problems:
        return problems
    with connection.cursor() as cur:
        cur.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user")
        me, superuser = cur.fetchone()
        cur.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", [runtime])
        row = cur.fetchone()
    if runtime == me:
        problems.append(f"{runtime} is the role running this command: connect as a superuser")
    if row and row[0]:
        problems.append(f"{runtime} is a superuser; pick another name for the runtime role")
    if not superuser:
        problems.append(f"{me} is not a superuser: run this with a superuser's database URL")
    return problems


def missing_tables(connection: BaseDatabaseWrapper) -> list[str]:
    """The append-only tables not created yet (before the first ``migrate``)."""
    with connection.cursor() as cur:
        missing = []
        for table in APPEND_ONLY_TABLES:
            cur.execute("SELECT to_regclass(%s)", [f"public.{table}"])
            if cur.fetchone()[0] is None:
                missing.append(table)
    return missing


def role_apply(connection: BaseDatabaseWrapper, owner: str, runtime: str) -> list[str]:
    """Run :func:`role_statements`; the descriptions of what was done."""
    done = []
    with connection.cursor() as cur:
        for what, statements in role_statements(owner, runtime):
            for statement in statements:
                cur.execute(statement)
            done.append(what)
    return done
