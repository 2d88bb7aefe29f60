"""How cases look from outside: the staff JSON and the public progress view
(masked name only, nothing else personal)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from yichuang.lib.workdays import Calendar
from yichuang.org.calendar import get_calendar

from . import clock
from .models import Case


def _d(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _t(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


def case_row(
    case: Case, *, cal: Calendar, today: dt.date, levels: tuple[int, int] | None = None
) -> dict[str, Any]:
    step = case.current_step if case.current_step_id else None
    return {
        "id": case.pk,
        "number": case.number,
        "title": case.title,
        "status": case.status,
        "status_label": case.get_status_display(),
        "applicant": case.person.masked_name if case.person_id else "",
        "department": str(case.department) if case.department_id else None,
        "current_step": step.kind if step else None,
        "accepted_on": _d(case.accepted_on),
        "due_date": _d(case.due_date),
        "deadline_pending": case.deadline_pending,
        "warning_level": clock.warning_level(case, today=today, cal=cal, settings=levels),
        "working_days_left": clock.working_days_left(case, today, cal),
        "visit_count": case.visit_count,
    }


def case_detail(case: Case) -> dict[str, Any]:
    cal, today = get_calendar(), timezone.localdate()
    version = case.version
    person = case.person
    data = case_row(case, cal=cal, today=today)
    data.update(
        {
            "receipt_code": case.receipt_code,
            "item": version.item.code if version else None,
            "item_version": version.number if version else None,
            "bundle": case.bundle.code if case.bundle_id else None,
            "parent": case.parent_id,
            "children": [
                {"id": c.pk, "title": c.title, "status": c.status}
                for c in case.children.order_by("pk")
            ],
            "centre": case.centre.code,
            "applicant": {
                "name": person.masked_name,
                "id_number": person.masked_id_number,
                "phone": person.masked_phone,
            }
            if person
            else None,
            "decision": case.decision or None,
            "statutory_due_date": _d(case.statutory_due_date),
            "legal_due_date": _d(case.statutory_due_date),
            "deadline_provisional": case.deadline_provisional,
            "stopped_days": case.stopped_days,
            "extension_days": case.extension_days,
            "completed_at": _t(case.completed_at),
            "rating_code": case.rating_code if case.status in ("completed", "delivered") else None,
            "steps": [
                {
                    "position": s.position,
                    "kind": s.kind,
                    "name": s.name,
                    "department": str(s.department),
                    "post": s.post.name if s.post_id else None,
                    "share": s.share,
                    "due_date": _d(s.due_date),
                    "state": s.state,
                }
                for s in case.steps.select_related("department", "post").order_by("position")
            ],
            "events": [
                {
                    "type": e.type,
                    "old_status": e.old_status,
                    "new_status": e.new_status,
                    "actor": e.actor_name,
                    "reason": e.reason,
                    "document": e.document,
                    "at": _t(e.at),
                }
                for e in case.events.all()
            ],
            "visits": [
                {"ticket_id": v.ticket_id, "appointment_id": v.appointment_id, "at": _t(v.at)}
                for v in case.visits.all()
            ],
            "materials": [
                {
                    "code": m.code,
                    "name": m.name,
                    "how": m.how,
                    "document_id": m.document_id,
                    "due_date": _d(m.due_date),
                    "supplemented": m.supplemented_at is not None,
                    "verified": m.verified_at is not None,
                    "verify_department": (
                        m.verify_department.name if m.verify_department_id else None
                    ),
                    "verify_outcome": m.verify_outcome,
                    "verify_overdue": m.is_overdue_verification(timezone.localdate()),
                }
                for m in case.materials.select_related("verify_department")
            ],
            "stops": [
                {
                    "kind": s.kind,
                    "procedure": s.procedure,
                    "started_on": _d(s.started_on),
                    "ended_on": _d(s.ended_on),
                    "workdays": s.workdays,
                }
                for s in case.stops.all()
            ],
            "cards": [
                {
                    "id": c.pk,
                    "level": c.level,
                    "rule": c.rule,
                    "reason": c.reason,
                    "recorded_at": _t(c.recorded_at),
                    "lifted": c.lifted_at is not None,
                }
                for c in case.cards.all()
            ],
            "notice": case.notice.reference if case.notice_id else None,
        }
    )
    return data


def progress_view(case: Case) -> dict[str, Any]:
    """What anyone holding the receipt code may see."""
    step = case.current_step if case.current_step_id else None
    return {
        "item": case.title,
        "number": case.number,
        "status": case.status,
        "status_label": case.get_status_display(),
        "current_step": step.name if step else None,
        "department": str(case.department) if case.department_id else None,
        "centre": case.centre.name,
        "accepted_on": _d(case.accepted_on),
        "due_date": _d(case.due_date),
        "deadline_pending": case.deadline_pending,
        "deadline_provisional": case.deadline_provisional,
        "applicant": case.person.masked_name if case.person_id else "",
        "completed": case.status in ("completed", "delivered"),
        "rating_code": case.rating_code if case.status in ("completed", "delivered") else None,
        "members": [
            {
                "item": c.title,
                "status": c.status,
                "status_label": c.get_status_display(),
                "due_date": _d(c.due_date),
            }
            for c in case.children.order_by("pk")
        ],
    }
