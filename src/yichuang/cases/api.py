"""HTTP API of cases and the vault's lookup for the window (the public API,
docs/architecture.md). Thin: validate, call an action, serialise. Every case is
fetched through ``selectors.get_case_for``; every action runs through
``actions.case_act``."""

from __future__ import annotations

import json

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from yichuang.catalog.models import Bundle, Item
from yichuang.lib.errors import ErrorOut, NotFound
from yichuang.lib.pagination import PageIn
from yichuang.org.auth import API_AUTH, staff_user
from yichuang.org.calendar import get_calendar
from yichuang.org.scopes import get_centre_for
from yichuang.queueing.models import Ticket
from yichuang.vault import actions as vault

from . import actions, clock, selectors
from .permissions import require_actor
from .ratelimit import rate_limit
from .schemas import (
    ActionIn,
    CardLiftedOut,
    CaseCreatedOut,
    CaseIn,
    CaseListOut,
    CaseOut,
    IntakeIncompleteOut,
    PersonLookupOut,
    ProgressOut,
    VisitCountOut,
    VisitIn,
)
from .serialize import case_detail, case_row, progress_view

router = Router(tags=["cases"])


def _ticket(ticket_id: int | None) -> Ticket | None:
    if ticket_id is None:
        return None
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        raise NotFound("cases.ticket_not_found", _("没有找到该排队号。"))
    return ticket


@router.post(
    "/cases",
    auth=API_AUTH,
    response={
        201: CaseCreatedOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: IntakeIncompleteOut,
    },
)
def case_create(request: HttpRequest, payload: CaseIn) -> Status:
    """收件: 201 with the accepted case; 422 ``cases.materials_incomplete`` with
    the missing materials and the one-time notice when the case must wait."""
    user = staff_user(request)
    centre = get_centre_for(user, payload.centre)
    item = bundle = None
    if payload.bundle:
        bundle = Bundle.objects.filter(code=payload.bundle).first()
        if bundle is None:
            raise NotFound("cases.bundle_not_found", _("没有找到该“一件事”。"))
    elif payload.item:
        item = Item.objects.select_related("current_version").filter(code=payload.item).first()
        if item is None:
            raise NotFound(
                "catalog.item_not_found", _("没有找到该事项：%(c)s") % {"c": payload.item}
            )
    result = actions.case_intake(
        actor=user,
        centre=centre,
        item=item,
        bundle=bundle,
        applicant=payload.applicant.dict(),
        organisation=payload.organisation.dict() if payload.organisation else None,
        materials=[m.dict() for m in payload.materials],
        ticket=_ticket(payload.ticket_id),
        tolerate_missing=payload.tolerate_missing,
        consent=payload.consent.dict() if payload.consent else None,
    )
    case = result.case
    if not result.accepted:
        return Status(
            422,
            {
                "code": "cases.materials_incomplete",
                "message": _("材料不齐全，已出具一次性告知书。"),
                "missing": result.missing,
                "notice_url": result.notice_url,
                "notices": [n.reference for n in result.notices],
                "case_id": case.pk,
            },
        )
    return Status(
        201,
        {
            "id": case.pk,
            "number": case.number,
            "receipt_code": case.receipt_code,
            "status": case.status,
            "due_date": case.due_date.isoformat() if case.due_date else None,
            "deadline_pending": case.deadline_pending,
            "warning_level": case.warning_level(),
            "children": list(case.children.values_list("pk", flat=True)) if case.is_bundle else [],
            "receipt_url": f"/cases/{case.pk}/receipt.pdf",
            "progress_url": f"/m/progress/{case.receipt_code}",
        },
    )


@router.get(
    "/cases",
    auth=API_AUTH,
    response={200: CaseListOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def case_list(
    request: HttpRequest, page: Query[PageIn], status: str = "", mine: bool = False
) -> dict:
    """The cases the user sees, by due date (``mine``: the cases at his posts)."""
    user = staff_user(request)
    rows, total = selectors.case_list_for(
        user, status=status, mine=mine, limit=page.limit, offset=page.offset
    )
    cal, today, levels = get_calendar(), timezone.localdate(), clock.level_settings()
    items = [case_row(c, cal=cal, today=today, levels=levels) for c in rows]
    return {"items": items, "count": total}


@router.get(
    "/cases/{case_id}",
    auth=API_AUTH,
    response={200: CaseOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def case_get(request: HttpRequest, case_id: int) -> dict:
    user = staff_user(request)
    return case_detail(selectors.get_case_for(user, case_id))


@router.post(
    "/cases/{case_id}/visits",
    auth=API_AUTH,
    response={200: VisitCountOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def case_visit(request: HttpRequest, case_id: int, payload: VisitIn) -> dict:
    """A queue ticket is an on-site visit for the case (counted once)."""
    user = staff_user(request)
    case = selectors.get_case_for(user, case_id)
    case = actions.case_visit_link(case=case, actor=user, ticket=_ticket(payload.ticket_id))
    return {"id": case.pk, "visit_count": case.visit_count}


@router.post(
    "/cases/{case_id}/actions",
    auth=API_AUTH,
    response={
        200: CaseOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def case_action(request: HttpRequest, case_id: int, payload: ActionIn) -> dict:
    """Run one action on the case; answers the case as it is now."""
    user = staff_user(request)
    case = selectors.get_case_for(user, case_id)
    given = {k: v for k, v in payload.dict().items() if v not in (None, [])}
    case = actions.case_act(
        case=case,
        actor=user,
        action=payload.action,
        note=payload.note,
        **actions.case_action_params(payload.action, given),
    )
    return case_detail(selectors.get_case_for(user, case.pk))


@router.post(
    "/cards/{card_id}/lift",
    auth=API_AUTH,
    response={
        200: CardLiftedOut,
        401: ErrorOut,
        403: ErrorOut,
        404: ErrorOut,
        409: ErrorOut,
        422: ErrorOut,
    },
)
def card_lift(request: HttpRequest, card_id: int) -> dict:
    """Lift a card with a reason (body ``{"reason": …}``); the card stays."""
    user = staff_user(request)
    card = selectors.card_for(user, card_id)
    try:
        reason = json.loads(request.body or b"{}").get("reason", "")
    except ValueError:
        reason = ""
    card = actions.card_lift(card=card, actor=user, reason=reason)
    assert card.lifted_at is not None
    return {"id": card.pk, "lifted_at": card.lifted_at.isoformat()}


@router.get(
    "/progress/{receipt_code}",
    auth=None,
    response={200: ProgressOut, 404: ErrorOut, 429: ErrorOut},
)
def progress(request: HttpRequest, receipt_code: str) -> dict:
    """Public: item, status, step, department, expected date, masked name only."""
    rate_limit(request, "progress")
    case = selectors.case_by_receipt_code(receipt_code)
    if case is None:
        raise NotFound("cases.not_found", _("没有找到该办件，请核对回执上的查询码。"))
    return progress_view(case)


@router.get(
    "/people/lookup",
    auth=API_AUTH,
    response={200: PersonLookupOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def people_lookup(request: HttpRequest, id_number: str, purpose: str = "") -> dict:
    """The applicant's reusable documents before intake (masked; the lookup
    is logged in the person's access log)."""
    user = staff_user(request)
    require_actor(user)
    person = vault.person_lookup(id_number=id_number, actor=user, purpose=purpose)
    if person is None:
        raise NotFound("vault.person_not_found", _("证照库中没有该申请人。"))
    today = timezone.localdate()
    return {
        "id": person.pk,
        "name": person.masked_name,
        "id_number": person.masked_id_number,
        "phone": person.masked_phone,
        "documents": [
            {
                "id": d.pk,
                "type": d.doc_type,
                "type_label": d.type_label,
                "name": d.name,
                "issuer": d.issuer,
                "expires_on": d.expires_on.isoformat() if d.expires_on else None,
                "share_type": d.share_type,
                "consented": bool(
                    d.share_type == "unconditional"
                    or any(
                        c.covers(doc_type=d.doc_type, item_code="", day=today)
                        for c in person.consents.all()
                    )
                ),
            }
            for d in vault.reusable_documents(person, today)
        ],
    }
