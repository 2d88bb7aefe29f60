"""The hall screen at 1920×1080 (issue 18, item 9): after a reload it lists
each recent call once and shows no finished ticket as 正在叫号; a call made
after the reload is announced; the 点击开启语音 hint appears only when the
browser refuses to play sound."""

from __future__ import annotations

import time

import pytest

from yichuang.org.models import Centre, Device, Window, device_token_hash

from .conftest import CHROMIUM, CHROMIUM_ARGS, WatchedBrowser


def display_token() -> str:
    raw = Device.new_token()
    Device.objects.create(
        kind="display",
        name="display",
        centre=Centre.objects.get(code="county-hall"),
        token_hash=device_token_hash(raw),
    )
    return raw


def serve(number: int, *, finish: bool):
    """A ticket issued and called at window ``number`` (and finished)."""
    from yichuang.accounts.models import User
    from yichuang.queueing.actions import (
        ticket_call_next,
        ticket_finish,
        ticket_issue,
        window_open,
    )
    from yichuang.queueing.models import WindowSkill

    window = Window.objects.get(centre__code="county-hall", number=number)
    user = User.objects.get(username=f"clerk_w{number:02d}")
    if window.state != "open":
        window = window_open(window=window, actor=user)
    skill = WindowSkill.objects.filter(window=window).order_by("order").first()
    ticket_issue(centre=window.centre, queue_code=skill.queue.code, channel="kiosk")
    ticket = ticket_call_next(window=window, actor=user)
    if finish:
        ticket_finish(window=window, actor=user)
    return ticket


@pytest.fixture
def hall(live_county):
    from yichuang.demo.queueing import build_structure

    build_structure()
    return live_county[0]


def test_a_reloaded_screen_lists_each_call_once_and_no_finished_ticket(browser, hall):
    done = serve(1, finish=True)
    calling = serve(2, finish=False)
    later_done = serve(3, finish=True)  # the last call, already finished
    context = browser.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(f"{hall.url}/display/county-hall?device={display_token()}")
    page.wait_for_selector("#d-recent li")
    page.reload()
    page.wait_for_selector("#d-recent li")
    time.sleep(2.5)  # several polls of the feed, whose overlap covers these calls
    items = page.locator("#d-recent li").all_inner_texts()
    assert len(items) == 3 and len(set(items)) == 3, items
    assert items[0].startswith(later_done.number)
    current = page.locator("#d-current")
    # 正在叫号 shows the ticket still called, not the finished one, and quietly
    assert current.get_attribute("data-ticket") == calling.number
    assert done.number not in current.inner_text()
    assert later_done.number not in current.inner_text()
    assert "flash" not in (current.get_attribute("class") or "")

    # a call after the page opened is announced once, at the top
    fresh = serve(4, finish=False)
    page.wait_for_selector(f"#d-current[data-ticket='{fresh.number}']")
    assert "flash" in current.get_attribute("class")
    time.sleep(1.5)
    items = page.locator("#d-recent li").all_inner_texts()
    assert len(items) == 4 and items[0].startswith(fresh.number), items
    context.close()


def open_with_policy(browser, url: str, policy: str):
    """The screen in a Chromium started with ``--autoplay-policy=<policy>``."""
    own = WatchedBrowser(
        browser.browser_type.launch(
            executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, f"--autoplay-policy={policy}"]
        )
    )
    page = own.new_context(locale="zh-CN", viewport={"width": 1920, "height": 1080}).new_page()
    page.set_default_timeout(10_000)
    page.goto(url)
    page.wait_for_selector("#d-queues tr")
    time.sleep(1)
    return own, page


def test_the_voice_hint_shows_only_when_the_browser_refuses_sound(browser, hall):
    url = f"{hall.url}/display/county-hall?device={display_token()}"
    kiosk_mode, page = open_with_policy(browser, url, "no-user-gesture-required")
    assert page.locator("#d-start").is_hidden()
    kiosk_mode.close()

    strict, page = open_with_policy(browser, url, "user-gesture-required")
    assert page.locator("#d-start").is_visible()
    assert page.locator("#d-start").inner_text() == "点击开启语音"
    page.click("#d-start")
    assert page.locator("#d-start").is_hidden()
    strict.close()
