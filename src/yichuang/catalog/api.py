"""HTTP API of the catalogue (CONTRACT §3 Catalogue). The published catalogue is
public information (办事指南 must be published), so reads need no login; issuing
a one-time notice is staff work."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.responses import Status

from yichuang.lib.errors import NotFound
from yichuang.org.auth import API_AUTH, staff_user
from yichuang.org.models import Centre

from . import actions
from .metrics import catalog_metrics
from .models import Bundle, Item, ItemVersion
from .pdf import guide_pdf

router = Router(tags=["catalog"])


class ItemRow(Schema):
    code: str
    name: str
    department: str
    case_type: str
    legal_limit_days: float | None
    committed_limit_days: float
    visits_required: int
    online_depth: int


LIST_FIELDS = (
    "code",
    "name",
    "department__code",
    "current_version__case_type",
    "current_version__legal_limit",
    "current_version__legal_limit_unit",
    "current_version__committed_limit",
    "current_version__committed_limit_unit",
    "current_version__visits_required",
    "current_version__online_depth",
)


def _row(r: dict[str, Any]) -> dict[str, Any]:
    from .models import workday_equivalent

    immediate = r["current_version__case_type"] == "immediate"
    return {
        "code": r["code"],
        "name": r["name"],
        "department": r["department__code"],
        "case_type": r["current_version__case_type"],
        "legal_limit_days": workday_equivalent(
            r["current_version__legal_limit"], r["current_version__legal_limit_unit"]
        ),
        "committed_limit_days": 0.0
        if immediate
        else workday_equivalent(
            r["current_version__committed_limit"], r["current_version__committed_limit_unit"]
        ),
        "visits_required": r["current_version__visits_required"],
        "online_depth": r["current_version__online_depth"],
    }


@router.get("/items", response=list[ItemRow], auth=None)
def item_list(request, q: str = "", department: str = "", centre: str = ""):
    """Published items; ``q`` matches the name, the pinyin initials or the code."""
    items = Item.objects.published().search(q)
    if department:
        items = items.filter(department__code=department)
    if centre:
        items = items.filter(centres__code=centre)
    rows = [_row(r) for r in items.values(*LIST_FIELDS).order_by("department__code", "code")]
    # Rows are built from typed columns already; skip re-validating 2,000 of them.
    return JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False})


def published_item(code: str) -> Item:
    item = (
        Item.objects.published()
        .select_related("department", "current_version")
        .filter(code=code)
        .first()
    )
    if item is None:
        raise actions.item_not_found(code)
    return item


def material_dict(m) -> dict[str, Any]:
    return {
        "code": m.code,
        "name": m.name,
        "originals": m.originals,
        "copies": m.copies,
        "requirement": m.requirement,
        "tolerable": m.tolerable,
        "commitment": m.commitment,
        "document_type": m.document_type,
        "removable": m.removable,
        "notes": m.notes,
    }


def version_dict(v: ItemVersion) -> dict[str, Any]:
    return {
        "version": v.number,
        "name": v.name,
        "item_type": v.item_type,
        "case_type": v.case_type,
        "legal_limit": v.legal_limit,
        "legal_limit_unit": v.legal_limit_unit,
        "legal_limit_days": v.legal_limit_days,
        "committed_limit": v.committed_limit,
        "committed_limit_unit": v.committed_limit_unit,
        "committed_limit_days": v.committed_limit_days,
        "visits_required": v.visits_required,
        "visits_reason": v.visits_reason,
        "special_procedures": v.special_procedures,
        "online_depth": v.online_depth,
        "in_hall": v.in_hall,
        "appointment": v.appointment,
        "express": v.express,
        "area": v.area,
        "legal_basis": v.legal_basis,
        "conditions": v.conditions,
        "fee": v.fee,
        "result": v.result,
        "published_at": v.published_at.isoformat() if v.published_at else None,
        "materials": [material_dict(m) for m in v.materials.all()],
        "steps": [
            {
                "position": s.position,
                "kind": s.kind,
                "department": s.department.code,
                "share": s.share,
                "notes": s.notes,
            }
            for s in v.steps.select_related("department")
        ],
    }


@router.get("/items/{code}", auth=None)
def item_detail(request, code: str):
    item = published_item(code)
    return {
        "code": item.code,
        "basic_code": item.basic_code,
        "department": item.department.code,
        "department_name": item.department.name,
        **version_dict(item.current_version),
        "centres": list(item.centres.order_by("code").values_list("code", flat=True)),
        "bundles": [
            {"code": b.code, "name": b.name}
            for b in item.bundles.filter(is_active=True).order_by("code")
        ],
        "guide_url": f"/m/items/{item.code}",
        "pdf_url": f"/api/v1/items/{item.code}/guide.pdf",
    }


@router.get("/items/{code}/guide.pdf", auth=None)
def item_guide_pdf(request, code: str):
    item = published_item(code)
    data = guide_pdf(item, request.build_absolute_uri(f"/m/items/{item.code}"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="guide-{item.code}.pdf"'
    return response


@router.get("/bundles", auth=None)
def bundle_list(request):
    return [
        {"code": b.code, "name": b.name, "items": [i.code for i in b.items.all()]}
        for b in Bundle.objects.filter(is_active=True).prefetch_related("items")
    ]


@router.get("/bundles/{code}", auth=None)
def bundle_detail(request, code: str):
    bundle = Bundle.objects.filter(code=code, is_active=True).first()
    if bundle is None:
        raise NotFound("catalog.bundle_not_found", _("没有找到该“一件事”：%(c)s") % {"c": code})
    return {
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "items": [{"code": v.item.code, "name": v.name} for v in bundle.member_versions()],
        "materials": bundle.materials(),
        "guide_url": f"/m/bundles/{bundle.code}",
    }


@router.get("/catalog/metrics", auth=None)
def metrics(request, scope: str = "county"):
    return catalog_metrics(scope)


class NoticeIn(Schema):
    item: str
    applicant_name: str
    brought: list[str] = []
    nonconforming: dict[str, str] = {}
    centre: str | None = None


@router.post("/catalog/notices", auth=API_AUTH, response={201: dict})
def notice_create(request, payload: NoticeIn):
    """Issue a one-time notice from the window (staff only)."""
    user = staff_user(request)
    item = published_item(payload.item)
    centre = Centre.objects.filter(code=payload.centre).first() if payload.centre else None
    notice = actions.notice_issue(
        item=item,
        brought_material_codes=payload.brought,
        nonconforming=payload.nonconforming,
        applicant_name=payload.applicant_name,
        actor=user,
        centre=centre,
    )
    return Status(
        201,
        {
            "reference": notice.reference,
            "missing": notice.missing,
            "nonconforming": notice.nonconforming,
            "notice_url": f"/catalog/notices/{notice.reference}/",
            "pdf_url": f"/catalog/notices/{notice.reference}.pdf",
        },
    )
