"""`yichuang freeze-baseline --from YYYY-MM-DD --to YYYY-MM-DD [--label L]`."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yichuang.insights.kpis import baseline_freeze


class Command(BaseCommand):
    help = "Freeze a past period as the baseline of actual duration reduction."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="date_from", required=True)
        parser.add_argument("--to", dest="date_to", required=True)
        parser.add_argument("--label", default="")

    def handle(self, *args, **opts):
        try:
            lo = dt.date.fromisoformat(opts["date_from"])
            hi = dt.date.fromisoformat(opts["date_to"])
        except ValueError as exc:
            raise CommandError("dates must be YYYY-MM-DD") from exc
        label = opts["label"] or f"{lo}～{hi}"
        baseline = baseline_freeze(label=label, date_from=lo, date_to=hi)
        county = baseline.medians.get("county", {})
        self.stdout.write(
            f"baseline {baseline.pk} frozen: county median {county.get('median')} working days "
            f"over {county.get('cases', 0)} cases, formula {baseline.formula_version}"
        )
