"""Clock stops: 补齐补正 (a supplement asked after acceptance), 挂起
(suspension) and the special procedures (听证, 检验, …). The clock stands
still from the day after the stop begins through the day it ends
(docs/domain.md, "Cases and the clock").

The handlers run inside ``case_act`` on the locked case, which saves it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Unprocessable
from yichuang.lib.workdays import CalendarYearMissing
from yichuang.org.calendar import get_calendar
from yichuang.org.models import Staff

from .. import clock, events
from ..models import Case, ClockStop, MaterialReceipt
from ..states import RUNNING, Status
from .deadlines import refresh_deadlines
from .refusals import need_reason, not_allowed
from .steps import check_step_actor

SPECIAL_PROCEDURES = ("听证", "检验", "检测", "鉴定", "专家评审", "公示")


def open_stop(case: Case, kind: str, *, reason: str, now: dt.datetime, procedure: str = "") -> None:
    ClockStop.objects.create(
        case=case,
        kind=kind,
        procedure=procedure,
        reason=reason,
        started_on=timezone.localdate(now),
    )
    case.resume_status = case.status


def close_stop(case: Case, *, now: dt.datetime) -> int:
    """End the open stop; returns the working days it lasted."""
    stop = case.stops.filter(ended_on__isnull=True).order_by("-id").first()
    days = 0
    if stop is not None:
        stop.ended_on = timezone.localdate(now)
        try:
            days = clock.stopped_workdays(get_calendar(), stop.started_on, stop.ended_on)
        except CalendarYearMissing:
            days = (stop.ended_on - stop.started_on).days
        stop.workdays = days
        stop.save(update_fields=["ended_on", "workdays", "updated_at"])
        case.stopped_days += days
    return days


def _resume(case: Case, *, actor: Any, note: str, now: dt.datetime, type: str) -> None:
    days = close_stop(case, now=now)
    events.transition(
        case,
        case.resume_status or Status.REVIEW,
        actor=actor,
        type=type,
        reason=note,
        at=now,
        stopped_workdays=days,
    )
    case.resume_status = ""
    refresh_deadlines(case, actor=actor)


def request_supplement(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    materials: list[Any] | None = None,
) -> None:
    """补齐补正 after acceptance: the clock stops until the applicant brings
    what was asked (``materials``, kept on the event)."""
    if case.status not in RUNNING or case.accepted_on is None:
        raise not_allowed(case, "request_supplement")
    reason = need_reason(note, _("补齐补正"))
    check_step_actor(case, actor, staff)
    open_stop(case, ClockStop.Kind.SUPPLEMENT, reason=reason, now=now)
    events.transition(
        case,
        Status.SUPPLEMENT,
        actor=actor,
        type="supplement_requested",
        reason=reason,
        at=now,
        document=_("补正通知"),
        materials=materials or [],
    )


def supplement(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    materials: list[Any] | None = None,
) -> None:
    """The applicant brings what was asked: ends a supplement stop, and/or
    closes 容缺 gaps (the result is held until every gap is closed).
    ``materials``: the material codes (or entries with a ``code``) brought."""
    codes = [str(m.get("code") if isinstance(m, dict) else m) for m in (materials or [])]
    gaps = list(case.materials.filter(how=MaterialReceipt.How.TOLERATED, supplemented_at=None))
    in_stop = case.status == Status.SUPPLEMENT and case.accepted_on is not None
    if not in_stop and not gaps:
        raise not_allowed(case, "supplement")
    unknown = sorted(set(codes) - {g.code for g in gaps})
    if codes and unknown and not in_stop:
        raise Unprocessable(
            "cases.material_unknown",
            _("这些材料不是待补齐的容缺材料：%(c)s") % {"c": "、".join(unknown)},
            unknown=unknown,
        )
    closed = [g for g in gaps if g.code in codes]
    for g in closed:
        g.supplemented_at = now
        g.save(update_fields=["supplemented_at", "updated_at"])
    if closed:
        events.record(
            case,
            "gaps_supplemented",
            actor=actor,
            reason=note,
            at=now,
            materials=[g.code for g in closed],
        )
    if in_stop:
        _resume(case, actor=actor, note=note, now=now, type="supplemented")
    elif not closed:
        raise Unprocessable("cases.materials_required", _("请选择已补齐的材料。"))


def suspend(case: Case, *, actor: Any, staff: Staff | None, note: str, now: dt.datetime) -> None:
    """挂起, with a reason."""
    if case.status not in RUNNING:
        raise not_allowed(case, "suspend")
    reason = need_reason(note, _("挂起"))
    open_stop(case, ClockStop.Kind.SUSPENSION, reason=reason, now=now)
    events.transition(case, Status.SUSPENDED, actor=actor, type="suspended", reason=reason, at=now)


def special(
    case: Case,
    *,
    actor: Any,
    staff: Staff | None,
    note: str,
    now: dt.datetime,
    procedure: str = "",
) -> None:
    """A special procedure (one of ``SPECIAL_PROCEDURES``), with a reason and
    the notice the applicant is given."""
    if case.status not in RUNNING:
        raise not_allowed(case, "special")
    if procedure not in SPECIAL_PROCEDURES:
        raise Unprocessable(
            "cases.procedure_invalid",
            _("特别程序须为：%(p)s") % {"p": "、".join(SPECIAL_PROCEDURES)},
        )
    reason = need_reason(note, _("特别程序"))
    open_stop(case, ClockStop.Kind.SPECIAL, reason=reason, now=now, procedure=procedure)
    events.transition(
        case,
        Status.SPECIAL,
        actor=actor,
        type="special",
        reason=reason,
        at=now,
        document=_("特别程序告知书（%(p)s）") % {"p": procedure},
        procedure=procedure,
    )


def resume(case: Case, *, actor: Any, staff: Staff | None, note: str, now: dt.datetime) -> None:
    """End a suspension or special procedure: the clock runs again."""
    if case.status not in (Status.SUSPENDED, Status.SPECIAL):
        raise not_allowed(case, "resume")
    _resume(case, actor=actor, note=note, now=now, type="resumed")
