"""Printable documents of the catalogue, rendered by WeasyPrint with the
WenQuanYi Zen Hei font (embedded in the PDF): the item guide (办事指南), the
bundle guide and the one-time notice (一次性告知书)."""

from __future__ import annotations

import segno
from django.template.loader import render_to_string
from django.utils import timezone

from yichuang.lib.pdf import html_to_pdf

from .models import Bundle, Item, OneTimeNotice


def qr_svg(url: str, scale: int = 3) -> str:
    return segno.make(url, error="m").svg_inline(scale=scale, border=1)


def _pdf(template: str, context: dict) -> bytes:
    html = render_to_string(template, {**context, "printed_at": timezone.localtime()})
    return html_to_pdf(html)


def guide_context(item: Item, url: str) -> dict:
    version = item.current_version
    return {
        "item": item,
        "v": version,
        "materials": list(version.materials.all()),
        "steps": list(version.steps.select_related("department")),
        "centres": list(item.centres.all()),
        "url": url,
        "qr": qr_svg(url),
        "bundles": list(item.bundles.filter(is_active=True)),
    }


def guide_pdf(item: Item, url: str) -> bytes:
    return _pdf("catalog/pdf/guide.html", guide_context(item, url))


def bundle_context(bundle: Bundle, url: str) -> dict:
    return {
        "bundle": bundle,
        "versions": bundle.member_versions(),
        "materials": bundle.materials(),
        "url": url,
        "qr": qr_svg(url),
    }


def bundle_pdf(bundle: Bundle, url: str) -> bytes:
    return _pdf("catalog/pdf/bundle.html", bundle_context(bundle, url))


def notice_pdf(notice: OneTimeNotice, url: str) -> bytes:
    return _pdf(
        "catalog/pdf/notice.html",
        {"notice": notice, "v": notice.version, "url": url, "qr": qr_svg(url)},
    )
