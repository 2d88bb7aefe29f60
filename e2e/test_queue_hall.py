"""Kiosk → console → hall display in a real browser: a ticket printed at the
kiosk is called from the clerk's console and appears on the display within 2 s."""

import time

from yichuang.org.models import Centre, Device, device_token_hash


def device(kind: str) -> str:
    raw = Device.new_token()
    Device.objects.create(
        kind=kind,
        name=kind,
        centre=Centre.objects.get(code="county-hall"),
        token_hash=device_token_hash(raw),
    )
    return raw


def test_it_takes_a_ticket_calls_it_and_shows_it_on_the_display(browser, live_county):
    from yichuang.demo.queueing import build_structure

    server, password = live_county
    build_structure()
    kiosk_token, display_token = device("kiosk"), device("display")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
    context.set_default_timeout(10_000)
    display = context.new_page()
    display.goto(f"{server.url}/display/county-hall?device={display_token}")
    display.wait_for_selector("#d-queues tr")

    kiosk = context.new_page()
    kiosk.add_init_script("window.print = function () { window.__printed = true; };")
    kiosk.goto(f"{server.url}/kiosk/county-hall?device={kiosk_token}")
    kiosk.click("button.k-btn[value=general]")
    kiosk.wait_for_selector("#ticket")
    assert kiosk.locator(".t-number").inner_text() == "A001"
    kiosk.wait_for_function("() => window.__printed === true")

    clerk_ctx = browser.new_context(locale="zh-CN")
    console = clerk_ctx.new_page()
    console.goto(server.url + "/")
    console.fill("input[name=username]", "clerk_w01")
    console.fill("input[name=password]", password)
    console.click("button[type=submit]")
    console.goto(server.url + "/console/")
    console.click("button:has-text('1号 综合受理')")
    console.wait_for_selector("button[data-key=n]")
    console.keyboard.press("n")
    console.wait_for_selector("#c-number:has-text('A001')")
    called = time.monotonic()
    display.wait_for_selector("#d-current[data-ticket=A001]", timeout=2_000)
    assert time.monotonic() - called < 2.0
    assert "1 号窗口" in display.locator("#d-current").inner_text()
    clerk_ctx.close()
    context.close()
