"""`yichuang create-admin USERNAME --role security_admin`: the first accounts of
an installation, instead of a Django superuser (三权分立, docs/deployment.md).

Each account gets one administrator role; the password (asked twice, or read
from ``YICHUANG_ADMIN_PASSWORD`` when not at a terminal) must pass the
password policy. The creation is audited with no actor (the system).
Afterwards the security administrator creates every other account in the
admin site.
"""

from __future__ import annotations

import getpass
import os

from django.core.management.base import BaseCommand, CommandError

from yichuang.accounts.actions import user_create
from yichuang.accounts.models import ADMIN_ROLES, User
from yichuang.lib.errors import DomainError


class Command(BaseCommand):
    help = "Create an administrator account holding one administrator role (no superuser)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(str(r) for r in ADMIN_ROLES))
        parser.add_argument("--name", default="", help="display name")

    def handle(self, *args, **opts):
        password = os.environ.get("YICHUANG_ADMIN_PASSWORD") or self._ask()
        try:
            user = user_create(
                username=opts["username"],
                password=password,
                display_name=opts["name"],
                roles=[opts["role"]],
            )
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        User.objects.filter(pk=user.pk).update(is_staff=True)
        self.stdout.write(self.style.SUCCESS(f"{user.username}: {opts['role']}"))

    def _ask(self) -> str:
        first = getpass.getpass("Password: ")
        if first != getpass.getpass("Password (again): "):
            raise CommandError("密码两次输入不一致 / the passwords differ")
        return first
