"""`yichuang serve`: gunicorn with sync workers on the configured database."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve Yichuang with gunicorn (sync workers, persistent DB connections)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument(
            "--workers",
            type=int,
            default=int(os.environ.get("YICHUANG_WORKERS", (os.cpu_count() or 1) * 2 + 1)),
        )
        parser.add_argument("--threads", type=int, default=1)

    def handle(self, *args, **opts):
        from gunicorn.app.base import BaseApplication

        from yichuang.wsgi import application

        options = {
            "bind": f"{opts['host']}:{opts['port']}",
            "workers": opts["workers"],
            "threads": opts["threads"],
            "worker_class": "sync" if opts["threads"] == 1 else "gthread",
            "accesslog": os.environ.get("YICHUANG_ACCESS_LOG") or None,
            "timeout": 60,
            "graceful_timeout": 10,
            "keepalive": 5,
        }

        class App(BaseApplication):
            def load_config(self):
                for key, value in options.items():
                    if value is not None:
                        self.cfg.set(key, value)

            def load(self):
                return application

        self.stdout.write(f"Yichuang serving on http://{options['bind']}/")
        App().run()
