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
