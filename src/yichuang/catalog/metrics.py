"""The two catalogue targets, exactly as defined (docs/domain.md, "The three
targets").

- one-visit coverage = in-scope items with visits required ≤ 1 ÷ in-scope items;
  also the zero-visit share and the volume-weighted coverage (by cases handled,
  ``Item.case_count``; null until cases exist);
- committed compression = 1 − Σ committed ÷ Σ statutory over the items that have
  a statutory limit (即办件 count 0 committed days). Limits of different units
  are summed as spans on the plain week (``models.limit_span``: each limit
  turned into a due date from a Monday, Monday to Friday working, and counted
  back), never by a ratio.

In-scope items are the published, active items of the scope: the whole county,
the items a centre offers, or a department's items.
"""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.utils.translation import gettext as _

from yichuang.lib.errors import NotFound, Unprocessable
from yichuang.org.models import Centre, Department

from .models import Item, Material, limit_span

TARGETS = {"one_visit_coverage": 0.90, "committed_compression": 0.30}


def scope_items(scope: str):
    """Published items of ``scope`` (county | centre:CODE | department:CODE)."""
    scope = (scope or "county").strip()
    items = Item.objects.published()
    if scope == "county":
        return items, {"scope": "county", "name": _("全县")}
    kind, _sep, code = scope.partition(":")
    if kind == "centre":
        centre = Centre.objects.filter(code=code).first()
        if centre is None:
            raise NotFound("catalog.scope_not_found", _("没有找到该服务中心：%(c)s") % {"c": code})
        return items.filter(centres=centre), {"scope": scope, "name": centre.name}
    if kind == "department":
        dept = Department.objects.filter(code=code).first()
        if dept is None:
            raise NotFound("catalog.scope_not_found", _("没有找到该部门：%(c)s") % {"c": code})
        return items.filter(department=dept), {"scope": scope, "name": dept.name}
    raise Unprocessable(
        "catalog.scope_invalid", _("统计范围须为 county、centre:代码 或 department:代码。")
    )


ROW_FIELDS = (
    "id",
    "code",
    "name",
    "department_id",
    "case_count",
    "current_version__case_type",
    "current_version__legal_limit",
    "current_version__legal_limit_unit",
    "current_version__committed_limit",
    "current_version__committed_limit_unit",
    "current_version__visits_required",
)


def _rows(items) -> list[dict[str, Any]]:
    rows = []
    for r in items.values(*ROW_FIELDS):
        legal = limit_span(
            r["current_version__legal_limit"], r["current_version__legal_limit_unit"]
        )
        committed = (
            0.0
            if r["current_version__case_type"] == "immediate"
            else (
                limit_span(
                    r["current_version__committed_limit"] or 0,
                    r["current_version__committed_limit_unit"],
                )
                or 0.0
            )
        )
        rows.append(
            {
                "id": r["id"],
                "code": r["code"],
                "name": r["name"],
                "department_id": r["department_id"],
                "cases": r["case_count"],
                "visits": r["current_version__visits_required"],
                "legal": legal,
                "committed": committed,
            }
        )
    return rows


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    n = len(rows)
    one = sum(1 for r in rows if r["visits"] <= 1)
    zero = sum(1 for r in rows if r["visits"] == 0)
    cases = sum(r["cases"] for r in rows)
    cases_one = sum(r["cases"] for r in rows if r["visits"] <= 1)
    limited = [r for r in rows if r["legal"]]
    legal_sum = sum(r["legal"] for r in limited)
    committed_sum = sum(r["committed"] for r in limited)
    return {
        "items": n,
        "one_visit_items": one,
        "zero_visit_items": zero,
        "one_visit_coverage": one / n if n else None,
        "zero_visit_share": zero / n if n else None,
        "volume_weighted_coverage": cases_one / cases if cases else None,
        "cases": cases,
        "items_with_statutory_limit": len(limited),
        "statutory_days_total": legal_sum,
        "committed_days_total": committed_sum,
        "committed_compression": 1 - committed_sum / legal_sum if legal_sum else None,
    }


def catalog_metrics(scope: str = "county", *, holding_back: int = 0) -> dict[str, Any]:
    """The figures of ``scope`` with a per-department breakdown; with
    ``holding_back`` > 0, also the items that hold each figure back."""
    items, info = scope_items(scope)
    rows = _rows(items)
    result = {**info, **figures(rows), "targets": TARGETS}
    depts = {d.id: d for d in Department.objects.filter(id__in={r["department_id"] for r in rows})}
    breakdown = []
    for dept_id in sorted(depts, key=lambda i: depts[i].code):
        dept_rows = [r for r in rows if r["department_id"] == dept_id]
        breakdown.append(
            {
                "department": depts[dept_id].code,
                "name": depts[dept_id].name,
                "short_name": depts[dept_id].short_name,
                **figures(dept_rows),
            }
        )
    result["departments"] = breakdown
    if holding_back:
        result["holding_back"] = _holding_back(items, rows, depts, holding_back)
    return result


def _holding_back(items, rows, depts, limit: int) -> dict[str, list[dict[str, Any]]]:
    def dept(r):
        d = depts.get(r["department_id"])
        return str(d) if d else ""

    most_visits = sorted(
        (r for r in rows if r["visits"] > 1), key=lambda r: (-r["visits"], -r["cases"], r["code"])
    )[:limit]
    least = sorted(
        (r for r in rows if r["legal"]),
        key=lambda r: (1 - r["committed"] / r["legal"], -r["legal"], r["code"]),
    )[:limit]
    removable = (
        Material.objects.filter(
            version__item__in=items, removable=True, version__item__current_version=F("version")
        )
        .select_related("version__item__department")
        .order_by("version__item__department__code", "version__item__code")[:limit]
    )
    return {
        "most_visits": [
            {"code": r["code"], "name": r["name"], "department": dept(r), "visits": r["visits"]}
            for r in most_visits
        ],
        "least_compression": [
            {
                "code": r["code"],
                "name": r["name"],
                "department": dept(r),
                "statutory": r["legal"],
                "committed": r["committed"],
                "compression": 1 - r["committed"] / r["legal"],
            }
            for r in least
        ],
        "removable_materials": [
            {
                "code": m.version.item.code,
                "name": m.version.item.name,
                "department": str(m.version.item.department),
                "material": m.name,
                "notes": m.notes,
            }
            for m in removable
        ],
    }
