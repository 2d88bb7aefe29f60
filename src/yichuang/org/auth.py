"""API authentication: staff bearer tokens, device tokens and staff sessions.

A device token authenticates a hall device, not a person: ``request.auth`` is
then the :class:`Device` and the endpoint decides whether that device's job
covers it (a kiosk issues tickets at its own centre, nothing else).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from yichuang.accounts.models import ApiToken, User, UserRole, token_hash
from yichuang.lib import rows
from yichuang.lib.errors import Forbidden

from .models import Centre, Device, Staff, Window, device_token_hash

# Every API call of a clerk or a hall device starts here, so each kind of token
# is resolved in one hand-written query (lib/rows.py says why).
_TOKEN, _USER, _STAFF = (
    rows.Cols(ApiToken, "t"),
    rows.Cols(User, "u"),
    rows.Cols(Staff, "s"),
)
_DEVICE, _CENTRE, _WINDOW = rows.Cols(Device, "d"), rows.Cols(Centre, "c"), rows.Cols(Window, "w")


# Each worker keeps the row behind a token it has just checked for
# settings.API_TOKEN_CHECK_SECONDS (docs/deployment.md): a clerk's console and
# a kiosk send a request every second or two, and each check was one more
# query. Revoking a token, deactivating its user or device, or changing roles
# or scope takes effect within that time; expiry is checked on every request.
_CHECKED: dict[str, tuple[float, tuple]] = {}


def _checked_row(key: str, read: Callable[[], tuple | None]) -> tuple | None:
    keep = settings.API_TOKEN_CHECK_SECONDS
    if keep <= 0:
        return read()
    now = time.monotonic()
    hit = _CHECKED.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    row = read()
    if row is None:
        _CHECKED.pop(key, None)
        return None
    if len(_CHECKED) > 10_000:
        _CHECKED.clear()
    _CHECKED[key] = (now + keep, row)
    return row


def staff_token_user(raw: str) -> User | None:
    """The active user behind a live staff token (not revoked, not expired,
    as ``ApiToken.objects.live()``), read with the user's roles and staff
    record in one query (kept briefly: ``_checked_row``); None otherwise."""
    now = timezone.now()
    key = token_hash(raw)
    row = _checked_row(
        key,
        lambda: rows.fetchone(
            f"SELECT {_TOKEN.sql}, {_USER.sql}, {_STAFF.sql},"
            f" (SELECT {rows.string_agg('r.role')} FROM {UserRole._meta.db_table} r"
            "   WHERE r.user_id = u.id)"
            f" FROM {ApiToken._meta.db_table} t JOIN {User._meta.db_table} u ON u.id = t.user_id"
            f" LEFT JOIN {Staff._meta.db_table} s ON s.user_id = u.id"
            " WHERE t.key_hash = %s AND t.revoked_at IS NULL AND t.expires_at > %s",
            [key, now],
        ),
    )
    if row is None:
        return None
    token = _TOKEN.load(row)
    user = _USER.load(row, _TOKEN.width)
    if token is None or user is None or not user.is_active or token.expires_at <= now:
        return None
    staff = _STAFF.load(row, _TOKEN.width + _USER.width)
    if staff is not None:
        staff.user = user
    roles = row[-1]
    user._role_cache = set(roles.split(",")) if roles else set()
    user._staff_cache = staff  # type: ignore[attr-defined]
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        rows.update(ApiToken, token.pk, {"last_used_at": now})
        _CHECKED.pop(key, None)
    return user


def device_by_token(raw: str) -> Device | None:
    """An active hall device with its centre and window, in one query."""
    key = device_token_hash(raw)
    row = _checked_row(
        key,
        lambda: rows.fetchone(
            f"SELECT {_DEVICE.sql}, {_CENTRE.sql}, {_WINDOW.sql}"
            f" FROM {Device._meta.db_table} d JOIN {Centre._meta.db_table} c ON c.id = d.centre_id"
            f" LEFT JOIN {Window._meta.db_table} w ON w.id = d.window_id"
            " WHERE d.token_hash = %s AND d.is_active",
            [key],
        ),
    )
    if row is None:
        return None
    device = _DEVICE.load(row)
    assert device is not None
    device.centre = _CENTRE.load(row, _DEVICE.width)  # type: ignore[assignment]
    window = _WINDOW.load(row, _DEVICE.width + _CENTRE.width)
    if window is not None:
        window.centre = device.centre
    device.window = window
    return device


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if token.startswith("dev_"):
            device = device_by_token(token)
            if device is None:
                return None
            now = timezone.now()
            if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 60:
                rows.update(Device, device.pk, {"last_seen_at": now})
                _CHECKED.pop(device.token_hash, None)
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
        raise Forbidden("auth.device_not_allowed", _("设备令牌不能执行此操作。"))
    return request.user
