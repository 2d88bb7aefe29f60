"""The screen above a window shows the ticket its clerk calls within 2 s, and a
citizen books an appointment on the phone page."""

import time

from yichuang.org.models import Centre, Device, Window, device_token_hash


def test_it_shows_the_call_above_the_window(browser, live_county):
    from yichuang.demo.queueing import build_structure
    from yichuang.queueing.actions import ticket_issue

    server, password = live_county
    build_structure()
    hall = Centre.objects.get(code="county-hall")
    raw = Device.new_token()
    Device.objects.create(
        kind="window_display",
        name="1号窗口屏",
        centre=hall,
        window=Window.objects.get(centre=hall, number=1),
        token_hash=device_token_hash(raw),
    )
    ticket_issue(centre=hall, queue_code="general", channel="kiosk")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 720})
    context.set_default_timeout(10_000)
    screen = context.new_page()
    screen.goto(f"{server.url}/display/county-hall/window/1?device={raw}")
    screen.wait_for_selector("#w-current:has-text('—')")

    clerk = browser.new_context(locale="zh-CN").new_page()
    clerk.goto(server.url + "/")
    clerk.fill("input[name=username]", "clerk_w01")
    clerk.fill("input[name=password]", password)
    clerk.click("button[type=submit]")
    clerk.goto(server.url + "/console/")
    clerk.click("button:has-text('1号 综合受理')")
    clerk.wait_for_selector("button[data-key=n]")
    clerk.keyboard.press("n")  # at once: the console binds a desk still settling
    clerk.wait_for_selector("#c-number:has-text('A001')")
    called = time.monotonic()
    screen.wait_for_selector("#w-current:has-text('A001')", timeout=2_000)
    assert time.monotonic() - called < 2.0
    context.close()


def test_it_books_an_appointment_on_the_phone(browser, live_county, settings):
    from yichuang.demo.queueing import build_slots, build_structure
    from yichuang.lib.sms import MemoryBackend

    server, _password = live_county
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    build_structure()
    build_slots(days=3)
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    phone.goto(server.url + "/m/book/")
    phone.click("text=云溪县政务服务中心")
    # the booking page asks in steps: the queue, a day, a time, then the phone
    phone.locator("#book-queues a:has-text('社保业务')").click()
    phone.wait_for_selector("#book-times")
    phone.locator("#book-times label:not(.full)").last.click()
    phone.fill("input[name=phone]", "13800138000")
    phone.click("button:has-text('获取验证码')")
    phone.wait_for_selector("text=验证码已发送至 138****8000")
    code = MemoryBackend.outbox[-1][1].split("验证码 ")[1][:6]
    phone.fill("input[name=code]", code)
    assert phone.locator("button:has-text('确认预约')").is_visible()
    phone.click("button:has-text('确认预约')")
    phone.wait_for_selector("text=预约成功")
    assert len(phone.locator(".m-code").inner_text()) == 8
