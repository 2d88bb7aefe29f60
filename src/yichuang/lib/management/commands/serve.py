"""`yichuang serve`: the production server on the configured database.

Granian (its HTTP layer is compiled) runs the WSGI app in ``--workers``
processes, each with one request thread, so a worker behaves like a sync
worker (one request at a time, one persistent database connection), while
connections from kiosks, consoles, displays and a reverse proxy are kept
alive between requests. ``--server gunicorn`` runs gunicorn's sync workers
instead (every connection closed after one request), for a platform granian
has no build for.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Yichuang (granian, one request thread per worker, keep-alive)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("YICHUANG_WORKERS", (os.cpu_count() or 1) * 2 + 1)),
        )
        parser.add_argument(
            "--server",
            choices=["granian", "gunicorn"],
            default=os.environ.get("YICHUANG_SERVER", "granian"),
        )

    def handle(self, *args, **opts):
        self.stdout.write(f"Yichuang serving on http://{opts['host']}:{opts['port']}/")
        if opts["server"] == "gunicorn":
            self._gunicorn(opts)
        else:
            self._granian(opts)

    def _granian(self, opts) -> None:
        from granian.constants import Interfaces
        from granian.server import Server

        Server(
            "yichuang.wsgi:application",
            address=opts["host"],
            port=opts["port"],
            interface=Interfaces.WSGI,
            workers=opts["workers"],
            blocking_threads=1,
            websockets=False,
            log_access=bool(os.environ.get("YICHUANG_ACCESS_LOG")),
            respawn_failed_workers=True,
            workers_kill_timeout=10,
        ).serve()

    def _gunicorn(self, opts) -> None:
        from gunicorn.app.base import BaseApplication

        from yichuang.wsgi import application

        options = {
            "bind": f"{opts['host']}:{opts['port']}",
            "workers": opts["workers"],
            "worker_class": "sync",
            "accesslog": os.environ.get("YICHUANG_ACCESS_LOG") or None,
            "timeout": 60,
            "graceful_timeout": 10,
        }

        class App(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                return application

        App().run()
