"""The screen above a window, (re)loaded while its ticket is called, shows that
ticket quietly: the feed's overlap does not replay and re-flash the calls made
before the page opened; a call after it flashes (issue 18, item 9)."""

from __future__ import annotations

import time

from yichuang.org.models import Device, Window, device_token_hash

from .test_display_reload import serve


def test_a_reloaded_window_screen_does_not_replay_old_calls(browser, live_county):
    from yichuang.demo.queueing import build_structure

    server, _ = live_county
    build_structure()
    serve(1, finish=True)
    called = serve(1, finish=False)
    window = Window.objects.get(centre__code="county-hall", number=1)
    raw = Device.new_token()
    Device.objects.create(
        kind="window_display",
        name="1号窗口屏",
        centre=window.centre,
        window=window,
        token_hash=device_token_hash(raw),
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
    context.set_default_timeout(10_000)
    screen = context.new_page()
    screen.goto(f"{server.url}/display/county-hall/window/1?device={raw}")
    screen.reload()
    screen.wait_for_selector(f"#w-current:has-text('{called.number}')")
    time.sleep(2)  # several polls of the feed, whose overlap covers both calls
    current = screen.locator("#w-current")
    assert current.inner_text() == called.number
    assert "flash" not in (current.get_attribute("class") or "")

    fresh = serve(2, finish=False)  # another window's call changes nothing here
    time.sleep(1.5)
    assert current.inner_text() == called.number and fresh.number != called.number
    context.close()
