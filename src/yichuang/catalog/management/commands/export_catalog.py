"""`yichuang export-catalog FILE.xlsx` (docs/catalog-workbook.md)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from yichuang.catalog.models import Item
from yichuang.catalog.workbook import catalog_export


class Command(BaseCommand):
    help = "Export the published service catalogue and bundles to a workbook."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **opts):
        path = Path(opts["file"])
        path.write_bytes(catalog_export())
        n = Item.objects.published().count()
        self.stdout.write(f"已导出 {n} 个事项到 {path}")
