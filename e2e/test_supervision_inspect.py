"""The inspector's covert visit on a phone (390×844), published from the
visit's page; the department lead then sees the row, plans and submits it;
the lead is not offered verification; the director verifies it."""

from __future__ import annotations

from pathlib import Path

SHOTS = Path("var/screenshots")


def sign_in(page, server, username: str, password: str) -> None:
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_load_state()


def watch(page, errors: list[str]) -> None:
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("dialog", lambda dialog: dialog.accept())


def test_a_covert_visit_reaches_the_unit_once_published_and_is_verified(browser, live_county):
    from yichuang.org.models import Centre, Window
    from yichuang.supervision.defaults import ensure_checklists
    from yichuang.supervision.models import Problem

    ensure_checklists()
    server, password = live_county
    hall = Centre.objects.get(code="county-hall")
    window = Window.objects.filter(centre=hall, department__code="rs").order_by("number").first()
    errors: list[str] = []
    SHOTS.mkdir(parents=True, exist_ok=True)

    # The inspector, one-handed on a phone.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    )
    page = phone.new_page()
    page.set_default_timeout(10_000)
    watch(page, errors)
    sign_in(page, server, "inspector", password)
    page.goto(server.url + "/supervision/")
    page.click("text=新建检查")
    page.select_option("select[name=centre]", "county-hall")
    page.click("label.choice:has-text('暗访')")
    page.select_option("select[name=checklist]", "covert-visit")
    page.click("text=开始逐项检查")
    page.wait_for_selector("#line-V3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # A passed line asks for nothing more; a failed one shows its fields.
    assert not page.locator("#line-V3 select[name=V3-window]").is_visible()
    page.click("#line-V3 label.choice.fail")
    page.select_option("select[name=V3-window]", str(window.pk))
    page.fill("textarea[name=V3-note]", "工作人员未佩戴工作证")
    page.click("#line-V2 label.choice.fail")
    page.fill("textarea[name=V2-note]", "等候十分钟，窗口无人")
    page.screenshot(path=str(SHOTS / "supervision-inspect-390.png"), full_page=True)
    page.click("text=提交检查结果")
    page.wait_for_selector("#recorded")
    assert "得分 90" in page.inner_text("#recorded")  # 100 − 4 − 6
    assert page.is_visible("#covert-hidden")
    rows = list(Problem.objects.order_by("id"))
    assert len(rows) == 2 and all(r.hidden_until_published for r in rows)
    row = next(r for r in rows if r.window_id == window.pk)

    # Before publication the department lead sees nothing of it.
    desk = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    lead = desk.new_page()
    lead.set_default_timeout(10_000)
    watch(lead, errors)
    sign_in(lead, server, "dept_rs", password)
    lead.goto(server.url + "/supervision/")
    assert lead.locator(f"#problem-{row.pk}").count() == 0

    page.click("button:has-text('发布')")
    page.wait_for_selector("#published")
    page.screenshot(path=str(SHOTS / "supervision-published-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Published: the lead sees the row with its deadline, plans and submits.
    lead.goto(server.url + "/supervision/")
    lead.click(f"#to-plan #problem-{row.pk} a >> nth=0")
    lead.fill("#step-plan textarea[name=measure]", "重申工作证佩戴规定，每日晨检")
    lead.click("#step-plan button")
    lead.wait_for_selector("#step-submit")
    lead.fill("#step-submit textarea[name=evidence]", "晨检记录三天，佩戴照片")
    lead.click("#step-submit button")
    lead.wait_for_selector("text=整改佐证已提交，等待验收。")
    assert lead.locator("#step-verify").count() == 0
    assert "须由督查室或中心主任验收" in lead.inner_text("#steps")
    assert lead.evaluate("document.documentElement.scrollWidth") <= 1440

    # The director verifies it.
    office = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    director = office.new_page()
    director.set_default_timeout(10_000)
    watch(director, errors)
    sign_in(director, server, "director", password)
    director.goto(server.url + "/supervision/")
    director.click(f"#to-verify a[href='/supervision/problems/{row.pk}/']")
    director.fill("#step-verify textarea[name=note]", "现场复核，整改到位")
    director.click("#step-verify button")
    director.wait_for_selector("text=已验收销号。")
    director.screenshot(path=str(SHOTS / "supervision-problem-1440.png"), full_page=True)
    row.refresh_from_db()
    assert row.status == "verified" and row.on_time
    timeline = director.inner_text("#timeline")
    for label in ("登记问题", "暗访结果公布", "制定整改措施", "提交整改佐证", "验收销号"):
        assert label in timeline
    assert errors == []
