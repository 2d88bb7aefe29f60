"""One design system (DESIGN §4.12): pages take their styles from
static/yichuang/app.css (the hall devices add their own stylesheet on its
tokens, the PDFs link static/yichuang/print.css); no template carries a <style>
block or a style attribute; every page extends one of three bases."""

from __future__ import annotations

import re
from pathlib import Path

import yichuang

TEMPLATES = Path(yichuang.__file__).parent / "templates"
STATIC = Path(yichuang.__file__).parent / "static"

# The three bases, the server-error page (it must render without any context)
# and the documents WeasyPrint prints.
STANDALONE = {"base.html", "m_base.html", "device_base.html", "500.html"}
PRINTED_ELSEWHERE = {"insights/report.html"}


def printed(name: str) -> bool:
    return "/pdf/" in name or name in PRINTED_ELSEWHERE


def templates() -> dict[str, str]:
    return {
        str(path.relative_to(TEMPLATES)): path.read_text(encoding="utf-8")
        for path in sorted(TEMPLATES.rglob("*.html"))
    }


def test_no_template_carries_a_style_block_or_attribute():
    offenders = [
        name
        for name, text in templates().items()
        if re.search(r"<style\b", text, re.I) or re.search(r"\sstyle\s*=", text, re.I)
    ]
    assert offenders == []


def test_every_page_extends_one_of_the_three_bases():
    bases = {'"base.html"', '"m_base.html"', '"device_base.html"'}
    for name, text in templates().items():
        if name in STANDALONE or printed(name):
            continue
        extends = re.match(r"\s*\{% extends (\S+) %\}", text)
        if extends:
            assert extends.group(1) in bases, name
        else:
            # a fragment included by a page, never a document of its own
            assert "<html" not in text and "<body" not in text, name


def test_the_printed_documents_link_the_one_print_stylesheet():
    documents = {name: text for name, text in templates().items() if printed(name)}
    assert len(documents) >= 5
    for name, text in documents.items():
        assert '<link rel="stylesheet" href="yichuang/print.css">' in text, name
    assert (STATIC / "yichuang" / "print.css").is_file()


def test_the_device_stylesheets_use_the_shared_tokens_not_their_own_fonts():
    for css in ["queueing/kiosk.css", "queueing/display.css", "feedback/pad.css"]:
        text = (STATIC / css).read_text(encoding="utf-8")
        assert "font-family:" not in text.replace("font-family: inherit", ""), css
        assert "var(--" in text, css
