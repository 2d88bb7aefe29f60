"""The story of issue 5, in a browser: a clerk calls a ticket, opens a case for
the birth bundle, gets a one-time notice for a missing material; the citizen
comes back with a second ticket, the case is accepted with documents reused
from the vault, walks through the departments and completes; then the public
progress page and the citizen's data-access page show it right."""

from __future__ import annotations

import pytest

ID = "11010519491231002X"


@pytest.fixture
def world(live_county, settings):
    from yichuang.demo import catalog, queueing
    from yichuang.demo.base import DemoRun
    from yichuang.lib.sms import MemoryBackend
    from yichuang.org.models import Centre, Department

    run = DemoRun(seed=11)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=Centre.objects.get(code="county-hall"),
    )
    catalog.build(run)
    queueing.build(run)
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    return live_county


def call_ticket():
    from yichuang.accounts.models import User
    from yichuang.org.models import Window
    from yichuang.queueing.actions import (
        ticket_call_next,
        ticket_finish,
        ticket_issue,
        ticket_start,
        window_open,
    )
    from yichuang.queueing.models import Ticket

    clerk = User.objects.get(username="clerk_w01")
    window = Window.objects.get(centre__code="county-hall", number=1)
    if window.state != "open":
        window_open(window=window, actor=clerk)
    if Ticket.objects.filter(window=window, status__in=Ticket.ACTIVE).exists():
        ticket_start(window=window, actor=clerk)
        ticket_finish(window=window, actor=clerk)
    issued = ticket_issue(centre=window.centre, queue_code="general", channel="kiosk")
    called = ticket_call_next(window=window, actor=clerk)
    assert called.pk == issued.pk
    return called


def sign_in(page, url, username, password):
    page.goto(url + "/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("section.welcome")


def test_the_birth_bundle_story(page, world):
    from yichuang.accounts.models import User
    from yichuang.cases.actions import case_act
    from yichuang.cases.models import Case
    from yichuang.lib.sms import MemoryBackend

    server, password = world
    sign_in(page, server.url, "clerk_w01", password)

    # First visit: everything but the delivery record; a one-time notice.
    first = call_ticket()
    page.goto(f"{server.url}/cases/new/?bundle=newborn&ticket={first.pk}&id_number={ID}")
    page.fill("input[name=name]", "张小花")
    page.fill("input[name=phone]", "13800138000")
    rows = page.locator("tr[data-material]")
    for i in range(rows.count()):
        row = rows.nth(i)
        if "住院分娩记录" not in row.inner_text():
            row.locator("input[type=checkbox]").check()
    page.check("input[name=consent]")
    page.click("#submit-intake")
    page.wait_for_selector("ul.missing")
    assert "住院分娩记录" in page.locator("ul.missing").first.inner_text()
    case = Case.objects.get(bundle__code="newborn", parent=None)
    assert case.status == "supplement" and case.visit_count == 1

    # Second visit: the vault already holds the ID card, 户口簿, 结婚证 ….
    second = call_ticket()
    page.goto(f"{server.url}/cases/new/?bundle=newborn&ticket={second.pk}&id_number={ID}")
    assert page.locator(".reuse").count() >= 2
    page.fill("input[name=name]", "张小花")
    for box in page.locator("input[name=material]").all():
        box.check()
    page.click("#submit-intake")
    page.wait_for_selector("#case-status")
    case.refresh_from_db()
    assert case.status in ("accepted", "review") and case.visit_count == 2
    assert page.locator("#visit-count").inner_text() == "2"

    # Each member case walks through its own department(s) and completes.
    for child in case.children.all():
        for _ in range(10):
            child.refresh_from_db()
            if child.status in ("completed", "delivered"):
                break
            step = child.current_step
            dept = step.department.code if step else child.department.code
            actor = User.objects.get(username=f"{dept}_review1")
            action = {"decided": "complete"}.get(child.status, "approve")
            case_act(case=child, actor=actor, action=action, note="审核通过")
    case.refresh_from_db()
    assert case.status == "completed" and case.rating_code
    depts = {c.department.code for c in case.children.all() if c.department_id}
    assert len(depts) >= 2

    # The public progress page: masked name, completed, nothing personal.
    public = page.context.browser.new_page()
    public.goto(f"{server.url}/m/progress/{case.receipt_code}")
    assert public.locator("#status").inner_text() == "已办结"
    assert public.locator("#applicant").inner_text() == "张**"
    assert ID not in public.content() and "13800138000" not in public.content()

    # The citizen's own page: who read which document for which case.
    public.goto(f"{server.url}/m/my-data")
    public.fill("input[name=id_number]", ID)
    public.click("button.button")
    public.wait_for_selector("input[name=code]")
    code = MemoryBackend.outbox[-1][1].split("验证码为 ")[1][:6]
    public.fill("input[name=code]", code)
    public.click("button.button")
    public.wait_for_selector("#access-log")
    log = public.locator("#access-log").inner_text()
    assert "居民身份证" in log and "无条件共享" in log
    assert "结婚证" in log and "本人授权" in log
    public.close()
