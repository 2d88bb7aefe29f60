"""HTML of article bodies, sanitised on save: only allow-listed tags and
attributes survive; scripts, styles, event attributes (``on…``), comments and
``javascript:`` links are dropped; text is re-escaped. Built on the standard
library's ``html.parser``, so what is stored is always well-formed."""

from __future__ import annotations

import html
from html.parser import HTMLParser

_ALLOWED = """p br h2 h3 h4 ul ol li strong b em i u blockquote
    table thead tbody tr th td a span sup sub hr"""
ALLOWED_TAGS = frozenset(_ALLOWED.split())
VOID_TAGS = frozenset({"br", "hr"})
# Tags whose content is dropped with them.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math"}
)
ALLOWED_ATTRS = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan"}}
SAFE_SCHEMES = ("http://", "https://", "mailto:", "/", "#")


class _Sanitiser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.open: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping += 1
            return
        if self.skipping or tag not in ALLOWED_TAGS:
            return
        kept = []
        for name, value in attrs:
            if name not in ALLOWED_ATTRS.get(tag, set()) or value is None:
                continue
            value = value.strip()
            if name == "href" and not value.lower().startswith(SAFE_SCHEMES):
                continue
            if name in {"colspan", "rowspan"} and not value.isdigit():
                continue
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "a":
            kept.append(' rel="noopener noreferrer"')
        self.out.append(f"<{tag}{''.join(kept)}>")
        if tag not in VOID_TAGS:
            self.open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in VOID_TAGS:
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in DROPPED_WITH_CONTENT:
            self.skipping = max(0, self.skipping - 1)
            return
        if self.skipping or tag not in self.open:
            return
        while self.open:
            last = self.open.pop()
            self.out.append(f"</{last}>")
            if last == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(html.escape(data, quote=False))

    def result(self) -> str:
        self.close()
        while self.open:
            self.out.append(f"</{self.open.pop()}>")
        return "".join(self.out).strip()


def sanitise_html(raw: str) -> str:
    """``raw`` with only the allow-listed tags and attributes; plain text is
    escaped, so ``a < b`` stays text."""
    parser = _Sanitiser()
    parser.feed(raw or "")
    return parser.result()
