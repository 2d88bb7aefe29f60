"""告知承诺 verification (docs/cases.md, "Commitments"): every material replaced
by a signed commitment becomes a verification task when the case is accepted,
assigned to the item's department with a deadline (setting
``case.verify_workdays`` working days after acceptance). The department records
an outcome: 核查属实 closes the task; 承诺不实 revokes the decision (撤销) and
puts a credit record (失信记录) on the applicant. Each step is a case event and
an audit entry.

Also here: a later one-time notice that asks for a material the first notice
did not list breaks 一次性告知; the case is flagged for the director.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.config import setting_get
from yichuang.lib.crypto import redact_id_numbers
from yichuang.lib.errors import Conflict, Forbidden, Unprocessable
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import add_workdays
from yichuang.org.models import Staff
from yichuang.org.permissions import holds

from .. import events
from ..models import Case, CaseEvent, CreditRecord, MaterialReceipt, VerifyOutcome
from ..permissions import ANY_STEP_ROLES
from .refusals import need_reason

OUTCOMES = {o.value for o in VerifyOutcome}


def verification_due(accepted_on: dt.date) -> dt.date | None:
    """The verification deadline for a case accepted on ``accepted_on`` (None
    while the calendar year is not loaded)."""
    try:
        return add_workdays(accepted_on, int(setting_get("case.verify_workdays")))
    except CalendarYearMissing:
        return None


def verifications_open(case: Case, *, today: dt.date) -> int:
    """At acceptance: give each commitment of the case its deadline and its
    department. Returns the number of tasks opened."""
    rows = list(case.materials.filter(how=MaterialReceipt.How.COMMITTED, verified_at__isnull=True))
    if not rows:
        return 0
    due = verification_due(today)
    department_id = case.version.item.department_id if case.version else case.department_id
    for row in rows:
        row.due_date, row.verify_department_id = due, department_id
    MaterialReceipt.objects.bulk_update(rows, ["due_date", "verify_department"])
    return len(rows)


def _may_verify(actor: Any, staff: Staff | None, row: MaterialReceipt) -> bool:
    """The assigned department verifies; a director or the county admin may too."""
    if holds(actor, *ANY_STEP_ROLES):
        return True
    return staff is not None and staff.department_id == row.verify_department_id


def commitment_verify(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    material: str = "",
    outcome: str = "",
) -> None:
    """Record the verification of one commitment (``material``: its code;
    ``outcome``: ``true`` 核查属实 or ``false`` 承诺不实; ``note``: what was found).
    Runs inside ``case_act`` on the locked case."""
    if outcome not in OUTCOMES:
        raise Unprocessable(
            "cases.verify_outcome", _("请选择核查结论：核查属实或承诺不实。"), outcome=outcome
        )
    row = (
        case.materials.select_for_update()
        .filter(code=material, how=MaterialReceipt.How.COMMITTED)
        .first()
    )
    if row is None:
        raise Unprocessable("cases.no_commitment", _("该材料没有待核查的告知承诺。"))
    if row.verified_at is not None:
        raise Conflict("cases.already_verified", _("该承诺已核查。"))
    if row.verify_department_id is None:
        raise Conflict("cases.verify_not_open", _("办件受理后才能核查告知承诺。"))
    if not _may_verify(actor, staff, row):
        raise Forbidden("cases.verify_forbidden", _("告知承诺由承办部门核查。"))
    result = redact_id_numbers(need_reason(note, _("核查结果")))[:200]
    row.verified_at, row.verified_by = now, actor
    row.verify_result, row.verify_outcome = result, outcome
    row.save(
        update_fields=[
            "verified_at",
            "verified_by",
            "verify_result",
            "verify_outcome",
            "updated_at",
        ]
    )
    overdue = row.due_date is not None and timezone.localdate(now) > row.due_date
    events.record(
        case,
        "verified",
        actor=actor,
        reason=result,
        at=now,
        material=material,
        outcome=outcome,
        overdue=overdue,
    )
    audit_record(
        "cases.commitment_verified",
        actor=actor,
        obj=case,
        material=material,
        outcome=outcome,
        overdue=overdue,
    )
    if outcome == VerifyOutcome.FALSE:
        _revoke(case, row, actor=actor, now=now, reason=result)


def _revoke(case: Case, row: MaterialReceipt, *, actor: Any, now: dt.datetime, reason: str) -> None:
    """承诺不实: the decision is revoked and the applicant gets a credit record."""
    if case.revoked_at is None:
        case.revoked_at = now
        events.record(
            case,
            "revoked",
            actor=actor,
            reason=_("告知承诺不实，撤销办理决定：%(m)s") % {"m": row.name},
            at=now,
            material=row.code,
            decision=case.decision,
        )
        audit_record("cases.decision_revoked", actor=actor, obj=case, material=row.code)
    if case.person_id is None:
        return
    record = CreditRecord.objects.create(
        person_id=case.person_id,
        case=case,
        material=row.name,
        reason=reason,
        department_id=row.verify_department_id,
        recorded_by=actor if getattr(actor, "pk", None) else None,
        at=now,
    )
    events.record(case, "credit_recorded", actor=actor, at=now, material=row.code, record=record.pk)
    audit_record("cases.credit_recorded", actor=actor, obj=record, case=case.pk, material=row.code)


def notice_breach_check(
    case: Case, codes: Iterable[str], *, actor: Any, now: dt.datetime, reference: str
) -> list[str]:
    """一次性告知: a later notice on ``case`` listing materials (``codes``) the
    first notice did not list flags the case. Returns the codes added late."""
    first = CaseEvent.objects.filter(case=case, type="notice").order_by("at", "id").first()
    if first is None:
        return []
    listed = set(first.data.get("missing", []))
    late = sorted(set(codes) - listed)
    if not late:
        return []
    case.notice_breach = True
    events.record(
        case,
        "notice_breach",
        actor=actor,
        at=now,
        document=reference,
        reason=_("再次告知要求了首次一次性告知未列明的材料"),
        materials=late,
        first=first.document,
    )
    audit_record("cases.notice_breach", actor=actor, obj=case, materials=late, notice=reference)
    return late
