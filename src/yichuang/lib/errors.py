"""Domain errors: a stable machine code plus a Chinese message.

Actions raise them; the API turns them into the error shape of the public API,
``{"code": "<app>.<reason>", "message", ...details}`` (``ErrorOut``), and HTML
views into a friendly page or form message. The code is part of the API; the
message may be reworded.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from pydantic import BaseModel, ConfigDict


class ErrorOut(BaseModel):
    """Every JSON error: a stable ``<app>.<reason>`` code, a Chinese message,
    and any details the error carries (``missing``, ``errors``, …).

    Declare it for each error status of an operation
    (``response={200: ItemOut, 404: ErrorOut}``). It is a plain pydantic model
    rather than a ninja ``Schema``: a ``Schema`` reads only its declared fields
    from what it validates, and would drop the details."""

    model_config = ConfigDict(extra="allow")

    code: str
    message: str


class DomainError(Exception):
    status = 400

    def __init__(self, code: str, message: str, *, status: int | None = None, **details: Any):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = str(message)
        if status is not None:
            self.status = status
        self.details = details

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class NotFound(DomainError):
    status = 404


class Forbidden(DomainError):
    status = 403


class Conflict(DomainError):
    status = 409


class Unprocessable(DomainError):
    status = 422


class Unauthorized(DomainError):
    status = 401


class TooManyRequests(DomainError):
    status = 429


def error_response(code: str, message: str, status: int, **details: Any) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": str(message), **details},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def wants_json(request: HttpRequest) -> bool:
    return request.path.startswith("/api/") or "application/json" in request.headers.get(
        "Accept", ""
    )


class DomainErrorMiddleware:
    """Turns a DomainError escaping an HTML view into a calm error page (or JSON)."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if not isinstance(exc, DomainError):
            return None
        if wants_json(request):
            return error_response(exc.code, exc.message, exc.status, **exc.details)
        return render(
            request,
            "error.html",
            {"code": exc.code, "message": exc.message, "status": exc.status},
            status=exc.status,
        )


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)
