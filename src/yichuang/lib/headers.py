"""Response headers every page and API answer carries (docs/security.md,
"Browser headers").

The Content-Security-Policy lets a page run only scripts served by Yichuang
itself: no inline ``<script>`` blocks, no ``on…=`` attributes, no ``eval``,
nothing from another origin. Styles may still be inline (``style=`` attributes
and a few ``<style>`` blocks; they can't run code). Pages can't be framed, forms
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
        "style-src 'self' 'unsafe-inline'",
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
