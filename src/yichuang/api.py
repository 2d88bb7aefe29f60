"""The JSON API at /api/v1/: assembles each app's router and maps every error
to one shape, ``{"code": "<app>.<reason>", "message", ...details}``
(``yichuang.lib.errors.ErrorOut``). Errors of the HTTP layer itself (a body
that is not JSON, a schema mismatch, an unknown path) carry the ``api`` prefix."""

import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.renderers import JSONRenderer

from yichuang.catalog.api import router as catalog_router
from yichuang.feedback.api import router as feedback_router
from yichuang.insights.api import router as insights_router
from yichuang.knowledge.api import router as knowledge_router
from yichuang.lib.errors import DomainError, error_response
from yichuang.lib.limits import SafeParser, body_too_large
from yichuang.lib.pagination import MAX_LIMIT, MAX_OFFSET, is_page_error
from yichuang.org.api import auth_router
from yichuang.org.api import router as org_router
from yichuang.org.auth import API_AUTH
from yichuang.queueing.api import router as queue_router
from yichuang.supervision.api import router as supervision_router

logger = logging.getLogger("yichuang.api")


class ChineseJSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}


api = NinjaAPI(
    renderer=ChineseJSONRenderer(),
    parser=SafeParser(),
    title="Yichuang 一窗 API",
    version="1",
    urls_namespace="api",
    auth=API_AUTH,
    docs_url="/docs",
)
api.add_router("/auth", auth_router)
api.add_router("/", org_router)
api.add_router("/", queue_router)
api.add_router("/", catalog_router)
api.add_router("/", knowledge_router)
api.add_router("/", "yichuang.cases.api.router")
api.add_router("/", feedback_router)
api.add_router("/", insights_router)
api.add_router("/", supervision_router)


@api.exception_handler(DomainError)
def on_domain_error(request, exc: DomainError):
    return error_response(exc.code, exc.message, exc.status, **exc.details)


@api.exception_handler(ValidationError)
def on_validation_error(request, exc: ValidationError):
    errors = [
        {"loc": [str(p) for p in e.get("loc", [])], "msg": e.get("msg", "")} for e in exc.errors
    ]
    if errors and all(is_page_error(e["loc"]) for e in errors):
        bounds = {"limit": MAX_LIMIT, "offset": MAX_OFFSET}
        message = _("分页参数超出范围：limit 须为 1–%(limit)s，offset 须为 0–%(offset)s。") % bounds
        return error_response("api.bad_page", message, 422, errors=errors)
    return error_response("api.invalid_request", _("请求内容不符合要求。"), 422, errors=errors)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return error_response("accounts.auth_required", _("请先登录或提供有效的令牌。"), 401)


@api.exception_handler(HttpError)
def on_http_error(request, exc: HttpError):
    if isinstance(exc.__cause__, DomainError):  # SafeParser refused the body
        return on_domain_error(request, exc.__cause__)
    if exc.status_code == 400:
        return error_response("api.malformed_request", _("请求格式不正确（JSON 无法解析）。"), 400)
    return error_response(f"api.http_{exc.status_code}", str(exc), exc.status_code)


@api.exception_handler(Http404)
def on_404(request, exc):
    return error_response("api.not_found", _("没有找到。"), 404)


@api.exception_handler(RequestDataTooBig)
def on_too_big(request, exc):
    return body_too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)


@api.exception_handler(OverflowError)
@api.exception_handler(DataError)
def on_out_of_range(request, exc):
    """A number the database can't hold (SQLite binds 64-bit integers at most;
    PostgreSQL refuses a value past its column's type): the request's fault,
    not the server's. An id in the path past 64 bits names nothing: 404, as
    PostgreSQL (which compares it) answers."""
    match = getattr(request, "resolver_match", None)
    path_values = match.kwargs.values() if match else ()
    if any(isinstance(v, str) and v.isdigit() and int(v) >= 2**63 for v in path_values):
        return on_404(request, exc)
    return error_response("api.out_of_range", _("数值超出允许范围。"), 422)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request, exc):
    return error_response("api.forbidden", _("没有权限执行此操作。"), 403)


@api.exception_handler(Exception)
def on_server_error(request, exc: Exception):
    """Anything unhandled: logged with its traceback, answered in the error
    shape (never Django's HTML page or a traceback), DEBUG or not."""
    logger.exception("unhandled error in %s %s", request.method, request.path)
    return error_response("api.server_error", _("服务器内部错误，请稍后重试。"), 500)
