"""The story of issue 6, in a browser: a ticket is served at window 1, the
window's rating pad shows the rating screen by itself, the citizen gives
不满意 with a reason, the director sees it on the board and assigns it, the
handler calls back and rectifies within the deadline, and the citizen rates
the rectification from the link in the SMS."""

from __future__ import annotations

import re

import pytest


@pytest.fixture
def world(live_county, settings):
    from yichuang.demo import queueing
    from yichuang.feedback.actions import ensure_defaults
    from yichuang.lib.sms import MemoryBackend

    queueing.build_structure()
    ensure_defaults()
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    return live_county


def sign_in(page, url, username, password):
    page.goto(url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("section.welcome")


def test_the_bad_rating_story(browser, world):
    from django.utils import timezone

    from yichuang.feedback.models import Rating, Rectification
    from yichuang.lib.sms import MemoryBackend
    from yichuang.org.models import Device, Window, device_token_hash
    from yichuang.queueing.actions import ticket_issue

    server, password = world
    window = Window.objects.get(centre__code="county-hall", number=1)
    token = Device.new_token()
    Device.objects.create(
        kind="pad",
        name="1号窗口评价器",
        centre=window.centre,
        window=window,
        token_hash=device_token_hash(token),
    )

    # The pad hangs at window 1, idle, with no level chosen.
    pad = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800}).new_page()
    pad.set_default_timeout(10_000)
    pad.goto(f"{server.url}/pad/{window.pk}?token={token}")
    pad.wait_for_selector("#idle:visible")

    # The clerk serves a citizen from the console.
    ticket_issue(centre=window.centre, queue_code="social", channel="kiosk", phone="13900001111")
    clerk = browser.new_context(locale="zh-CN").new_page()
    clerk.set_default_timeout(10_000)
    sign_in(clerk, server.url, "clerk_w01", password)
    clerk.goto(server.url + "/console/")
    clerk.click("button:has-text('1号')")
    clerk.wait_for_selector("button[data-key=n]")
    clerk.click("button[data-key=n]")
    clerk.wait_for_selector("#c-number:has-text('B001')")
    clerk.click("button[data-key=f]")

    # The pad shows the service just finished; no level is preselected.
    pad.wait_for_selector("#rate:visible")
    assert pad.text_content("#svc-number") == "B001"
    assert pad.locator(".lv.on").count() == 0
    assert pad.is_disabled("#submit")
    pad.click(".lv[data-level='2']")
    assert pad.is_disabled("#submit")  # a bad rating needs a reason
    pad.click(".rs[data-reason='long_wait']")
    pad.click("#submit")
    pad.wait_for_selector("#thanks:visible")
    pad.wait_for_selector("#idle:visible", timeout=10_000)  # back to idle by itself

    rating = Rating.objects.get()
    assert (rating.level, rating.channel, rating.reasons) == (2, "pad", ["long_wait"])
    rect = Rectification.objects.get(rating=rating)

    # The director sees it on the board and assigns a handler.
    director = browser.new_context(
        locale="zh-CN", viewport={"width": 1366, "height": 900}
    ).new_page()
    director.set_default_timeout(10_000)
    sign_in(director, server.url, "director", password)
    director.goto(server.url + "/feedback/")
    row = director.locator("#bad-ratings tbody tr").first
    assert "不满意" in row.inner_text() and "等候太久" in row.inner_text()
    assert "待分派" in row.inner_text()
    row.locator("a").click()
    director.select_option("select[name=handler]", "clerk_county")
    director.click("button:has-text('分派')")
    director.wait_for_selector(".stepper li.now:has-text('已分派')")

    # The handler calls back (seeing the number, which is logged) and rectifies.
    handler = browser.new_context(locale="zh-CN").new_page()
    handler.set_default_timeout(10_000)
    sign_in(handler, server.url, "clerk_county", password)
    handler.goto(server.url + "/feedback/desk/")
    handler.click(f"#my-rects a[href='/feedback/rectifications/{rect.pk}']")
    handler.click("button:has-text('查看完整号码')")
    assert handler.text_content("#contact") == "13900001111"
    handler.fill("textarea[name=note]", "已电话回访，向群众致歉，了解到高峰时段只开了一个社保窗口")
    handler.click("button:has-text('记录回访')")
    handler.check("input[name=verdict][value=substantiated]")
    handler.fill("textarea[name=note]", "属实：上午高峰社保窗口只开一个")
    handler.click("button:has-text('提交核实')")
    handler.fill("textarea[name=note]", "高峰时段增开弹性窗口办理社保业务")
    handler.click("button:has-text('完成整改')")
    handler.fill("textarea[name=note]", "已增开弹性窗口，欢迎再来监督")
    handler.click("button:has-text('反馈群众')")
    handler.wait_for_selector(".stepper li.now:has-text('已反馈')")

    rect.refresh_from_db()
    assert rect.status == "feedback_given"
    assert rect.called_back_at.date() <= rect.callback_due
    assert timezone.localdate(rect.feedback_at) <= rect.rectify_due

    # The citizen gets the link by SMS and rates the rectification.
    phone, text = MemoryBackend.outbox[-1]
    assert phone == "13900001111"
    link = re.search(r"/m/rate/followup/[\w-]+", text).group(0)
    citizen = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}).new_page()
    citizen.set_default_timeout(10_000)
    citizen.goto(server.url + link)
    citizen.check("input[name=level][value='4']")
    citizen.click("button:has-text('提交')")
    citizen.wait_for_selector("text=感谢您对整改结果的评价")

    rect.refresh_from_db()
    assert rect.status == "closed" and rect.citizen_level == 4
    assert [e.new_status for e in rect.events.all()] == [
        "new",
        "assigned",
        "called_back",
        "verified",
        "rectified",
        "feedback_given",
        "closed",
    ]
    # The director's board shows it closed.
    director.goto(server.url + "/feedback/")
    assert "已办结" in director.locator("#bad-ratings tbody tr").first.inner_text()
