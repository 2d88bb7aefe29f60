"""The site's CSP holds in a real browser: an inline script injected into a page
does not run, and the watch every browser test keeps sees the refusal."""

from __future__ import annotations

from e2e.conftest import CSP_VIOLATIONS


def test_an_injected_inline_script_does_not_run(live_county, page):
    server, _ = live_county
    page.goto(f"{server.url}/login/")
    ran = page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.__injected = true";
            document.body.appendChild(s);
            return window.__injected === true;
        }"""
    )
    page.wait_for_timeout(200)
    assert ran is False
    assert any("inline script" in text for text in CSP_VIOLATIONS)
    CSP_VIOLATIONS.clear()  # the refusal was this test's point


def _sign_in(page, server, password, username="countyadmin"):
    page.goto(server.url + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_selector("section.welcome")


def _refusals(page) -> list[str]:
    """The CSP refusals this page reports from now on (the list grows)."""
    seen: list[str] = []
    page.on(
        "console",
        lambda m: seen.append(m.text) if "Content Security Policy" in m.text else None,
    )
    return seen


def test_htmx_runs_without_an_inline_style_and_its_indicator_comes_from_app_css(live_county, page):
    server, password = live_county
    refused = _refusals(page)
    _sign_in(page, server, password)
    page.goto(f"{server.url}/catalog/")
    assert page.evaluate("() => htmx.config.includeIndicatorStyles") is False
    # The catalogue's search box asks htmx for the list as one types.
    with page.expect_response(lambda r: "/catalog/?" in r.url and r.request.method == "GET"):
        page.fill("input[name=q]", "zz")
        page.dispatch_event("input[name=q]", "keyup")
    assert page.evaluate("() => document.querySelectorAll('style').length") == 0
    opacity = page.evaluate(
        """() => {
            const box = document.createElement("div");
            const spinner = document.createElement("span");
            spinner.className = "htmx-indicator";
            box.appendChild(spinner);
            document.body.appendChild(box);
            const seen = () => getComputedStyle(spinner).visibility;
            const idle = [getComputedStyle(spinner).opacity, seen()];
            box.classList.add("htmx-request");
            const busy = seen();
            spinner.classList.add("htmx-request");
            box.classList.remove("htmx-request");
            return [...idle, busy, seen()];
        }"""
    )
    # (the opacity fades in over 200 ms; the visibility switches at once)
    assert opacity == ["0", "hidden", "visible", "visible"]
    page.wait_for_timeout(200)
    assert refused == []


def test_the_dashboard_charts_and_their_tooltip_keep_the_policy(live_county, page):
    from e2e.test_dashboard import _history

    server, password = live_county
    _history()
    refused = _refusals(page)
    _sign_in(page, server, password)
    page.goto(server.url + "/dashboard/?from=2026-03-01&to=2026-03-31")
    page.wait_for_selector("#chart-trend svg")
    box = page.locator("#chart-trend").bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # ECharts' tooltip: a div it adds to the chart, holding the series' names.
    tooltip = page.locator("#chart-trend > div:not(:has(svg))").filter(has_text="满意率")
    tooltip.wait_for(state="visible")
    marker = tooltip.locator("span").first
    # Each line starts with a round marker in its series' colour; ECharts builds
    # it with a style attribute, which the policy must let through.
    assert marker.evaluate("e => getComputedStyle(e).borderRadius") != "0px"
    page.wait_for_timeout(200)
    assert refused == []
