"""The citizens' phone pages at 390×844: the booking page fits the phone (no
sideways scroll, a township's page within three screens) and is used in
steps; the one lookup page finds a complaint by its code (issue 18, items 10
and 11)."""

from pathlib import Path

PHONE = {"width": 390, "height": 844}
SHOTS = Path("var/screenshots")


def _fits(page) -> tuple[int, int, int]:
    return page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.documentElement.scrollHeight]"
    )


def _phone(browser):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def test_the_booking_page_fits_a_phone_and_books_in_steps(browser, live_county):
    from yichuang.demo.queueing import build_slots, build_structure

    server, _password = live_county
    build_structure()
    assert build_slots(days=7) > 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    context, page = _phone(browser)
    for centre in ("chengguan", "county-hall"):
        page.goto(f"{server.url}/m/book/{centre}")
        page.locator("#book-queues a").first.click()
        page.wait_for_selector("#book-times")
        width, client, height = _fits(page)
        page.screenshot(path=str(SHOTS / f"phone-book-{centre}.png"), full_page=True)
        assert width <= client, f"{centre}: the page scrolls sideways"
        if centre == "chengguan":
            assert height <= 3 * PHONE["height"], f"{centre}: {height}px is over three screens"
    # another day, then a time, then the phone: the SMS code step follows
    page.locator("#book-days a").nth(1).click()
    page.wait_for_selector("#book-days a.on")
    page.locator("#book-times label:not(.full)").first.click()
    page.fill("input[name=phone]", "13800138000")
    page.click("button:has-text('获取验证码')")
    page.wait_for_selector("input[name=code]")
    assert "138****8000" in page.content()
    page.screenshot(path=str(SHOTS / "phone-book-code.png"), full_page=True)
    context.close()


def test_the_lookup_page_finds_a_complaint_by_its_code(browser, live_county):
    from yichuang.feedback.actions import complaint_submit
    from yichuang.lib.codes import grouped

    server, _password = live_county
    complaint = complaint_submit(kind="complaint", channel="mobile", description="窗口无人")
    context, page = _phone(browser)
    page.goto(f"{server.url}/m/lookup")
    page.fill("input[name=code]", "NOSUCHCODE000000")
    page.click("#lookup button")
    assert page.locator("#lookup-error").is_visible()
    # typed as printed, in groups and in lower case
    page.fill("input[name=code]", grouped(complaint.track_code).lower())
    page.click("#lookup button")
    found = page.locator("#lookup-found")
    assert found.is_visible() and complaint.reference in found.inner_text()
    width, client, _height = _fits(page)
    assert width <= client
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-lookup.png"), full_page=True)
    found.locator("a").click()
    page.wait_for_url(f"**/m/complaints/{complaint.track_code}")
    assert grouped(complaint.track_code) in page.locator("#track-code").inner_text()
    context.close()


def test_a_missed_number_rejoins_the_line_from_the_phone(browser, live_county):
    """After 过号 the ticket page offers 重新排队 once; the ticket goes back in
    line at the end and the button is gone."""
    from yichuang.accounts.models import User
    from yichuang.demo.queueing import build_structure
    from yichuang.org.models import Centre, Window
    from yichuang.queueing.actions import (
        ticket_call_next,
        ticket_issue,
        ticket_no_show,
        window_open,
    )
    from yichuang.queueing.models import Ticket

    server, _password = live_county
    build_structure()
    hall = Centre.objects.get(code="county-hall")
    window = Window.objects.get(centre=hall, number=1)
    clerk = User.objects.get(username="clerk_w01")
    window_open(window=window, actor=clerk)
    ticket = ticket_issue(centre=hall, queue_code="general", channel="kiosk", priority="normal")
    assert ticket_call_next(window=window, actor=clerk).pk == ticket.pk
    ticket_no_show(window=window, actor=clerk)
    context, page = _phone(browser)
    page.goto(f"{server.url}/m/tickets/{ticket.track_code}")
    advice = page.locator("#no-show-advice")
    assert "排到队尾" in advice.inner_text()
    button = page.locator("#rejoin button")
    assert button.is_visible()
    width, client, _height = _fits(page)
    assert width <= client
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "phone-ticket-no-show.png"), full_page=True)
    button.click()
    page.wait_for_selector("#rejoined")
    assert page.locator("#ticket-status").inner_text() == "等候中"
    assert page.locator("#rejoin").count() == 0
    page.screenshot(path=str(SHOTS / "phone-ticket-rejoined.png"), full_page=True)
    row = Ticket.objects.get(pk=ticket.pk)
    assert row.status == "waiting" and row.rejoined
    context.close()
