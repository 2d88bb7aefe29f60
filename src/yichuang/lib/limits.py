"""Input limits for every request (docs/security.md, "Input limits").

- A request body past its budget answers 413 before anything reads it:
  ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2 MB) for JSON and forms, ``UPLOAD_MAX_BYTES``
  (10 MB) for multipart uploads. Django's own check (``RequestDataTooBig``,
  raised when ``request.body`` is read) stays behind it; the API maps it to 413.
- The API's JSON bodies and query strings carry no NUL character, no lone
  surrogate and no nesting deeper than ``JSON_MAX_DEPTH``: such input answers
  422 ``api.invalid_request`` (PostgreSQL can't store a NUL and a surrogate can't
  be encoded, so either would otherwise end in a 500).
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.parser import Parser

from yichuang.lib.errors import Unprocessable, error_response, wants_json

JSON_MAX_DEPTH = 32
# NUL, and any surrogate code point (in a str they can only stand alone: a valid
# pair decodes to one character outside the BMP).
_UNSAFE = re.compile("[\x00\ud800-\udfff]")


def body_too_large(request: HttpRequest, limit: int) -> HttpResponse:
    message = _("请求内容过大（上限 %(mb)s MB）。") % {"mb": f"{limit / (1024 * 1024):g}"}
    if wants_json(request):
        return error_response("api.body_too_large", message, 413, limit=limit)
    return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")


def body_limit(request: HttpRequest) -> int | None:
    content_type = request.META.get("CONTENT_TYPE", "")
    if content_type.startswith("multipart/"):
        return settings.UPLOAD_MAX_BYTES
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodySizeLimitMiddleware:
    """413 for a declared body length past its budget, before the body is read."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = body_limit(request)
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if limit is not None and length > limit:
            return body_too_large(request, limit)
        return self.get_response(request)


def _invalid(loc: list[str], msg: str) -> Unprocessable:
    return Unprocessable(
        "api.invalid_request",
        _("请求内容不符合要求。"),
        errors=[{"loc": loc, "msg": msg}],
    )


def check_value(value: Any, loc: list[str]) -> None:
    """Raise 422 for a NUL, a lone surrogate or nesting past JSON_MAX_DEPTH
    anywhere in ``value`` (keys included)."""
    stack = [(value, loc, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > JSON_MAX_DEPTH:
            raise _invalid(where, f"nesting deeper than {JSON_MAX_DEPTH}")
        if isinstance(item, str):
            if _UNSAFE.search(item):
                raise _invalid(where, "NUL characters and lone surrogates are not allowed")
        elif isinstance(item, dict):
            for key, sub in item.items():
                if isinstance(key, str) and _UNSAFE.search(key):
                    raise _invalid(where, "NUL characters and lone surrogates are not allowed")
                stack.append((sub, [*where, str(key)], depth + 1))
        elif isinstance(item, list | tuple):
            for i, sub in enumerate(item):
                stack.append((sub, [*where, str(i)], depth + 1))


class SafeParser(Parser):
    """ninja's JSON and query parser, refusing unsafe strings (422).

    ninja turns any exception of ``parse_body`` into a 400; the API's HttpError
    handler answers with the DomainError behind it instead (``__cause__``)."""

    def parse_body(self, request: HttpRequest) -> Any:
        try:
            data = json.loads(request.body)
        except RecursionError:
            raise _invalid(["body"], f"nesting deeper than {JSON_MAX_DEPTH}") from None
        check_value(data, ["body"])
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        if data is request.GET or data is request.POST:
            where = "query" if data is request.GET else "form"
            for key, value in result.items():
                check_value(key, [where])
                check_value(value, [where, key])
        return result
