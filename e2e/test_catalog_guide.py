"""A citizen opens a public guide on a phone and downloads its PDF."""

from pathlib import Path


def test_it_opens_a_guide_and_downloads_its_pdf(browser, live_county, tmp_path):
    from yichuang.accounts.models import User
    from yichuang.catalog import actions
    from yichuang.org.models import Centre, Department

    server, _password = live_county
    admin = User.objects.get(username="countyadmin")
    item = actions.item_create(
        actor=admin,
        code="E2E-1",
        department=Department.objects.get(code="mz"),
        name="最低生活保障申请",
        centres=[Centre.objects.get(code="county-hall")],
        legal_limit=30,
        committed_limit=20,
        visits_required=1,
        visits_reason="须现场签字",
    )
    actions.version_update(
        actor=admin,
        version=item.draft(),
        materials=[{"code": "M01", "name": "居民身份证", "originals": 1, "copies": 0}],
        steps=[
            {"kind": "accept", "department": "mz", "share": 40},
            {"kind": "decide", "department": "mz", "share": 60},
        ],
    )
    actions.item_publish(actor=admin, item=item)

    context = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, accept_downloads=True
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.goto(server.url + "/m/items/?q=zdsh")
    page.click("text=最低生活保障申请")
    page.wait_for_url("**/m/items/E2E-1")
    assert page.locator("h1").inner_text() == "最低生活保障申请"
    assert page.locator(".qr svg").count() == 1
    assert page.locator("text=居民身份证").is_visible()
    shots = Path("var/screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "catalog-guide-mobile.png"), full_page=True)
    with page.expect_download() as info:
        page.click("#pdf")
    target = tmp_path / "guide.pdf"
    info.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF")
    assert target.stat().st_size > 10_000
    context.close()
