"""`yichuang report --month YYYY-MM [--kind monthly|bulletin] [--scope S]
--format pdf|xlsx -o FILE`.

The monthly report is insights'; the supervision bulletin (通报) is
supervision's. The command lives here, above both, so that neither app
reaches up to the other."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from yichuang.insights.kpis import system_scope
from yichuang.insights.report import parse_month, render_report
from yichuang.lib.errors import DomainError
from yichuang.supervision.models import Bulletin
from yichuang.supervision.pdf import bulletin_pdf


class Command(BaseCommand):
    help = "Write the monthly report (PDF or Excel) or the supervision bulletin (PDF) of a month."

    def add_arguments(self, parser):
        parser.add_argument("--month", required=True, help="YYYY-MM")
        parser.add_argument(
            "--kind",
            choices=["monthly", "bulletin"],
            default="monthly",
            help="monthly: the targets report; bulletin: the supervision bulletin (通报)",
        )
        parser.add_argument(
            "--scope", default="county", help="county | centre:CODE | department:CODE"
        )
        parser.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
        parser.add_argument("-o", "--output", required=True)

    def handle(self, *args, **opts):
        try:
            month = parse_month(opts["month"])
            if opts["kind"] == "bulletin":
                data = self.bulletin(month, opts)
            else:
                data = render_report(system_scope(opts["scope"]), month, opts["format"])
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        with open(opts["output"], "wb") as fh:
            fh.write(data)
        self.stdout.write(f"{opts['output']}: {len(data):,} bytes")

    def bulletin(self, month, opts) -> bytes:
        """The month's bulletin as it stands: the signed one if the director
        has signed it, else a draft computed now (nothing is stored)."""
        if opts["format"] != "pdf":
            raise CommandError("the bulletin is written as a PDF (--format pdf)")
        if opts["scope"] != "county":
            system_scope(opts["scope"])  # a scope that does not exist is refused
        stored = Bulletin.objects.filter(month=month, scope=opts["scope"]).first()
        return bulletin_pdf(stored or Bulletin(month=month, scope=opts["scope"]))
