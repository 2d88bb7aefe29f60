"""The clerk's console in a real browser (issue 18, item 15): sign in, open
the post's window, call, confirm 过号, call again and transfer with a notice."""

from __future__ import annotations

from yichuang.org.models import Centre
from yichuang.queueing.models import Ticket


def test_a_clerk_works_the_console(browser, live_county, tmp_path):
    from yichuang.demo.queueing import build_structure
    from yichuang.queueing.actions import ticket_issue

    server, password = live_county
    build_structure()
    hall = Centre.objects.get(code="county-hall")
    for _ in range(2):
        ticket_issue(centre=hall, queue_code="general", channel="kiosk", priority="normal")

    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", "clerk_w01")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.goto(server.url + "/console/")
    # Only the clerk's own post's window is offered.
    offered = page.locator(".c-windows button")
    assert offered.count() == 1
    offered.first.click()
    page.wait_for_selector("#c-state:has-text('空闲')")
    page.screenshot(path=str(tmp_path / "console-open.png"))

    page.keyboard.press("n")
    page.wait_for_selector("#c-number:has-text('A001')")
    page.wait_for_selector("#c-timer")

    # 过号 asks first: dismissing keeps the ticket, accepting marks it.
    page.once("dialog", lambda d: d.dismiss())
    page.click("button[data-key=x]")
    page.wait_for_timeout(300)
    assert Ticket.objects.get(number="A001").status == "called"
    page.once("dialog", lambda d: d.accept())
    page.click("button[data-key=x]")
    page.wait_for_selector("#c-state:has-text('空闲')")
    assert Ticket.objects.get(number="A001").status == "no_show"

    page.click("button[data-key=n]")
    page.wait_for_selector("#c-number:has-text('A002')")
    page.select_option("#c-transfer-queue", index=1)
    target = page.locator("#c-transfer-queue option").nth(1).inner_text()
    page.click(".c-transfer button[type=submit]")
    notice = page.wait_for_selector("#c-notice")
    assert "A002" in notice.inner_text() and target in notice.inner_text()
    page.screenshot(path=str(tmp_path / "console-transfer.png"), full_page=True)
    context.close()
