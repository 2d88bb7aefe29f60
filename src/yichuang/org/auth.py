"""Who is calling: staff bearer tokens, hall device tokens and staff sessions.

Every token is looked up on every request, so a revoked token, a deactivated
user or device, or a role taken away stops working on the next request.

A device token authenticates a hall device, not a person: ``request.auth`` is
then the :class:`Device` and the endpoint decides whether that device's job
covers it (a kiosk issues tickets at its own centre, nothing else). Device
pages (kiosk, display) receive the token once as ``?device=dev_…`` and keep it
in a signed cookie (``DEVICE_COOKIE``); ``device_from_request`` reads both.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from yichuang.accounts.models import ApiToken, User, UserRole, token_hash
from yichuang.lib.errors import Forbidden, Unauthorized

from .models import Device, device_token_hash

DEVICE_TOKEN_PREFIX = "dev_"
# The signed cookie a device page keeps its token in, and the cookie's salt.
DEVICE_COOKIE = "yc_device"
DEVICE_SALT = "yichuang.queueing.device"

# How stale the "last used" marks of tokens and devices may get: writing them
# on every request would turn every read into a write.
TOKEN_USE_MARK = dt.timedelta(minutes=5)
DEVICE_SEEN_MARK = dt.timedelta(seconds=60)


def staff_token_user(raw: str) -> User | None:
    """The active user behind a live staff token (not revoked, not expired),
    with the user's staff record and roles loaded; None otherwise. The staff
    record's region, centre and department are read only when a page needs
    their names: a scope needs only their ids."""
    token = (
        ApiToken.objects.live()
        .filter(key_hash=token_hash(raw))
        .select_related("user", "user__staff")
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    user = token.user
    # The staff record came with the token; ``org.scopes.staff_of`` reads it here.
    user._staff_cache = getattr(user, "staff", None)  # type: ignore[attr-defined]
    user._role_cache = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOKEN_USE_MARK:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user


def device_by_token(raw: str | None) -> Device | None:
    """The active hall device holding ``raw``, with its centre and window;
    None for no token, a token of another kind, or an unknown or deactivated
    device."""
    if not raw or not raw.startswith(DEVICE_TOKEN_PREFIX):
        return None
    device = (
        Device.objects.select_related("centre", "window")
        .filter(token_hash=device_token_hash(raw), is_active=True)
        .first()
    )
    if device is not None and device.window is not None:
        device.window.centre = device.centre
    return device


def device_from_request(request: HttpRequest) -> Device | None:
    """The hall device that opened a page: the token of ``?device=`` when the
    query has one, else the token kept in the signed ``DEVICE_COOKIE``; None
    when there is none or it names no active device."""
    raw = request.GET.get("device") or request.get_signed_cookie(
        DEVICE_COOKIE, default=None, salt=DEVICE_SALT
    )
    return device_by_token(raw)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if token.startswith(DEVICE_TOKEN_PREFIX):
            device = device_by_token(token)
            if device is None:
                return None
            now = timezone.now()
            if device.last_seen_at is None or now - device.last_seen_at > DEVICE_SEEN_MARK:
                Device.objects.filter(pk=device.pk).update(last_seen_at=now)
            request.device = device
            return device
        user = staff_token_user(token)
        if user is None:
            return None
        request.user = user
        return user


class StaffSession(SessionAuth):
    """A signed-in staff member's browser session (CSRF-checked by ninja)."""


token_auth = TokenAuth()
session_auth = StaffSession()
API_AUTH = [token_auth, session_auth]


def device_of(request) -> Device | None:
    return request.auth if isinstance(request.auth, Device) else None


def staff_user(request):
    """The staff user behind the request; a device token is refused (403)."""
    if isinstance(request.auth, Device):
        raise Forbidden("org.device_not_allowed", _("设备令牌不能执行此操作。"))
    return request.user


def caller_staff(request) -> User | None:
    """The staff member behind a call to an endpoint anonymous citizens use too
    (``auth=None``): a staff bearer token, or a signed-in session whose request
    carries a valid CSRF token; None for an anonymous caller.

    A session request failing the CSRF check is refused (403
    ``api.csrf_failed``) rather than taken as anonymous: otherwise another site
    could post a ``text/plain`` body with the staff member's cookie. A bearer
    token that names no active staff member is refused (401)."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    if scheme.lower() == "bearer" and raw.strip():
        user = None if raw.startswith(DEVICE_TOKEN_PREFIX) else staff_token_user(raw.strip())
        if user is None:
            raise Unauthorized("accounts.auth_required", _("请先登录或提供有效的令牌。"))
        request.user = user
        return user
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    if check_csrf(request) is not None:
        raise Forbidden("api.csrf_failed", _("请求缺少有效的 CSRF 令牌，请刷新页面后重试。"))
    return user
