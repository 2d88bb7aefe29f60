"""`GET /api/v1/kpis` (CONTRACT: Targets) and its breakdown and trend."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router

from yichuang.lib.errors import Forbidden
from yichuang.org.auth import API_AUTH, staff_user

from . import kpis as k

router = Router(tags=["insights"], auth=API_AUTH)


def _inputs(request, scope: str, date_from: str | None, date_to: str | None):
    user = staff_user(request)
    if not user.is_authenticated:
        raise Forbidden("insights.staff_only", _("仅限工作人员查看。"))
    return k.resolve_scope(user, scope), *k.parse_period(date_from, date_to)


@router.get("/kpis")
def kpis(
    request,
    scope: str = "county",
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
):
    """The KPIs of a scope over a period; rates are fractions 0–1, null without data."""
    s, lo, hi = _inputs(request, scope, date_from, date_to)
    return k.kpis(s, lo, hi)


@router.get("/kpis/breakdown")
def kpis_breakdown(
    request,
    by: str = "centre",
    scope: str = "county",
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
):
    """The KPIs of each centre, department, window, clerk, item or queue of the scope."""
    s, lo, hi = _inputs(request, scope, date_from, date_to)
    return {"scope": s.key, "by": by, "rows": k.breakdown(s, lo, hi, by)}


@router.get("/kpis/trend")
def kpis_trend(
    request,
    scope: str = "county",
    date_from: str | None = Query(None, alias="from"),
    date_to: str | None = Query(None, alias="to"),
):
    """Month by month: satisfaction, one-visit share of cases, on-time rate, median days."""
    s, lo, hi = _inputs(request, scope, date_from, date_to)
    return {"scope": s.key, "months": k.monthly_trend(s, lo, hi)}
