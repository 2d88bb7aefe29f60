"""Dated staff absences (请假, 培训, 出差): a centre director records them for
his centre's staff, a county administrator for the county's. Every add and
cancel is audited; a refusal writes nothing."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable

from ..models import Staff, StaffAbsence
from ..permissions import holds
from ..scopes import centres_for, region_q, staff_of

# The longest absence one record may hold (a year); longer ones are re-entered.
MAX_DAYS = 366


def check_absence_manager(user) -> None:
    if not holds(user, Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN):
        raise Forbidden(
            "org.absences_forbidden", _("只有中心负责人和县级管理员可以登记工作人员不在岗。")
        )


def absence_staff_for(user) -> QuerySet[Staff]:
    """The staff whose absences ``user`` records: a director his centres'
    staff, a county administrator everyone in his county."""
    me = staff_of(user)
    if me is None:
        return Staff.objects.none()
    cond = Q(pk__in=[])
    if holds(user, Role.CENTRE_DIRECTOR):
        cond |= Q(centre__in=centres_for(user))
    if holds(user, Role.COUNTY_ADMIN):
        cond |= region_q(me.region.county() or me.region)
    return Staff.objects.filter(cond)


def _valid_span(start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    if start is None or end is None:
        raise Unprocessable("org.absence_dates", _("请填写开始和结束日期。"))
    if end < start:
        raise Unprocessable("org.absence_end_before_start", _("结束日期不能早于开始日期。"))
    if (end - start).days >= MAX_DAYS:
        raise Unprocessable("org.absence_too_long", _("一次登记不能超过一年。"))
    return start, end


def staff_absence_add(
    *,
    actor,
    staff_id: int | None,
    start: dt.date | None,
    end: dt.date | None,
    kind: str,
    note: str = "",
    request=None,
) -> StaffAbsence:
    """Record that a staff member in the actor's scope is away from ``start``
    to ``end`` (inclusive)."""
    check_absence_manager(actor)
    staff = (
        absence_staff_for(actor).filter(pk=staff_id).first()
        if staff_id and 0 < staff_id < 2**63
        else None
    )
    if staff is None:
        raise NotFound("org.absence_staff_not_found", _("没有找到该工作人员。"))
    start, end = _valid_span(start, end)
    if kind not in StaffAbsence.Kind.values:
        raise Unprocessable("org.absence_kind", _("请选择不在岗类型。"))
    note = (note or "").strip()
    if len(note) > 200:
        raise Unprocessable("org.absence_note", _("说明不能超过 200 字。"))
    with transaction.atomic():
        # Lock the person's row so two overlapping records can't both pass.
        Staff.objects.select_for_update().filter(pk=staff.pk).first()
        overlapping = StaffAbsence.objects.filter(
            staff=staff, start__lte=end, end__gte=start, cancelled_at__isnull=True
        )
        if overlapping.exists():
            raise Conflict(
                "org.absence_overlap",
                _("该工作人员在这段日期内已有不在岗登记，请先撤销原登记。"),
            )
        absence = StaffAbsence.objects.create(
            staff=staff, start=start, end=end, kind=kind, note=note, created_by=actor
        )
        audit_record(
            "org.absence_added",
            actor=actor,
            obj=absence,
            request=request,
            staff=staff.employee_no,
            kind=kind,
            start=start.isoformat(),
            end=end.isoformat(),
        )
    return absence


def staff_absence_cancel(*, actor, absence_id: int, request=None) -> StaffAbsence:
    """Withdraw an absence of a staff member in the actor's scope; the row
    stays, marked cancelled."""
    check_absence_manager(actor)
    with transaction.atomic():
        absence = (
            StaffAbsence.objects.select_for_update()
            .filter(pk=absence_id, staff__in=absence_staff_for(actor))
            .first()
            if 0 < absence_id < 2**63
            else None
        )
        if absence is None:
            raise NotFound("org.absence_not_found", _("没有找到该不在岗登记。"))
        if absence.cancelled_at is not None:
            raise Conflict("org.absence_cancelled", _("该登记已经撤销。"))
        absence.cancelled_at = timezone.now()
        absence.cancelled_by = actor
        absence.save(update_fields=["cancelled_at", "cancelled_by", "updated_at"])
        audit_record(
            "org.absence_cancelled",
            actor=actor,
            obj=absence,
            request=request,
            staff=absence.staff.employee_no,
        )
    return absence
