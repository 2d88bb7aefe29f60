"""The kiosk at 1440×900 (issue 18, items 6, 7 and 8): the printed slip and a
refused check-in open over the buttons, inside the screen, without replacing
the page; the slip still prints alone on the 80 mm roll; elders' mode offers
every queue of the hall."""

from __future__ import annotations

import pytest

from yichuang.org.models import Centre, Device, device_token_hash

W, H = 1440, 900


@pytest.fixture
def kiosk(browser, live_county):
    from yichuang.demo.queueing import build_structure

    server, _ = live_county
    build_structure()
    raw = Device.new_token()
    Device.objects.create(
        kind="kiosk",
        name="kiosk",
        centre=Centre.objects.get(code="county-hall"),
        token_hash=device_token_hash(raw),
    )
    context = browser.new_context(locale="zh-CN", viewport={"width": W, "height": H})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.add_init_script("window.print = function () { window.__printed = true; };")
    page.goto(f"{server.url}/kiosk/county-hall?device={raw}")
    page.wait_for_selector("button.k-btn")
    yield page, server
    context.close()


def inside_viewport(page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    assert box is not None, selector
    return (
        box["x"] >= 0
        and box["y"] >= 0
        and box["x"] + box["width"] <= W
        and (box["y"] + box["height"] <= H)
    )


def test_the_slip_is_seen_without_scrolling_and_prints_alone(kiosk):
    page, _ = kiosk
    page.click("button.k-btn[value=general]")
    page.wait_for_selector("#ticket")
    page.wait_for_function("() => window.__printed === true")
    assert page.evaluate("() => window.scrollY") == 0
    assert inside_viewport(page, "#ticket")
    assert inside_viewport(page, "#k-result [data-k-close]")

    # on paper: the slip alone, 80 mm wide, no buttons and no overlay
    page.emulate_media(media="print")
    assert page.locator("#ticket").is_visible()
    assert not page.locator(".k-grid").is_visible()
    assert not page.locator("#k-result [data-k-close]").is_visible()
    width = page.locator("#ticket").bounding_box()["width"]
    assert abs(width - 80 / 25.4 * 96) < 2  # 80 mm at 96 px an inch
    page.emulate_media(media="screen")

    page.click("#k-result [data-k-close]")
    assert not page.locator("#ticket").count()
    assert not page.locator("#k-result").is_visible()


@pytest.mark.parametrize("code", ["", "99999999"])
def test_a_wrong_or_empty_appointment_code_shows_the_refusal_box(kiosk, code):
    page, _ = kiosk
    page.fill("input[name=code]", code)
    page.click("button:has-text('预约签到')")
    page.wait_for_selector(".k-error")
    # the page is still the kiosk, the box is inside the screen
    assert page.locator("button.k-btn").count() > 4
    assert inside_viewport(page, ".k-error")
    expected = "请输入预约码" if not code else "没有找到该预约码"
    assert expected in page.locator(".k-error").inner_text()
    page.click(".k-error [data-k-close]")
    assert not page.locator(".k-error").count()


def test_the_elders_mode_offers_every_queue(kiosk):
    from yichuang.queueing.models import Queue

    page, _ = kiosk
    page.goto(page.url + "?mode=elderly")
    page.wait_for_selector("body.elderly")
    codes = list(
        Queue.objects.filter(centre__code="county-hall", is_active=True).values_list(
            "code", flat=True
        )
    )
    assert len(codes) > 4
    assert page.locator("button.k-btn").count() == len(codes)
    # every button fits the screen at 1440×900, no scrolling needed
    for code in codes:
        assert inside_viewport(page, f"button.k-btn[value='{code}']"), code
    page.click(f"button.k-btn[value='{codes[-1]}']")
    page.wait_for_selector("#ticket")
    assert inside_viewport(page, "#ticket")
