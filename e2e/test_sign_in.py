from pathlib import Path


def test_it_signs_in_and_shows_the_role_home_page(page, live_county):
    server, password = live_county
    page.goto(server.url + "/")
    assert page.locator("h2", has_text="工作人员登录").is_visible()
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("section.welcome")
    assert "您好" in page.locator("h1").inner_text()
    assert page.locator(".badge", has_text="中心主任").is_visible()
    shots = Path("var/screenshots")
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "home-director.png"), full_page=True)


def test_it_shows_a_clear_error_for_a_wrong_password(page, live_county):
    server, _password = live_county
    page.goto(server.url + "/")
    page.fill("input[name=username]", "director")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit]")
    assert page.locator(".alert").inner_text() == "用户名或密码不正确。"


def test_it_switches_the_interface_to_english(page, live_county):
    server, password = live_county
    page.goto(server.url + "/")
    page.fill("input[name=username]", "clerk_county")
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("section.welcome")
    page.click("button[name=language][value=en]")
    page.wait_for_selector("section.welcome")
    assert "Hello" in page.locator("h1").inner_text()
    assert page.locator("button[name=language][value=zh-hans]").is_visible()
