"""`GET /api/v1/kpis` (the public API's targets) and its breakdown and trend."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router

from yichuang.lib.errors import ErrorOut, Forbidden
from yichuang.org.auth import API_AUTH, staff_user

from . import kpis as k
from .schemas import BreakdownOut, KpisOut, TrendOut

router = Router(tags=["insights"], auth=API_AUTH)
ERRORS: dict[int, Any] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


def _inputs(
    request: HttpRequest, scope: str, date_from: str | None, date_to: str | None
) -> tuple[k.Scope, dt.date, dt.date]:
    user = staff_user(request)
    if not user.is_authenticated:
        raise Forbidden("insights.staff_only", _("仅限工作人员查看。"))
    resolved = k.resolve_scope(user, scope)
    lo, hi = k.parse_period(date_from, date_to)
    return resolved, lo, hi


@router.get("/kpis", response={200: KpisOut, **ERRORS}, by_alias=True)
def kpis(
    request: HttpRequest,
    scope: str = "county",
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
) -> dict[str, Any]:
    """The KPIs of a scope over a period; rates are fractions 0–1, null without data."""
    s, lo, hi = _inputs(request, scope, date_from, date_to)
    return k.kpis(s, lo, hi)


@router.get("/kpis/breakdown", response={200: BreakdownOut, **ERRORS})
def kpis_breakdown(
    request: HttpRequest,
    by: str = "centre",
    scope: str = "county",
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
) -> dict[str, Any]:
    """The KPIs of each centre, department, window, clerk, item or queue of the scope."""
    s, lo, hi = _inputs(request, scope, date_from, date_to)
    return {"scope": s.key, "by": by, "rows": k.breakdown(s, lo, hi, by)}


@router.get("/kpis/trend", response={200: TrendOut, **ERRORS})
def kpis_trend(
    request: HttpRequest,
    scope: str = "county",
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
) -> dict[str, Any]:
    """Month by month: satisfaction, one-visit share of cases, on-time rate, median days."""
    s, lo, hi = _inputs(request, scope, date_from, date_to)
    return {"scope": s.key, "months": k.monthly_trend(s, lo, hi)}
