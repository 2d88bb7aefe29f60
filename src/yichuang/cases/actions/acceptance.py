"""受理 and 不予受理: a case received with its materials complete (or only 容缺
gaps) is accepted, the clock starts the day after, its steps are laid out;
即办件 are completed on the spot. A case not yet accepted may be refused with
reasons.

``accept`` and ``refuse`` run inside ``case_act`` on the locked case, which
saves it; the intake calls :func:`accept_unit` directly.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Unprocessable
from yichuang.org.models import Staff

from .. import events
from ..models import Case, CaseStep, MaterialReceipt
from ..states import Status
from .deadlines import refresh_deadlines
from .materials import (
    Unit,
    check_entries,
    count_prior,
    find_lacking,
    match_units,
    record_materials,
)
from .refusals import need_reason, not_allowed
from .steps import activate, finish, make_steps, post_for, steps_of
from .verification import verifications_open


def accept_unit(
    case: Case, unit: Unit, *, actor: Any, staff: Staff | None, now: dt.datetime
) -> None:
    """受理: the clock starts the day after; steps are laid out and the first
    step after acceptance becomes active. 即办件 are completed on the spot.
    ``unit.gaps``: the 容缺 materials accepted as missing."""
    version = unit.version
    today = timezone.localdate(now)
    old = case.status
    case.accepted_on = today
    case.accepted_by = staff
    # A case opened by this intake has no steps yet: lay them out and keep the
    # list (with their posts) instead of reading them back.
    steps = steps_of(case) if unit.existing else []
    if not steps:
        steps = make_steps(case, version)
    accept_step = steps[0] if steps[0].kind == "accept" else None
    case.status = Status.ACCEPTED
    refresh_deadlines(case, actor=actor, steps=steps)
    events.record(
        case,
        "accepted",
        actor=actor,
        old=old,
        new=Status.ACCEPTED,
        at=now,
        document=case.number,
        gaps=[m.code for m in unit.gaps],
    )
    verifications_open(case, today=today)
    # 容缺: gaps with a supplement deadline no later than the committed limit.
    if unit.gaps:
        case.gaps_due_date = case.due_date
        MaterialReceipt.objects.filter(case=case, code__in=[m.code for m in unit.gaps]).delete()
        MaterialReceipt.objects.bulk_create(
            [
                MaterialReceipt(
                    case=case,
                    code=m.code,
                    name=m.name,
                    document_type=m.document_type,
                    how=MaterialReceipt.How.TOLERATED,
                    due_date=case.due_date,
                )
                for m in unit.gaps
            ]
        )
    if accept_step is not None:
        accept_step.post = accept_step.post or post_for(
            case.centre, accept_step.department_id, "accept"
        )
        finish(accept_step, staff, now)
    after = accept_step.position if accept_step is not None else 0
    nxt = next((s for s in steps if s.position > after), None)
    activate(case, nxt, now)
    if version.is_immediate:
        _complete_immediately(case, actor=actor, staff=staff, now=now)
    case.save()


def _complete_immediately(case: Case, *, actor: Any, staff: Staff | None, now: dt.datetime) -> None:
    for step in case.steps.exclude(state=CaseStep.State.DONE).order_by("position"):
        finish(step, staff, now)
    case.decision = "granted"
    case.current_step = None
    case.completed_at = now
    case.rating_code = case.rating_code or secrets.token_urlsafe(12)
    events.transition(
        case, Status.COMPLETED, actor=actor, type="completed", at=now, reason=_("即办件当场办结")
    )


def accept(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    materials: list[dict[str, Any]] | None = None,
    tolerate_missing: bool = False,
) -> None:
    """Accept a case received earlier once its materials are complete
    (``materials``: the entries brought now; ``tolerate_missing``: accept with
    only 容缺 materials missing)."""
    if case.accepted_on is not None or case.status not in (Status.RECEIVED, Status.SUPPLEMENT):
        raise not_allowed(case, "accept")
    assert case.version is not None and case.person is not None
    unit = Unit(version=case.version, case=case)
    if materials:
        match_units([unit], materials, bundle=False)
        reads = check_entries([unit], case.person, timezone.localdate(now))
        record_materials(unit, reads, case.person, actor=actor, centre=case.centre, stored={})
    count_prior(unit)
    find_lacking(unit)
    hard = [m for m in unit.missing if not (tolerate_missing and m.tolerable)]
    if hard:
        raise Unprocessable(
            "cases.materials_incomplete",
            _("材料不齐全，不能受理。"),
            missing=[{"code": m.code, "name": m.name} for m in hard],
        )
    unit.gaps = list(unit.missing)
    accept_unit(case, unit, actor=actor, staff=staff, now=now)


def refuse(case: Case, *, actor: Any, staff: Staff | None, note: str, now: dt.datetime) -> None:
    """不予受理, with reasons (only before acceptance)."""
    if case.accepted_on is not None or case.status not in (Status.RECEIVED, Status.SUPPLEMENT):
        raise not_allowed(case, "refuse")
    reason = need_reason(note, _("不予受理"))
    events.transition(case, Status.REFUSED, actor=actor, type="refused", reason=reason, at=now)
