"""`yichuang open311-key NAME`: create an Open311 api_key for a named client
(a hotline, a partner system) and print it. Only its hash is stored."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from yichuang.feedback.actions import new_api_key
from yichuang.feedback.models import Open311Client
from yichuang.feedback.open311 import key_hash
from yichuang.lib.audit import audit_record


class Command(BaseCommand):
    help = "Create an Open311 api_key for a named client and print it."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--rotate", action="store_true", help="replace the key of an existing client"
        )

    @transaction.atomic
    def handle(self, *args, **opts):
        name = opts["name"].strip()
        if not name:
            raise CommandError("NAME must not be empty")
        raw = new_api_key()
        client = Open311Client.objects.filter(name=name).first()
        if client is not None and not opts["rotate"]:
            raise CommandError(f"client {name!r} exists; use --rotate to replace its key")
        if client is None:
            client = Open311Client.objects.create(name=name, key_hash=key_hash(raw))
            event = "open311.key_create"
        else:
            client.key_hash = key_hash(raw)
            client.is_active = True
            client.save(update_fields=["key_hash", "is_active", "updated_at"])
            event = "open311.key_rotate"
        audit_record(event, obj=client, name=name)
        self.stdout.write(raw)
