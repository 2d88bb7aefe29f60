"""HTTP API of the catalogue. The published catalogue is public information
(办事指南 must be published), so reads need no login; issuing a one-time notice
is staff work. What each operation answers is declared in ``schemas``."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Router
from ninja.responses import Status

from yichuang.lib.errors import ErrorOut
from yichuang.org.auth import API_AUTH, staff_user
from yichuang.org.models import Centre
from yichuang.org.scopes import get_centre_for, staff_of

from . import actions, selectors
from .metrics import catalog_metrics
from .models import LIMIT_UNIT_API, Item, ItemVersion, Material
from .pdf import guide_pdf
from .schemas import BundleOut, BundleRowOut, ItemOut, ItemRow, MetricsOut, NoticeIn, NoticeOut

router = Router(tags=["catalog"])

PDF_RESPONSE = {
    200: {
        "description": "The printable guide (办事指南), A4.",
        "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
    }
}


@router.get("/items", response={200: list[ItemRow]}, auth=None)
def item_list(request: HttpRequest, q: str = "", department: str = "", centre: str = ""):
    """Published items; ``q`` matches the name, the pinyin initials or the code."""
    rows = selectors.published_item_rows(q=q, department=department, centre=centre)
    # Rows are built from typed columns already; skip re-validating 2,000 of them.
    return JsonResponse(rows, safe=False, json_dumps_params={"ensure_ascii": False})


@router.get("/items/{code}", response={200: ItemOut, 404: ErrorOut}, auth=None)
def item_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    item = selectors.get_published_item(code)
    return {
        "code": item.code,
        "basic_code": item.basic_code,
        "department": item.department.code,
        "department_name": item.department.name,
        **_version(item.current_version),
        "centres": list(item.centres.order_by("code").values_list("code", flat=True)),
        "bundles": [
            {"code": b.code, "name": b.name}
            for b in item.bundles.filter(is_active=True).order_by("code")
        ],
        "guide_url": f"/m/items/{item.code}",
        "pdf_url": f"/api/v1/items/{item.code}/guide.pdf",
    }


def _version(v: ItemVersion) -> dict[str, Any]:
    return {
        "version": v.number,
        "name": v.name,
        "item_type": v.item_type,
        "case_type": v.case_type,
        "legal_limit": v.legal_limit,
        "legal_limit_unit": LIMIT_UNIT_API[v.legal_limit_unit],
        "legal_limit_days": v.legal_limit_days,
        "committed_limit": v.committed_limit,
        "committed_limit_unit": LIMIT_UNIT_API[v.committed_limit_unit],
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
        "materials": [_material(m) for m in v.materials.all()],
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


def _material(m: Material) -> dict[str, Any]:
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


@router.get(
    "/items/{code}/guide.pdf",
    response={404: ErrorOut},
    openapi_extra={"responses": PDF_RESPONSE},
    auth=None,
)
def item_guide_pdf(request: HttpRequest, code: str) -> HttpResponse:
    item: Item = selectors.get_published_item(code)
    data = guide_pdf(item, request.build_absolute_uri(f"/m/items/{item.code}"))
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="guide-{item.code}.pdf"'
    return response


@router.get("/bundles", response={200: list[BundleRowOut]}, auth=None)
def bundle_list(request: HttpRequest) -> list[dict[str, Any]]:
    return selectors.bundles_with_items()


@router.get("/bundles/{code}", response={200: BundleOut, 404: ErrorOut}, auth=None)
def bundle_detail(request: HttpRequest, code: str) -> dict[str, Any]:
    bundle = selectors.get_published_bundle(code)
    return {
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "items": [{"code": v.item.code, "name": v.name} for v in bundle.member_versions()],
        "materials": bundle.materials(),
        "guide_url": f"/m/bundles/{bundle.code}",
    }


@router.get("/catalog/metrics", response={200: MetricsOut, 404: ErrorOut, 422: ErrorOut}, auth=None)
def metrics(request: HttpRequest, scope: str = "county") -> dict[str, Any]:
    """The catalogue targets of ``scope``: ``county``, ``centre:CODE`` or
    ``department:CODE``."""
    return catalog_metrics(scope)


@router.post(
    "/catalog/notices",
    auth=API_AUTH,
    response={
        201: NoticeOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def notice_create(request: HttpRequest, payload: NoticeIn) -> Status:
    """Issue a one-time notice from the window (staff only), for a centre in
    the user's scope (by default the user's own)."""
    user = staff_user(request)
    item = selectors.get_published_item(payload.item)
    centre: Centre | None = None
    if payload.centre:
        centre = get_centre_for(user, payload.centre)  # 404 outside the user's scope
    elif (staff := staff_of(user)) is not None:
        centre = staff.centre
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
