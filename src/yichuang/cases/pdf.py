"""The acceptance receipt (受理回执) as a PDF: item, receipt code and QR, dates,
materials received, contact. WeasyPrint with the WenQuanYi Zen Hei font."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import timezone

from yichuang.catalog.pdf import qr_svg
from yichuang.lib.pdf import html_to_pdf

from .models import Case


def receipt_pdf(case: Case, url: str) -> bytes:
    children = list(case.children.order_by("pk"))
    cases = children or [case]
    html = render_to_string(
        "cases/pdf/receipt.html",
        {
            "case": case,
            "children": children,
            "materials": [(c, list(c.materials.all())) for c in cases],
            "url": url,
            "qr": qr_svg(url),
            # the one lookup page, beside the progress page the QR opens
            "lookup_url": url.split("/m/progress/")[0] + "/m/lookup",
            "printed_at": timezone.localtime(),
        },
    )
    return html_to_pdf(html)
