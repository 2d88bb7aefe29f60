"""On-site visits: a queue ticket or an appointment linked to a case, counted
once per visit (docs/domain.md, "Cases and the clock")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import NotFound, Unprocessable
from yichuang.queueing.models import Appointment, Ticket
from yichuang.queueing.permissions import tickets_for

from .. import events
from ..models import Case, CaseVisit
from ..permissions import require_actor


def check_ticket(ticket: Ticket, actor: Any) -> None:
    """A ticket the actor may not see (another centre's; for a department's
    staff, another department's line) is not found."""
    if not tickets_for(actor).filter(pk=ticket.pk).exists():
        raise NotFound("cases.ticket_not_found", _("没有找到该排队号。"))


def link_visit(
    case: Case,
    *,
    ticket: Ticket | None,
    appointment: Appointment | None,
    actor: Any,
    now: dt.datetime,
) -> bool:
    """Count one on-site visit per target case. An appointment and the ticket
    its check-in issued are the same visit: linking the second completes the
    row of the first instead of counting again."""
    targets = [case, *case.children.all()] if case.is_bundle else [case]
    appt_id = appointment.pk if appointment is not None else getattr(ticket, "appointment_id", None)
    same = Q(ticket=ticket) if ticket is not None else Q(appointment_id=appt_id)
    if ticket is not None and appt_id:
        same |= Q(appointment_id=appt_id)
    if appointment is not None:
        same |= Q(ticket__appointment_id=appt_id)
    added = False
    for target in targets:
        seen = target.visits.filter(same).first()
        if seen is not None:
            changed = []
            if ticket is not None and seen.ticket_id is None:
                seen.ticket = ticket
                changed.append("ticket")
            if appt_id and seen.appointment_id is None:
                seen.appointment_id = appt_id
                changed.append("appointment")
            if changed:
                seen.save(update_fields=changed)
            continue
        CaseVisit.objects.create(
            case=target,
            ticket=ticket,
            appointment_id=appt_id,
            at=(ticket.issued_at if ticket else now),
            linked_by=actor,
        )
        Case.objects.filter(pk=target.pk).update(visit_count=F("visit_count") + 1)
        target.visit_count += 1
        added = True
        events.record(
            target,
            "visit",
            actor=actor,
            at=now,
            ticket=ticket.number if ticket else "",
            ticket_id=ticket.pk if ticket else None,
            appointment_id=appt_id,
        )
    return added


@transaction.atomic
def case_visit_link(
    *,
    case: Case,
    actor: Any,
    ticket: Ticket | None = None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """A ticket or appointment is an on-site visit for the case (idempotent)."""
    require_actor(actor)
    if ticket is None and appointment is None:
        raise Unprocessable("cases.visit_required", _("请指定排队号或预约。"))
    if ticket is not None:
        check_ticket(ticket, actor)
    case = Case.objects.select_for_update().get(pk=case.pk)
    link_visit(case, ticket=ticket, appointment=appointment, actor=actor, now=now or timezone.now())
    return case
