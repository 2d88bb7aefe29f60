"""`yichuang db-roles --owner yichuang_owner --runtime yichuang_app`: split the
database's owner from the role the app runs as (docs/deployment.md, "Database
roles"; the statements are ``yichuang.lib.sql``).

Run it with a PostgreSQL superuser's URL after ``migrate``; it may run again
at any time (after each upgrade's ``migrate``, say) and changes only what is not
yet so. SQLite has no roles: there the command refuses.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from yichuang.lib import sql


class Command(BaseCommand):
    help = (
        "Make OWNER own the schema and every table, and give RUNTIME (the role the app"
        " and the worker connect as) only data rights: on the audit log INSERT and"
        " SELECT. PostgreSQL only; run as a superuser."
    )

    def add_arguments(self, parser):
        parser.add_argument("--owner", default="yichuang_owner", help="owner role (migrations)")
        parser.add_argument("--runtime", default="yichuang_app", help="runtime role (the app)")
        parser.add_argument(
            "--print-sql", action="store_true", help="print the statements, run nothing"
        )

    def handle(self, *args, **opts):
        owner, runtime = opts["owner"], opts["runtime"]
        if opts["print_sql"]:
            for what, statements in sql.role_statements(owner, runtime):
                self.stdout.write(f"-- {what}")
                for statement in statements:
                    self.stdout.write(f"{statement};")
            return
        if not sql.supports_roles(connection):
            raise CommandError(
                "数据库角色分离只适用于 PostgreSQL；SQLite 没有数据库角色，本命令未做任何更改。\n"
                "Database roles apply to PostgreSQL only; SQLite has none. Nothing was changed."
            )
        problems = sql.role_problems(connection, owner, runtime)
        if problems:
            raise CommandError("\n".join(problems))
        with transaction.atomic():
            done = sql.role_apply(connection, owner, runtime)
        name = connection.settings_dict["NAME"]
        for what in done:
            self.stdout.write(f"  {what}")
        missing = sql.missing_tables(connection)
        if missing:
            # Default privileges would give the runtime role UPDATE and DELETE
            # on them when migrate creates them: this must run again after it.
            self.stdout.write(
                self.style.WARNING(
                    f"{', '.join(missing)} not created yet: run migrate as {owner},"
                    " then this command again."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"{name}: owner {owner}, runtime {runtime}. Run migrate as {owner},"
                f" serve and worker as {runtime}."
            )
        )
