"""Composed reads of the catalogue for pages and the API: the items a user may
see, the published items, bundles and notices looked up by code, and the
lists the management screens and the public API show."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yichuang.lib.errors import NotFound
from yichuang.org.models import Department, Staff
from yichuang.org.permissions import sees_everything
from yichuang.org.scopes import centres_for, staff_of

from .models import Bundle, Item, ItemQuerySet, ItemVersion, OneTimeNotice, limit_span
from .permissions import can_manage, managed_departments, require_manager


def item_not_found(code: str) -> NotFound:
    return NotFound("catalog.item_not_found", _("没有找到该事项：%(c)s") % {"c": code})


# --- the management screens ---------------------------------------------------------


def items_for(user) -> ItemQuerySet:
    """Items ``user`` may see in the management screens (read): a manager his
    departments' items, any other staff member or role holder every item."""
    if user is None or not user.is_authenticated:
        return Item.objects.none()
    if can_manage(user):
        return Item.objects.filter(department__in=managed_departments(user))
    return (
        Item.objects.all()
        if getattr(user, "staff", None) or user.role_set
        else (Item.objects.none())
    )


def get_item_for(user, code: str, *, manage: bool = False) -> Item:
    """One item through the user's scope: outsiders get 404, readers 403 on manage."""
    item = items_for(user).select_related("department", "current_version").filter(code=code).first()
    if item is None:
        raise item_not_found(code)
    if manage:
        require_manager(user)
    return item


def management_items(user, *, q: str = "", department: str = "", status: str = "") -> QuerySet:
    """The management list: ``user``'s items matching ``q`` (name, initials or
    code), of ``department``, ``published`` or with a ``draft``."""
    items = items_for(user).select_related("department", "current_version").search(q)
    if department:
        items = items.filter(department__code=department)
    if status == "published":
        items = items.filter(current_version__isnull=False)
    elif status == "draft":
        items = items.filter(versions__status=ItemVersion.Status.DRAFT)
    return items.order_by("department__code", "code")


def items_with_drafts() -> set[int]:
    """Ids of the items that have an unpublished draft."""
    return set(
        ItemVersion.objects.filter(status=ItemVersion.Status.DRAFT).values_list(
            "item_id", flat=True
        )
    )


def departments_of_items_for(user) -> QuerySet[Department]:
    """The departments of the items ``user`` sees (the list's filter)."""
    return Department.objects.filter(pk__in=items_for(user).values("department"))


def notices_for(user) -> QuerySet[OneTimeNotice]:
    """The one-time notices ``user`` may open (they name the applicant): the
    notices the user issued, and those of the centres in the user's scope —
    for a department's staff only those of the department's items; a notice
    of no centre only for county-wide staff."""
    if user is None or not user.is_authenticated:
        return OneTimeNotice.objects.none()
    if sees_everything(user):
        return OneTimeNotice.objects.all()
    own = Q(issued_by=user)
    staff = staff_of(user)
    if staff is None:
        return OneTimeNotice.objects.filter(own)
    scoped = Q(centre__in=centres_for(user))
    if staff.scope == Staff.Scope.DEPARTMENT:
        scoped &= Q(item__department_id=staff.department_id)
    elif staff.scope == Staff.Scope.COUNTY:
        scoped |= Q(centre__isnull=True)
    return OneTimeNotice.objects.filter(scoped | own)


def get_notice_for(user, reference: str) -> OneTimeNotice:
    """The notice of ``reference`` if ``user`` may open it (``notices_for``);
    404 ``catalog.notice_not_found`` otherwise, the same as for no notice, so
    a reference guessed from the sequence tells nothing outside the scope."""
    notice = (
        notices_for(user)
        .select_related("item", "version", "centre", "issued_by")
        .filter(reference=reference)
        .first()
    )
    if notice is None:
        raise NotFound("catalog.notice_not_found", _("没有找到该告知书。"))
    return notice


# --- the published catalogue ----------------------------------------------------------


def get_published_item(code: str) -> Item:
    item = (
        Item.objects.published()
        .select_related("department", "current_version")
        .filter(code=code)
        .first()
    )
    if item is None:
        raise item_not_found(code)
    return item


def get_published_bundle(code: str) -> Bundle:
    bundle = Bundle.objects.filter(code=code, is_active=True).first()
    if bundle is None:
        raise NotFound("catalog.bundle_not_found", _("没有找到该“一件事”：%(c)s") % {"c": code})
    return bundle


def published_items(q: str = "") -> ItemQuerySet:
    """Published items matching ``q``, by department and code."""
    return (
        Item.objects.published()
        .search(q)
        .select_related("department", "current_version")
        .order_by("department__code", "code")
    )


ROW_FIELDS = (
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


def published_item_rows(
    *, q: str = "", department: str = "", centre: str = ""
) -> list[dict[str, Any]]:
    """One row per published item matching ``q`` (of ``department``, offered
    at ``centre``), with its limits as spans on the plain week
    (``models.limit_span``), in one query."""
    items = Item.objects.published().search(q)
    if department:
        items = items.filter(department__code=department)
    if centre:
        items = items.filter(centres__code=centre)
    return [_item_row(r) for r in items.values(*ROW_FIELDS).order_by("department__code", "code")]


def _item_row(r: dict[str, Any]) -> dict[str, Any]:
    immediate = r["current_version__case_type"] == "immediate"
    return {
        "code": r["code"],
        "name": r["name"],
        "department": r["department__code"],
        "case_type": r["current_version__case_type"],
        "legal_limit_days": limit_span(
            r["current_version__legal_limit"], r["current_version__legal_limit_unit"]
        ),
        "committed_limit_days": 0.0
        if immediate
        else limit_span(
            r["current_version__committed_limit"], r["current_version__committed_limit_unit"]
        ),
        "visits_required": r["current_version__visits_required"],
        "online_depth": r["current_version__online_depth"],
    }


def bundles_with_items() -> list[dict[str, Any]]:
    """Every active bundle with its items' codes."""
    return [
        {"code": b.code, "name": b.name, "items": [i.code for i in b.items.all()]}
        for b in Bundle.objects.filter(is_active=True).prefetch_related("items")
    ]
