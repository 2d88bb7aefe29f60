"""HTTP API of accounts and org: sign-in tokens, centres, windows."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Router, Schema

from yichuang.accounts.actions import api_token_issue, user_authenticate
from yichuang.lib.audit import client_ip
from yichuang.lib.errors import Forbidden

from .auth import API_AUTH, device_of
from .models import Centre
from .scopes import centres_for, staff_of

auth_router = Router(tags=["auth"])
router = Router(tags=["org"])


class TokenIn(Schema):
    username: str
    password: str
    otp: str | None = None


class UserOut(Schema):
    username: str
    display_name: str
    roles: list[str]
    centres: list[str]
    scope: str | None


class TokenOut(Schema):
    token: str
    user: UserOut


def user_summary(user) -> dict:
    staff = staff_of(user)
    return {
        "username": user.username,
        "display_name": user.display_name,
        "roles": sorted(user.role_set),
        "centres": list(centres_for(user).values_list("code", flat=True)),
        "scope": staff.scope if staff else None,
    }


@auth_router.post("/token", response=TokenOut, auth=None)
def token_create(request, payload: TokenIn):
    user = user_authenticate(
        username=payload.username,
        password=payload.password,
        otp=payload.otp,
        source_ip=client_ip(request),
    )
    token = api_token_issue(user=user, source_ip=client_ip(request))
    return {"token": token, "user": user_summary(user)}


@auth_router.get("/me", response=UserOut, auth=API_AUTH)
def me(request):
    if device_of(request):
        raise Forbidden("auth.device_not_allowed", _("设备令牌不能执行此操作。"))
    return user_summary(request.user)


class CentreOut(Schema):
    code: str
    name: str
    kind: str
    region_code: str
    address: str


@router.get("/centres", response=list[CentreOut], auth=None)
def centre_list(request):
    """Public: the halls of the installation (names and addresses are public)."""
    return [
        {
            "code": c.code,
            "name": c.name,
            "kind": c.kind,
            "region_code": c.region.code,
            "address": c.address,
        }
        for c in Centre.objects.filter(is_active=True).select_related("region")
    ]
