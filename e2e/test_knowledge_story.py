"""The knowledge base in a real browser (issue 20): the clerk serving a 医保
ticket sees the item's Q&A beside the console, searches 异地就医备案, opens the
policy and copies an answer into a one-time notice; a citizen on a phone types
"dbsq" and gets 最低生活保障申请 first, and "社保卡丢了" finds the replacement
item and its Q&A."""

from __future__ import annotations

import re


def _world():
    """The demo catalogue, queues and their lines, and the demo county's
    knowledge base (loaded through the actions by the demo's own step);
    returns the policy on 异地就医."""
    from yichuang.demo import catalog, knowledge
    from yichuang.demo.base import DemoRun
    from yichuang.demo.lines import map_lines
    from yichuang.demo.queueing import build_structure
    from yichuang.knowledge.models import Article
    from yichuang.org.models import Centre, Department

    build_structure()
    run = DemoRun(seed=3)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=Centre.objects.get(code="county-hall"),
    )
    catalog.build(run)
    map_lines()
    knowledge.build(run)
    return Article.objects.published().get(
        kind="policy", title="云溪县异地就医直接结算和备案管理办法"
    )


def test_the_clerk_finds_and_copies_an_answer(browser, live_county, tmp_path):
    from yichuang.org.models import Centre
    from yichuang.queueing.actions import ticket_issue

    server, password = live_county
    policy = _world()
    hall = Centre.objects.get(code="county-hall")
    ticket_issue(centre=hall, queue_code="medical", channel="kiosk", priority="normal")
    clerk = _medical_clerk(hall)

    context = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", clerk)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.goto(server.url + "/console/")
    page.locator(".c-windows button").first.click()
    page.wait_for_selector("#c-state")
    page.keyboard.press("n")
    page.wait_for_selector("#c-number:has-text('C001')")

    # The 医保 queue's Q&A beside the console, loaded from the knowledge base.
    faq = page.wait_for_selector(".c-knowledge .kb-faq summary")
    from yichuang.knowledge.models import Article

    medical = set(
        Article.objects.published()
        .filter(kind="faq", items__lines__code="yibao")
        .values_list("title", flat=True)
    )
    assert faq.inner_text() in medical
    box = page.locator(".c-knowledge input[name=q]")
    box.fill("异地就医备案")
    box.press("Enter")
    page.wait_for_selector(".c-knowledge .kb-hits mark")
    page.screenshot(path=str(tmp_path / "console-knowledge.png"), full_page=True)
    link = page.locator(".c-knowledge .kb-hits a", has_text="管理办法")
    href = link.get_attribute("href")
    assert href == f"/knowledge/articles/{policy.pk}/"

    # The policy with its facts.
    page.goto(server.url + href)
    main = page.inner_text("main")
    assert policy.current_version.doc_number in main
    assert policy.current_version.issuer in main

    # The one-time notice of the item: focus a remark, copy the answer in.
    page.goto(server.url + "/catalog/items/" + _item_code("异地就医备案") + "/notice/")
    remark = page.locator("input[name^=reason_]").first
    remark.click()
    page.wait_for_selector(".kb-faq [data-copy-answer]").click()
    copied = page.locator(".kb-faq[open] [data-answer]").inner_text()
    assert copied.strip()[:20] in remark.input_value()
    page.screenshot(path=str(tmp_path / "notice-copied.png"), full_page=True)
    context.close()


def _medical_clerk(hall) -> str:
    """The username of a clerk whose post's window serves the 医保 queue."""
    from yichuang.org.models import Post
    from yichuang.queueing.models import WindowSkill

    windows = WindowSkill.objects.filter(queue__centre=hall, queue__code="medical").values("window")
    post = (
        Post.objects.filter(window__in=windows, a_staff__isnull=False)
        .select_related("a_staff__user")
        .order_by("window__number")
        .first()
    )
    return post.a_staff.user.username


def _item_code(name: str) -> str:
    from yichuang.catalog.models import Item

    return Item.objects.get(current_version__name=name).code


def test_a_citizen_finds_answers_on_a_phone(browser, live_county, tmp_path):

    server, _password = live_county
    _world()
    context = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.goto(server.url + "/m/items/")
    page.fill("input[name=q]", "dbsq")
    page.click("form button")
    page.wait_for_url(re.compile("/m/faq/"))
    first = page.locator("#results [data-kind]").first
    assert first.inner_text().startswith("最低生活保障申请")

    page.fill("input[name=q]", "社保卡丢了")
    page.click("form button")
    page.wait_for_selector("#results")
    assert "社会保障卡挂失与补换" in page.inner_text("#results")
    page.screenshot(path=str(tmp_path / "faq-phone.png"), full_page=True)
    assert "社保卡丢了怎么挂失补办？" in page.inner_text("#results")
    # Nothing else than Q&A and items for an anonymous citizen.
    assert "管理办法" not in page.inner_text("#results")

    # 没找到答案? leads to the consultation form with the query filled in.
    page.click("#ask")
    page.wait_for_url(re.compile("/m/complaints/"))
    assert page.locator("textarea[name=description]").input_value() == "社保卡丢了"
    context.close()
