"""`yichuang audit-verify`: walk the audit log's hash chain (``yichuang.lib.audit``).

Exit 0 with the number of sealed entries and the chain's head (keep the head
somewhere the database's owner can't reach: a later run that shows a different
hash at that position means the chain was rewritten); exit 1 with the first
broken place. ``--seal`` first seals the entries written since the worker last
did.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from yichuang.lib.audit import audit_seal, audit_verify


class Command(BaseCommand):
    help = "Verify the audit log's hash chain; exit 1 at the first broken entry."

    def add_arguments(self, parser):
        parser.add_argument("--seal", action="store_true", help="seal new entries first")

    def handle(self, *args, **opts):
        if opts["seal"]:
            self.stdout.write(f"sealed {audit_seal(full=True)} new entries")
        report = audit_verify()
        if not report.ok:
            entry = f" (entry {report.broken_entry})" if report.broken_entry is not None else ""
            raise CommandError(
                f"BROKEN at seal #{report.broken_seq}{entry}: {report.reason};"
                f" {report.sealed} entries verified before it",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"OK: {report.sealed} entries in the chain, head #{report.head_seq}"
                f" {report.head_hash}; {report.unsealed} not sealed yet"
            )
        )
