"""`yichuang worker`: the background loop.

Each app may offer ``<app>/tasks.py`` with ``TASKS``: a list of
``(name, every_seconds, function)``. The worker runs each when due. Functions
claim their rows themselves (``SELECT … FOR UPDATE SKIP LOCKED`` or a
conditional UPDATE), so several workers can run side by side.
"""

from __future__ import annotations

import importlib
import logging
import time

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import close_old_connections

log = logging.getLogger("yichuang.worker")


def discover_tasks():
    tasks = []
    for config in apps.get_app_configs():
        if not config.name.startswith("yichuang."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tasks")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.tasks":
                raise
            continue
        tasks.extend(getattr(module, "TASKS", []))
    return tasks


class Command(BaseCommand):
    help = "Run background tasks (deadline cards, notifications, roll-ups)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="run every task once and exit")
        parser.add_argument("--sleep", type=float, default=5.0)

    def handle(self, *args, **opts):
        tasks = discover_tasks()
        next_run = {name: 0.0 for name, _every, _fn in tasks}
        self.stdout.write(f"worker: {len(tasks)} tasks: {', '.join(next_run) or '—'}")
        while True:
            now = time.monotonic()
            for name, every, fn in tasks:
                if opts["once"] or next_run[name] <= now:
                    close_old_connections()
                    try:
                        done = fn()
                        if done:
                            log.info("%s: %s", name, done)
                    except Exception:
                        log.exception("task %s failed", name)
                    next_run[name] = now + every
            if opts["once"]:
                return
            time.sleep(opts["sleep"])
