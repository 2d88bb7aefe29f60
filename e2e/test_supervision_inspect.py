"""The inspector's covert visit on a phone (390×844), published from the
visit's page; the department lead then sees the row, plans and submits it;
the lead is not offered verification and is refused when posting it anyway;
the inspector verifies it. Forty days later a second visit fails the same
line at the same window, and the new row recurs the first. The director then
reads the campaign's first phase and downloads the month's bulletin."""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import time_machine

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
    from django.contrib.auth import get_user_model

    from yichuang.org.models import Centre, Window
    from yichuang.supervision.actions import campaign_create
    from yichuang.supervision.actions.campaign import campaign_task_create
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

    # Posting the verification anyway is refused, on the page and by the API.
    token = lead.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    url = f"{server.url}/supervision/problems/{row.pk}/"
    refused = lead.request.post(
        url,
        form={"csrfmiddlewaretoken": token, "action": "verify", "note": "自己验收"},
        headers={"Referer": url},
    )
    assert refused.status == 403 and "supervision.self_verify" in refused.text()
    refused = lead.request.post(
        f"{server.url}/api/v1/problems/{row.pk}/actions",
        data={"action": "verify", "note": "自己验收"},
        headers={"X-CSRFToken": token, "Referer": url},
    )
    assert refused.status == 403 and refused.json()["code"] == "supervision.self_verify"
    row.refresh_from_db()
    assert row.status == "submitted"

    # The inspector verifies it, on the phone.
    page.goto(server.url + "/supervision/")
    page.click(f"#to-verify a[href='/supervision/problems/{row.pk}/']")
    page.fill("#step-verify textarea[name=note]", "现场复核，整改到位")
    page.click("#step-verify button")
    page.wait_for_selector("text=已验收销号。")
    page.screenshot(path=str(SHOTS / "supervision-problem-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    row.refresh_from_db()
    assert row.status == "verified" and row.on_time
    timeline = page.inner_text("#timeline")
    for label in ("登记问题", "暗访结果公布", "制定整改措施", "提交整改佐证", "验收销号"):
        assert label in timeline

    # The county's campaign, started the day of the first visit, with a task
    # of its first phase for the department.
    director_user = get_user_model().objects.get(username="director")
    campaign = campaign_create(
        name="社会事务窗口服务提升行动", starts_on=dt.date.today(), actor=director_user
    )
    phase = campaign.phases.get(number=1)
    task = campaign_task_create(
        phase=phase,
        title="窗口人员佩戴工作证专项整治",
        due_date=phase.ends_on,
        actor=director_user,
        department=window.department,
    )

    # Forty days later, a second (open) visit fails the same line at the same window.
    later = dt.datetime.now().astimezone() + dt.timedelta(days=40)
    with time_machine.travel(later.replace(hour=10, minute=0), tick=True):
        page.context.clear_cookies()
        sign_in(page, server, "inspector", password)
        page.goto(server.url + "/supervision/inspect/")
        page.select_option("select[name=centre]", "county-hall")
        page.click("label.choice:has-text('明查')")
        page.select_option("select[name=checklist]", "covert-visit")
        page.click("text=开始逐项检查")
        page.wait_for_selector("#line-V3")
        page.click("#line-V3 label.choice.fail")
        page.select_option("select[name=V3-window]", str(window.pk))
        page.fill("textarea[name=V3-note]", "工作人员又未佩戴工作证")
        page.click("text=提交检查结果")
        page.wait_for_selector("#recorded")
        again = Problem.objects.exclude(pk__in=[r.pk for r in rows]).get()
        assert again.recurrence == 1 and list(again.previous.all()) == [row]
        page.goto(server.url + "/supervision/problems/")
        badge = page.locator(f"#problem-{again.pk} [data-recurrence]")
        assert badge.inner_text() == "反复出现 1"
        page.click(f"#problem-{again.pk} a >> nth=0")
        assert page.inner_text("#recurrence").strip() == "反复出现 1"
        page.click(f"#recurrence-chain a[href='/supervision/problems/{row.pk}/']")
        page.wait_for_url(f"**/supervision/problems/{row.pk}/")
        assert f"#{again.pk}" in page.inner_text("#recurrence-chain")
        page.screenshot(path=str(SHOTS / "supervision-recurrence-390.png"), full_page=True)

        # The director: the campaign's first phase with its task and the
        # ledger's rate on time, then the month's bulletin as a PDF.
        office = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
        director = office.new_page()
        director.set_default_timeout(20_000)
        watch(director, errors)
        sign_in(director, server, "director", password)
        director.goto(server.url + "/supervision/campaign/")
        assert "第1阶段" in director.inner_text("#phase-1")
        assert "0 / 1" in director.inner_text("#phase-1")
        ledger = director.inner_text("#ledger")
        # One row closed on time, the environment's row still open past its
        # deadline: 1 ÷ (1 + 1).
        assert "按期整改率\n50.0%" in ledger and "逾期未改\n1" in ledger, ledger
        director.goto(server.url + "/supervision/campaign/tasks/")
        assert task.title in director.inner_text("main")
        director.screenshot(path=str(SHOTS / "supervision-campaign-1440.png"), full_page=True)
        director.goto(server.url + "/supervision/bulletins/")
        director.fill("input[name=month]", row.found_on.strftime("%Y-%m"))
        director.click("form[action='/supervision/bulletins/new/'] button")
        director.wait_for_url("**/supervision/bulletins/*/")
        with director.expect_download() as download:
            director.click("a:has-text('PDF')")
        pdf = SHOTS / "supervision-bulletin.pdf"
        download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF")
    subprocess.run(
        ["pdftoppm", "-png", "-r", "60", str(pdf), str(SHOTS / "supervision-bulletin")],
        check=True,
    )
    assert list(SHOTS.glob("supervision-bulletin*.png"))
    assert errors == []
