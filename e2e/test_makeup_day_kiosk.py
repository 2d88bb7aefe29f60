"""The kiosk on a make-up working Saturday (issue 18, item 1): with the
server's clock at 10:00 on Saturday 14 February 2026 (调休上班日) the hall keeps
Monday's hours and the kiosk prints a ticket; on Monday 16 February (a Spring
Festival holiday) the kiosk refuses in its box. The live server runs in this
process, so time_machine moves its clock too."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yichuang.org.models import Centre, Device, device_token_hash

SH = dt.timezone(dt.timedelta(hours=8))
W, H = 1440, 900


@pytest.fixture
def office_hours_kiosk(browser, live_county):
    from yichuang.demo.queueing import build_structure

    server, _ = live_county
    build_structure()
    Centre.objects.filter(code="county-hall").update(always_open=False, opening_hours={})
    raw = Device.new_token()
    Device.objects.create(
        kind="kiosk",
        name="kiosk",
        centre=Centre.objects.get(code="county-hall"),
        token_hash=device_token_hash(raw),
    )

    def open_page():
        context = browser.new_context(locale="zh-CN", viewport={"width": W, "height": H})
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.add_init_script("window.print = function () { window.__printed = true; };")
        page.goto(f"{server.url}/kiosk/county-hall?device={raw}")
        page.wait_for_selector("button.k-btn")
        return context, page

    return open_page


def test_the_kiosk_prints_a_ticket_on_the_make_up_saturday(office_hours_kiosk):
    from yichuang.queueing.models import Ticket

    with time_machine.travel(dt.datetime(2026, 2, 14, 10, 0, tzinfo=SH), tick=True):
        context, page = office_hours_kiosk()
        page.click("button.k-btn[value=general]")
        page.wait_for_selector("#ticket")
        assert "A001" in page.locator("#ticket").inner_text()
        assert not page.locator(".k-error").count()
        context.close()
    assert Ticket.objects.get().day == dt.date(2026, 2, 14)


def test_the_kiosk_refuses_on_the_holiday_monday(office_hours_kiosk):
    from yichuang.queueing.models import Ticket

    with time_machine.travel(dt.datetime(2026, 2, 16, 10, 0, tzinfo=SH), tick=True):
        context, page = office_hours_kiosk()
        page.click("button.k-btn[value=general]")
        page.wait_for_selector(".k-error")
        assert "休息日" in page.locator(".k-error").inner_text()
        assert not page.locator("#ticket").count()
        context.close()
    assert not Ticket.objects.exists()
