"""`yichuang rebuild-rollups`: recompute every roll-up table from the source rows."""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from yichuang.insights.rollups import rebuild


class Command(BaseCommand):
    help = "Recompute the dashboard roll-ups from the queue, case and rating tables."

    def handle(self, *args, **opts):
        started = time.monotonic()
        counts = rebuild(out=self.stdout.write)
        seconds = time.monotonic() - started
        figures = ", ".join(f"{k} {v}" for k, v in counts.items())
        self.stdout.write(f"rebuilt in {seconds:.1f} s: {figures}")
