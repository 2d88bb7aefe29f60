"""Every answer carries the CSP (scripts only from this site, no framing), and
no template carries an inline script the CSP would block (issue: no HSTS or CSP
header)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

import yichuang

TEMPLATES = Path(yichuang.__file__).parent / "templates"


def _csp(resp) -> dict[str, str]:
    header = resp.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";"))


@pytest.mark.parametrize(
    "path", ["/login/", "/m/items/", "/api/v1/openapi.json", "/no-such-page/", "/api/v1/cases"]
)
def test_every_answer_carries_the_policy(county, path):
    resp = Client().get(path)
    policy = _csp(resp)
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    assert policy["form-action"] == "'self'" and policy["base-uri"] == "'self'"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in resp.headers["Permissions-Policy"]


def test_signed_in_pages_carry_it_too(county):
    client = Client()
    client.force_login(county.director)
    resp = client.get("/dashboard/")
    assert resp.status_code == 200 and _csp(resp)["script-src"] == "'self'"


def test_styles_come_only_from_stylesheets_of_this_site(county):
    """No <style> element and no stylesheet from elsewhere; only style=
    attributes, which ECharts' tooltip HTML carries (lib/headers.py)."""
    client = Client()
    client.force_login(county.director)
    for resp in [Client().get("/login/"), client.get("/dashboard/")]:
        policy = _csp(resp)
        assert policy["style-src"] == "'self'"
        # style-src-elem, when absent, is style-src: no 'unsafe-inline' either way
        assert policy.get("style-src-elem", policy["style-src"]) == "'self'"
        assert policy["style-src-attr"] == "'unsafe-inline'"
        assert "'unsafe-inline'" not in policy["script-src"]


HTMX_CONFIG = '<meta name="htmx-config" content=\'{"includeIndicatorStyles": false}\'>'


def test_every_page_that_loads_htmx_turns_off_its_injected_style():
    """htmx would add a <style> for its indicator, which the CSP refuses; a
    page that loads htmx sets includeIndicatorStyles false, itself or in the
    base it extends, and app.css holds the indicator rules instead."""
    texts = {
        str(p.relative_to(TEMPLATES)): p.read_text(encoding="utf-8")
        for p in TEMPLATES.rglob("*.html")
    }
    loaders = [n for n, t in texts.items() if "htmx_script" in t or "htmx-2" in t]
    assert "base.html" in loaders and "queueing/kiosk.html" in loaders
    for name in loaders:
        extends = re.match(r'\s*\{% extends "([^"]+)" %\}', texts[name])
        base = texts[extends.group(1)] if extends else ""
        assert HTMX_CONFIG in texts[name] or HTMX_CONFIG in base, name
    css = (TEMPLATES.parent / "static" / "yichuang" / "app.css").read_text(encoding="utf-8")
    assert ".htmx-indicator { opacity: 0;" in css
    assert ".htmx-request .htmx-indicator, .htmx-request.htmx-indicator {" in css


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
HANDLER = re.compile(r"\son[a-z]+\s*=\s*[\"']", re.I)


def test_no_template_holds_an_inline_script_or_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        offenders += [
            f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in INLINE_SCRIPT.finditer(text)
        ]
        offenders += [
            f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in HANDLER.finditer(text)
        ]
    assert offenders == []


def test_the_scan_finds_what_it_looks_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert INLINE_SCRIPT.search('<script type="module">x()</script>')
    assert not INLINE_SCRIPT.search('<script src="/static/a.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script id="d" type="application/json">{}</script>')
    assert HANDLER.search('<select onchange="this.form.submit()">')
    assert not HANDLER.search("<select data-autosubmit>")


def _production_setting(name: str) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("YICHUANG_")}
    env = {
        **clean,
        "YICHUANG_PRODUCTION": "1",
        "YICHUANG_ALLOWED_HOSTS": "h.example",
        "YICHUANG_SECRET_KEY": "Zq8rT2vLm5Xc9Pw1Ns4Hd7Kf3Jg6Yb0a",
        "YICHUANG_DATA_KEY": "Dk3Lp9Rs2Tv8Wx1Yz5Ab7Cd4Ef6Gh0Ij",
        "YICHUANG_TRUSTED_PROXIES": "1",
    }
    code = f"import yichuang.settings as s; print(repr(getattr(s, {name!r}, None)))"
    run = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_production_sends_hsts_for_a_year_and_reads_the_proxy_scheme():
    assert int(_production_setting("SECURE_HSTS_SECONDS")) >= 365 * 24 * 3600
    assert _production_setting("SECURE_PROXY_SSL_HEADER") == "('HTTP_X_FORWARDED_PROTO', 'https')"
    assert _production_setting("SESSION_COOKIE_SECURE") == "True"


def test_the_browsers_favicon_request_finds_the_logo(db):
    resp = Client().get("/favicon.ico")
    assert resp.status_code == 301 and resp["Location"].endswith("yichuang/logo.svg")
