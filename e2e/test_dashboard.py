"""The dashboard in chromium: charts drawn by the locally served ECharts, the
numbers beside them, drill-down by click, and a phone-sized layout."""

from __future__ import annotations

from pathlib import Path

from django.core.management import call_command

SHOTS = Path("var/screenshots")


def _history():
    from tests.insights.conftest import START, ensure_world

    from yichuang.demo.history import generate

    ensure_world()
    generate(start=START, days=20, seed=4, per_day=30)
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _sign_in(page, server, password, username="countyadmin"):
    page.goto(server.url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("section.welcome")


def test_it_draws_the_targets_and_drills_down(page, live_county):
    server, password = live_county
    _history()
    _sign_in(page, server, password)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(server.url + "/dashboard/?from=2026-03-01&to=2026-03-31")
    page.wait_for_selector("#chart-trend svg")
    page.wait_for_selector("#chart-breakdown svg")
    assert page.locator(".goal").count() == 3
    assert "%" in page.locator(".goal .big").first.inner_text()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "dashboard-1366.png"), full_page=True)
    page.click("td a:has-text('云溪县政务服务中心')")
    page.wait_for_selector("h1:has-text('云溪县政务服务中心')")
    assert "by=department" in page.url
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_selector("#chart-trend svg")
    page.screenshot(path=str(SHOTS / "dashboard-phone.png"), full_page=True)
    assert errors == []
