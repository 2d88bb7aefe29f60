"""HTTP API of accounts and org: sign-in tokens, the signed-in user, the centres."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema

from yichuang.accounts.actions import api_token_issue, user_authenticate
from yichuang.lib.audit import client_ip
from yichuang.lib.errors import ErrorOut, NotFound

from .auth import API_AUTH, staff_user
from .models import BusinessLine, Centre
from .opening import opening_for
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


@auth_router.post(
    "/token",
    response={200: TokenOut, 400: ErrorOut, 401: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    auth=None,
)
def token_create(request, payload: TokenIn):
    """Sign in with a password (and a TOTP code where needed) and get a bearer
    token. 401 for bad credentials or a missing/bad code, 429 while locked."""
    user = user_authenticate(
        username=payload.username,
        password=payload.password,
        otp=payload.otp,
        source_ip=client_ip(request),
    )
    token = api_token_issue(user=user, source_ip=client_ip(request))
    return {"token": token, "user": user_summary(user)}


@auth_router.get("/me", response={200: UserOut, 401: ErrorOut, 403: ErrorOut}, auth=API_AUTH)
def me(request):
    """The signed-in staff member: roles and the centres in scope (403 for a
    device token)."""
    return user_summary(staff_user(request))


class CentreOut(Schema):
    code: str
    name: str
    kind: str
    region_code: str
    address: str


@router.get("/centres", response={200: list[CentreOut]}, auth=None)
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


class OpeningOut(Schema):
    date: dt.date
    open: bool
    hours: list[list[str]]
    reason: str


@router.get(
    "/centres/{code}/opening",
    response={200: OpeningOut, 404: ErrorOut, 422: ErrorOut},
    auth=None,
)
def centre_opening(request, code: str, date: dt.date | None = None):
    """Public: the hours ``code`` keeps on ``date`` (default today) after the
    working-day calendar, make-up working days and dated exceptions. ``reason``
    says which rule decided: ``workday``, ``makeup_workday``, ``holiday``,
    ``rest_day``, ``weekend``, ``extended``, ``staggered``, ``weekend_duty``,
    ``closure``, ``always_open``, ``calendar_missing`` (weekly hours, the year's
    calendar not loaded) or ``inactive``."""
    centre = Centre.objects.filter(code=code).first()
    if centre is None:
        raise NotFound("org.centre_not_found", _("没有找到该服务中心。"))
    day = date or timezone.localdate()
    if not centre.is_active:
        return {"date": day, "open": False, "hours": [], "reason": "inactive"}
    return opening_for(centre, day).as_dict()


class LineOut(Schema):
    code: str
    name: str


@router.get("/lines", response={200: list[LineOut]}, auth=None)
def line_list(request):
    """Public: the business lines (业务条线), in their order."""
    return list(BusinessLine.objects.order_by("sort", "code").values("code", "name"))
