"""Response headers every page and API answer carries (docs/security.md,
"Browser headers").

The Content-Security-Policy lets a page run only scripts served by Yichuang
itself: no inline ``<script>`` blocks, no ``on…=`` attributes, no ``eval``,
nothing from another origin. Stylesheets come only from this site too: no
``<style>`` element runs (templates carry none, and htmx's injected indicator
style is turned off in the base templates); only ``style=`` attributes are
allowed, for ECharts (see ``style-src-attr``). Pages can't be framed, forms
post only to this site, and ``<base>`` can't redirect relative links.

HSTS, ``nosniff`` and the referrer policy are Django's ``SecurityMiddleware``
(``settings.py``; HSTS in production only).
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Stylesheets only from this site: no <style> element (htmx's indicator
        # rules are in app.css, its injection turned off in the bases).
        "style-src 'self'",
        # Style attributes stay allowed: ECharts writes its tooltip as HTML
        # (innerHTML) whose elements carry style="" (each series' colour marker,
        # the rows' layout); without this the browser refuses every one of them.
        # Our own scripts style through CSSOM (el.style.x = …), which CSP never
        # blocks. An attribute can restyle an element, not run code, and what it
        # could load is still held to img-src and font-src.
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "media-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "base-uri 'self'",
    ]
)

# The hall devices need none of these; a page that asks is doing something wrong.
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"


class SecurityHeadersMiddleware:
    """Adds the CSP and Permissions-Policy to every response that lacks one."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        return response
