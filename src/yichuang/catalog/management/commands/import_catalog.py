"""`yichuang import-catalog FILE.xlsx [--dry-run]` (docs/catalog-workbook.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yichuang.catalog.workbook import catalog_import


class Command(BaseCommand):
    help = "Import the service catalogue from a workbook; any bad row changes nothing."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--dry-run", action="store_true", help="validate and report, change nothing"
        )

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        if not path.is_file():
            raise CommandError(f"找不到文件：{path}")
        report = catalog_import(data=path.read_bytes(), dry_run=opts["dry_run"])
        for line in report.lines():
            self.stderr.write(line)
        if not report.ok:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
