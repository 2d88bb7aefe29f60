"""Retake the README's screenshots (docs/screenshots/*.png) from a fresh demo
county: `.venv/bin/python scripts/readme_screenshots.py`.

It builds the demo in a scratch directory (its own SQLite database, three
months of history, every centre open), puts the hall to work (tickets waiting,
two windows calling), serves it on a free local port and photographs each page
in Debian's chromium at the size the README shows. Nothing outside the scratch
directory and docs/screenshots/ is touched."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs" / "screenshots"
YICHUANG = str(ROOT / ".venv" / "bin" / "yichuang")
PASSWORD = "Demo@2026"
CHROMIUM = os.environ.get("YICHUANG_CHROMIUM", "/usr/bin/chromium")

# name, who opens it (a username, or a device kind), path, viewport, full page
SHOTS = [
    ("dashboard", "director", "/dashboard/", (1366, 768), False),
    ("kiosk", "kiosk", "/kiosk/county-hall", (1366, 768), False),
    ("display", "display", "/display/county-hall", (1366, 768), False),
    ("home-director", "director", "/", (1366, 954), False),
    ("feedback-board", "director", "/feedback/", (1366, 768), False),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _hall_at_work() -> dict[str, str]:
    """Device tokens for the kiosk and the hall screen; tickets waiting in four
    queues, windows 1 and 2 calling. Runs in this process against the scratch
    database (YICHUANG_VAR is set before Django starts)."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yichuang.settings")
    django.setup()
    from yichuang.accounts.models import User
    from yichuang.org.models import Centre, Device, Window, device_token_hash
    from yichuang.queueing.actions import ticket_call_next, ticket_issue, window_open
    from yichuang.queueing.models import Queue

    hall = Centre.objects.get(code="county-hall")
    tokens = {}
    for kind, name in (("kiosk", "大厅取号机"), ("display", "大厅显示屏")):
        raw = Device.new_token()
        Device.objects.create(kind=kind, name=name, centre=hall, token_hash=device_token_hash(raw))
        tokens[kind] = raw
    queues = Queue.objects.filter(centre=hall, is_active=True).order_by("pk")[:4]
    for _ in range(3):
        for queue in queues:
            ticket_issue(centre=hall, queue_code=queue.code, channel="kiosk")
    for number in (1, 2):
        clerk = User.objects.get(username=f"clerk_w{number:02d}")
        window = window_open(window=Window.objects.get(centre=hall, number=number), actor=clerk)
        ticket_call_next(window=window, actor=clerk)
    return tokens


def main() -> int:
    from playwright.sync_api import sync_playwright

    scratch = Path(tempfile.mkdtemp(prefix="yichuang-shots-"))
    env = {**os.environ, "YICHUANG_VAR": str(scratch), "YICHUANG_DEBUG": "1"}
    env.pop("YICHUANG_DATABASE_URL", None)
    os.environ.update({"YICHUANG_VAR": str(scratch), "YICHUANG_DEBUG": "1"})
    os.environ.pop("YICHUANG_DATABASE_URL", None)
    subprocess.run([YICHUANG, "migrate", "--noinput", "-v", "0"], env=env, check=True)
    subprocess.run(
        [YICHUANG, "seed-demo", "--months", "3", "--always-open", "--password", PASSWORD],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    tokens = _hall_at_work()
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [YICHUANG, "runserver", f"127.0.0.1:{port}", "--noreload"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                urllib.request.urlopen(url + "/healthz", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for name, who, path, (width, height), full in SHOTS:
                context = browser.new_context(
                    locale="zh-CN", viewport={"width": width, "height": height}
                )
                page = context.new_page()
                if who in tokens:
                    page.goto(f"{url}{path}?device={tokens[who]}")
                else:
                    page.goto(url + "/")
                    page.fill("input[name=username]", who)
                    page.fill("input[name=password]", PASSWORD)
                    page.click("button[type=submit]")
                    page.wait_for_selector("section.welcome")
                    page.goto(url + path)
                page.wait_for_timeout(1500)  # charts drawn, the hall screen's first poll
                page.screenshot(path=str(OUT / f"{name}.png"), full_page=full)
                context.close()
                print(f"docs/screenshots/{name}.png")
            browser.close()
    finally:
        server.terminate()
        server.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
