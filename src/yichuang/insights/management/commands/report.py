"""`yichuang report --month YYYY-MM [--scope S] --format pdf|xlsx -o FILE`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from yichuang.insights.kpis import system_scope
from yichuang.insights.report import parse_month, render_report
from yichuang.lib.errors import DomainError


class Command(BaseCommand):
    help = "Write the monthly report (PDF or Excel) of a scope."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--scope", default="county", help="county | centre:CODE | department:CODE"
        )
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, **opts):
        try:
            scope = system_scope(opts["scope"])
            data = render_report(scope, parse_month(opts["month"]), opts["format"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        with open(opts["output"], "wb") as fh:
            fh.write(data)
        self.stdout.write(f"{opts['output']}: {len(data):,} bytes")
