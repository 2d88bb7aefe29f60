"""The rating pad's bad-rating screen at 1280×800 and 1024×768 (issue 18,
item 13): the service line stays below the header, the reasons and the submit
button above the footer, all inside the screen; the clerk's initial stands
where a grey 照片 placeholder was."""

from __future__ import annotations

import pytest

from yichuang.org.models import Device, Window, device_token_hash


@pytest.fixture
def served_window(live_county):
    from yichuang.accounts.models import User
    from yichuang.demo.queueing import build_structure
    from yichuang.feedback.actions import ensure_defaults
    from yichuang.queueing.actions import (
        ticket_call_next,
        ticket_finish,
        ticket_issue,
        window_open,
    )

    build_structure()
    ensure_defaults()
    window = Window.objects.get(centre__code="county-hall", number=1)
    user = User.objects.get(username="clerk_w01")
    window = window_open(window=window, actor=user)
    token = Device.new_token()
    Device.objects.create(
        kind="pad",
        name="pad",
        centre=window.centre,
        window=window,
        token_hash=device_token_hash(token),
    )
    ticket_issue(centre=window.centre, queue_code="general", channel="kiosk")
    ticket_call_next(window=window, actor=user)
    ticket_finish(window=window, actor=user)
    return live_county[0], window, token


def box(page, selector: str) -> dict:
    found = page.locator(selector).bounding_box()
    assert found is not None, selector
    return found


@pytest.mark.parametrize(("width", "height"), [(1280, 800), (1024, 768)])
def test_the_bad_rating_screen_fits_between_header_and_footer(
    browser, served_window, width, height
):
    server, window, token = served_window
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": height})
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{server.url}/pad/{window.pk}?token={token}")
    page.wait_for_selector("#rate:visible")
    assert page.locator("#clerk-initial").inner_text() == window.clerk.name[0]
    assert "照片" not in page.content()

    page.click(".lv[data-level='1']")
    page.wait_for_selector("#reasons:visible")
    page.click(".rs >> nth=0")
    head, foot = box(page, ".pad-head"), box(page, ".pad-foot")
    service = box(page, "#rate > .svc")
    submit = box(page, "#submit")
    last_reason = box(page, ".rs >> nth=-1")
    # room to breathe: the old screen filled the space exactly, the service
    # line touching the header and the button the footer (into them on a pad
    # with a little less room)
    gap = 0.04 * height
    assert service["y"] >= head["y"] + head["height"] + gap
    assert submit["y"] + submit["height"] + gap <= foot["y"]
    assert last_reason["y"] + last_reason["height"] <= submit["y"]
    assert foot["y"] + foot["height"] <= height
    # nothing needs scrolling inside the pad either
    assert page.evaluate(
        "() => { const b = document.querySelector('.pad-body');"
        " return b.scrollHeight <= b.clientHeight; }"
    )
    assert page.is_enabled("#submit")
    context.close()
