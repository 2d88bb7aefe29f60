"""API authentication: staff bearer tokens, device tokens and staff sessions.

A device token authenticates a hall device, not a person: ``request.auth`` is
then the :class:`Device` and the endpoint decides whether that device's job
covers it (a kiosk issues tickets at its own centre, nothing else).
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import HttpBearer, SessionAuth

from yichuang.accounts.actions import api_token_user
from yichuang.lib.errors import Forbidden

from .models import Device, device_token_hash


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        if token.startswith("dev_"):
            device = (
                Device.objects.select_related("centre", "window")
                .filter(token_hash=device_token_hash(token), is_active=True)
                .first()
            )
            if device is None:
                return None
            now = timezone.now()
            if device.last_seen_at is None or (now - device.last_seen_at).total_seconds() > 60:
                Device.objects.filter(pk=device.pk).update(last_seen_at=now)
            request.device = device
            return device
        user = api_token_user(token)
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
