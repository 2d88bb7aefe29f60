"""收件 at the window: one item or a 一件事 bundle, for an applicant (and an
organisation), with the materials handed in, reused from the vault or replaced
by commitments. Complete → accepted; otherwise the one-time notice
(一次性告知), and the case waits for the next visit, which reuses it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.actions import notice_issue
from yichuang.catalog.models import Bundle, Item, ItemVersion, OneTimeNotice
from yichuang.lib.errors import Conflict, Unprocessable
from yichuang.org.models import Centre, Staff
from yichuang.queueing.models import Appointment, Ticket
from yichuang.vault import actions as vault
from yichuang.vault.models import Document, Organisation, Person

from .. import clock, events
from ..models import Case
from ..permissions import require_actor
from ..states import Status
from .acceptance import accept_unit
from .bundles import sync_parent
from .materials import (
    Unit,
    check_entries,
    count_prior,
    find_lacking,
    match_units,
    published,
    record_materials,
)
from .verification import notice_breach_check
from .visits import check_ticket, link_visit


@dataclass
class IntakeResult:
    case: Case
    accepted: bool
    missing: list[dict[str, Any]] = field(default_factory=list)
    notices: list[OneTimeNotice] = field(default_factory=list)

    @property
    def notice_url(self) -> str:
        if len(self.notices) == 1 and not self.case.is_bundle:
            return f"/catalog/notices/{self.notices[0].reference}/"
        return f"/cases/{self.case.pk}/notices/"


@transaction.atomic
def case_intake(
    *,
    actor: Any,
    centre: Centre,
    applicant: dict[str, Any],
    materials: list[dict[str, Any]],
    item: Item | None = None,
    bundle: Bundle | None = None,
    organisation: dict[str, Any] | None = None,
    ticket: Ticket | None = None,
    appointment: Appointment | None = None,
    tolerate_missing: bool = False,
    consent: dict[str, Any] | None = None,
    now: dt.datetime | None = None,
) -> IntakeResult:
    """收件 at the window. Complete → accepted (即办件 completed on the spot);
    only 容缺 materials missing and ``tolerate_missing`` → accepted with gaps;
    otherwise the one-time notice, and the case waits for the next visit."""
    staff = require_actor(actor)
    now = now or timezone.now()
    today = timezone.localdate(now)
    if (item is None) == (bundle is None):
        raise Unprocessable("cases.item_required", _("请选择一个事项或一件事。"))
    if bundle is not None:
        if not bundle.is_active:
            raise Conflict("cases.item_unavailable", _("该“一件事”已停用。"))
        members = [link.item for link in bundle.links.select_related("item").order_by("position")]
        units = [Unit(version=published(m)) for m in members]
        if not units:
            raise Conflict("cases.item_unavailable", _("该“一件事”没有可办理的事项。"))
        title = bundle.name
    else:
        assert item is not None
        units = [Unit(version=published(item))]
        title = units[0].version.name
    offered = set(
        Item.centres.through.objects.filter(
            item_id__in=[u.version.item_id for u in units], centre_id=centre.pk
        ).values_list("item_id", flat=True)
    )
    not_here = [u.version.name for u in units if u.version.item_id not in offered]
    if not_here:
        raise Unprocessable(
            "cases.item_not_offered",
            _("本中心不办理：%(n)s") % {"n": "、".join(not_here)},
        )
    person = vault.person_find_or_create(
        name=applicant.get("name", ""),
        id_number=applicant.get("id_number", ""),
        phone=applicant.get("phone", "") or "",
    )
    org = (
        vault.organisation_find_or_create(
            name=organisation.get("name", ""), credit_code=organisation.get("credit_code", "")
        )
        if organisation
        else None
    )
    if ticket is not None:
        check_ticket(ticket, actor)
    match_units(units, materials, bundle=bundle is not None)
    if consent:
        vault.consent_record(
            person=person,
            scope=consent.get("scope") or "all",
            document_types=consent.get("document_types"),
            item_codes=consent.get("item_codes"),
            valid_until=consent.get("valid_until"),
            actor=actor,
            centre=centre,
        )
    reads = check_entries(units, person, today)

    # Reuse the case of an earlier visit, or open a new one (one per member item).
    top = _pending_case(person, item=item, bundle=bundle)
    top_is_new = top is None
    if top is None:
        top = _open_case(
            centre=centre,
            version=None if bundle else units[0].version,
            bundle=bundle,
            person=person,
            organisation=org,
            parent=None,
            staff=staff,
            now=now,
            title=title,
        )
        events.record(top, "received", actor=actor, new=Status.RECEIVED, at=now)
    if bundle is not None:
        children = {} if top_is_new else {c.item_id: c for c in top.children.select_for_update()}
        for unit in units:
            unit.case = children.get(unit.version.item_id)
            if unit.case is None:
                unit.existing = False
                unit.case = _open_case(
                    centre=centre,
                    version=unit.version,
                    bundle=bundle,
                    person=person,
                    organisation=org,
                    parent=top,
                    staff=staff,
                    now=now,
                    title=unit.version.name,
                )
                events.record(unit.case, "received", actor=actor, new=Status.RECEIVED, at=now)
    else:
        units[0].case = top
        units[0].existing = not top_is_new

    # What an earlier visit handed in still counts; then record this visit's
    # materials and vault reads, and keep the documents handed in.
    stored: dict[str, Document] = {}
    for unit in units:
        record_materials(unit, reads, person, actor=actor, centre=centre, stored=stored)
        if unit.existing:
            count_prior(unit)
        find_lacking(unit)
    missing_hard = [m for u in units for m in u.missing if not (tolerate_missing and m.tolerable)]
    if missing_hard:
        result = _issue_notices(top, units, person, actor=actor, centre=centre, now=now)
    else:
        for unit in units:
            unit.gaps = list(unit.missing)
            assert unit.case is not None
            accept_unit(unit.case, unit, actor=actor, staff=staff, now=now)
        if bundle is not None:
            sync_parent(top, actor=actor, now=now)
        result = IntakeResult(case=top, accepted=True)
    # The visit is linked last, to the rows as saved (counters are updated in SQL).
    if ticket is not None or appointment is not None:
        link_visit(top, ticket=ticket, appointment=appointment, actor=actor, now=now)
    return result


def _open_case(
    *,
    centre: Centre,
    version: ItemVersion | None,
    bundle: Bundle | None,
    person: Person,
    organisation: Organisation | None,
    parent: Case | None,
    staff: Staff | None,
    now: dt.datetime,
    title: str,
) -> Case:
    if version is not None:
        # The catalogue's volume-weighted coverage counts the cases of each item
        # (Item.case_count): one more, atomically, in the intake's transaction.
        Item.objects.filter(pk=version.item_id).update(case_count=F("case_count") + 1)
    return Case.objects.create(
        centre=centre,
        version=version,
        item=version.item if version is not None else None,
        bundle=bundle,
        parent=parent,
        person=person,
        organisation=organisation,
        title=title,
        status=Status.RECEIVED,
        received_at=now,
        first_ask=staff,
        committed_days=clock.committed_amount(version) if version else 0,
        legal_days=clock.legal_amount(version) if version else None,
    )


def _pending_case(person: Person, *, item: Item | None, bundle: Bundle | None) -> Case | None:
    """A case of this applicant waiting for its materials (an earlier visit)."""
    qs = Case.objects.select_for_update().filter(
        person=person,
        accepted_on__isnull=True,
        status__in=(Status.RECEIVED, Status.SUPPLEMENT),
        parent__isnull=True,
    )
    qs = (
        qs.filter(item=item) if item is not None else qs.filter(bundle=bundle, version__isnull=True)
    )
    return qs.order_by("-received_at").first()


def _issue_notices(
    top: Case,
    units: list[Unit],
    person: Person,
    *,
    actor: Any,
    centre: Centre,
    now: dt.datetime,
) -> IntakeResult:
    """一次性告知: one notice per member item with materials missing, listing
    all of them; the cases wait in ``supplement``."""
    notices: list[OneTimeNotice] = []
    missing: list[dict[str, Any]] = []
    for unit in units:
        case = unit.case
        assert case is not None
        if not unit.missing:
            continue
        notice = notice_issue(
            item=unit.version.item,
            brought_material_codes=list(unit.provided),
            applicant_name=person.name,
            actor=actor,
            centre=centre,
        )
        notices.append(notice)
        missing.extend(
            {**entry, "item": unit.version.item.code, "item_name": unit.version.name}
            for entry in notice.missing
        )
        case.notice = notice
        codes = [e["code"] for e in notice.missing]
        notice_breach_check(case, codes, actor=actor, now=now, reference=notice.reference)
        if case.status != Status.SUPPLEMENT:
            events.transition(
                case,
                Status.SUPPLEMENT,
                actor=actor,
                type="notice",
                document=notice.reference,
                at=now,
                missing=codes,
            )
        else:
            events.record(
                case,
                "notice",
                actor=actor,
                old=case.status,
                new=case.status,
                document=notice.reference,
                at=now,
                missing=codes,
            )
        case.save(update_fields=["notice", "status", "notice_breach", "updated_at"])
    if top.is_bundle:
        top.notice = notices[0] if notices else top.notice
        if top.status != Status.SUPPLEMENT:
            events.transition(
                top,
                Status.SUPPLEMENT,
                actor=actor,
                type="notice",
                at=now,
                document="、".join(n.reference for n in notices),
            )
        top.save(update_fields=["notice", "status", "updated_at"])
    return IntakeResult(case=top, accepted=False, missing=missing, notices=notices)
