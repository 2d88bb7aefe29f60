"""PDFs: WeasyPrint renders a template's HTML with the one print stylesheet,
``static/yichuang/print.css``, which the documents link relatively
(``<link rel="stylesheet" href="yichuang/print.css">``): the base URL is the
package's own static directory, so no web server is needed."""

from __future__ import annotations

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=STATIC_DIR.as_uri() + "/").write_pdf()
