"""The director's home in chromium at 1440×900: the live hall board, and a
flexible window opened with one click."""

from __future__ import annotations

from pathlib import Path

SHOTS = Path("var/screenshots")


def test_the_director_opens_a_flexible_window_from_the_board(page, live_county):
    from yichuang.demo.queueing import build_structure

    build_structure()
    server, password = live_county
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(server.url + "/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("#hall-board")
    assert page.locator("#hall-board .hb-windows li").count() > 5
    flexible = page.locator("#hall-board li:has(button:has-text('开启弹性窗口'))").first
    name = flexible.locator(".hb-name").inner_text()
    flexible.locator("button").click()
    page.wait_for_selector("#hall-board")
    opened = page.locator(f"#hall-board li:has(.hb-name:text-is('{name}'))").first
    assert opened.locator(".hb-state").inner_text() == "空闲"
    assert opened.locator(".hb-who").inner_text().strip() != ""
    assert page.evaluate("document.documentElement.scrollWidth") <= 1440
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "director-home-1440.png"), full_page=True)
    assert errors == []
