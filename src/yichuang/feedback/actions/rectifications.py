"""The handling of a bad rating (谁办理、谁负责): assign → call back → verify →
rectify → give feedback → close (or the citizen rates the handling, which
closes it). ``RECTIFICATION_STEPS`` is the one table of these steps; the page
and the API both go through ``rectification_act``."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.crypto import redact_id_numbers
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.lib.sms import public_link, sms_send

from ..events import event_record
from ..models import Rectification
from ..permissions import can_assign, can_close, check_handler
from .appeals import appeal_file_for_verdict
from .common import MAX_COMMENT, handler_named, require_status, set_fields, unknown_step


def _locked(rect: Rectification) -> Rectification:
    return Rectification.objects.select_for_update().select_related("rating").get(pk=rect.pk)


def _require_handler(rect: Rectification, actor) -> None:
    if rect.handler_id != actor.pk:
        raise Forbidden("feedback.not_handler", _("只有承办人可以办理该整改单。"))


def _step(rect: Rectification, actor, new: str, fields: dict[str, Any], note: str) -> None:
    old = rect.status
    set_fields(rect, {"status": new, **fields})
    event_record(
        f"rectification.{new}",
        rectification=rect,
        rating_id=rect.rating_id,
        actor=actor,
        old=old,
        new=new,
        note=note,
    )


@transaction.atomic
def rectification_assign(
    *, rectification: Rectification, handler, actor, note: str = ""
) -> Rectification:
    """The responsible unit assigns a handler (again, to reassign): active
    staff inside the rectification's centre and department
    (``permissions.check_handler``), never the clerk rated."""
    rect = _locked(rectification)
    if not can_assign(actor, centre_id=rect.centre_id, department_id=rect.department_id):
        raise Forbidden("feedback.cannot_assign", _("只有中心主任或责任部门负责人可以分派。"))
    require_status(rect, Rectification.Status.NEW, Rectification.Status.ASSIGNED)
    hstaff = check_handler(
        handler, centre_id=rect.centre_id, department_id=rect.department_id, assigner=actor
    )
    if rect.rating.clerk_id and hstaff.pk == rect.rating.clerk_id:
        raise Unprocessable("feedback.handler_is_rated", _("不能由被评价的工作人员承办本人差评。"))
    _step(
        rect,
        actor,
        Rectification.Status.ASSIGNED,
        {"handler": handler},
        note or (handler.display_name or handler.username),
    )
    return rect


@transaction.atomic
def rectification_call_back(*, rectification: Rectification, note: str, actor) -> Rectification:
    rect = _locked(rectification)
    _require_handler(rect, actor)
    require_status(rect, Rectification.Status.ASSIGNED)
    if not (note or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写回访记录。"))
    _step(
        rect,
        actor,
        Rectification.Status.CALLED_BACK,
        {"called_back_at": timezone.now(), "callback_note": note.strip()},
        note,
    )
    return rect


@transaction.atomic
def rectification_verify(
    *, rectification: Rectification, verdict: str, finding: str, actor
) -> Rectification:
    """核实: substantiated, or not — which files an appeal for the reviewer."""
    rect = _locked(rectification)
    _require_handler(rect, actor)
    require_status(rect, Rectification.Status.CALLED_BACK)
    if verdict not in Rectification.Verdict.values:
        raise Unprocessable("feedback.bad_verdict", _("核实结论须为属实或不属实。"))
    if not (finding or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写核实情况。"))
    _step(
        rect,
        actor,
        Rectification.Status.VERIFIED,
        {"verdict": verdict, "finding": finding.strip(), "verified_at": timezone.now()},
        finding,
    )
    if verdict == Rectification.Verdict.UNSUBSTANTIATED:
        appeal_file_for_verdict(rating=rect.rating, finding=finding, actor=actor)
    return rect


@transaction.atomic
def rectification_rectify(*, rectification: Rectification, measures: str, actor) -> Rectification:
    rect = _locked(rectification)
    _require_handler(rect, actor)
    require_status(rect, Rectification.Status.VERIFIED)
    if not (measures or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写整改措施。"))
    _step(
        rect,
        actor,
        Rectification.Status.RECTIFIED,
        {"measures": measures.strip(), "rectified_at": timezone.now()},
        measures,
    )
    return rect


@transaction.atomic
def rectification_give_feedback(*, rectification: Rectification, note: str, actor) -> Rectification:
    """Report back to the citizen; the SMS carries the link to rate the handling."""
    rect = _locked(rectification)
    _require_handler(rect, actor)
    require_status(rect, Rectification.Status.RECTIFIED)
    if not (note or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写反馈内容。"))
    _step(
        rect,
        actor,
        Rectification.Status.FEEDBACK_GIVEN,
        {"feedback_note": note.strip(), "feedback_at": timezone.now()},
        note,
    )
    if rect.contact_phone:
        phone, code = rect.contact_phone, rect.followup_code
        text = _("【一窗】您对政务服务的评价已整改反馈，请对处理结果评价：%(u)s") % {
            "u": public_link(f"/m/rate/followup/{code}")
        }
        transaction.on_commit(lambda: sms_send(phone, text))
    return rect


@transaction.atomic
def rectification_close(*, rectification: Rectification, note: str = "", actor) -> Rectification:
    rect = _locked(rectification)
    if not can_close(actor, centre_id=rect.centre_id, department_id=rect.department_id):
        raise Forbidden("feedback.cannot_close", _("只有中心主任或责任部门负责人可以办结。"))
    require_status(rect, Rectification.Status.FEEDBACK_GIVEN)
    _step(rect, actor, Rectification.Status.CLOSED, {"closed_at": timezone.now()}, note)
    return rect


@transaction.atomic
def rectification_citizen_rate(
    *, followup_code: str, level: int, comment: str = "", user=None
) -> Rectification:
    """The citizen rates how the bad rating was handled; this closes it."""
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("feedback.staff_cannot_rate", _("工作人员不能代替群众评价。"))
    rect = (
        Rectification.objects.select_for_update()
        .filter(followup_code=(followup_code or "").strip()[:32])
        .first()
    )
    if rect is None:
        raise NotFound("feedback.unknown_code", _("评价码无效。"))
    if rect.citizen_level is not None:
        raise Conflict("feedback.already_rated", _("您已评价过整改结果。"))
    require_status(rect, Rectification.Status.FEEDBACK_GIVEN)
    if not isinstance(level, int) or not 1 <= level <= 5:
        raise Unprocessable("feedback.bad_level", _("评价等级须为 1 至 5。"))
    if len(comment or "") > MAX_COMMENT:
        raise Unprocessable("feedback.comment_too_long", _("评价内容过长。"))
    old = rect.status
    set_fields(
        rect,
        {
            "citizen_level": level,
            "citizen_comment": comment or "",
            "status": Rectification.Status.CLOSED,
            "closed_at": timezone.now(),
        },
    )
    event_record(
        "rectification.citizen_rated",
        rectification=rect,
        rating_id=rect.rating_id,
        old=old,
        new=rect.status,
        note=str(level),
    )
    return rect


# --- one dispatch for the page and the API -------------------------------------------


@dataclass(frozen=True, kw_only=True)
class RectificationInput:
    """What a staff member sends with a step: the note (call-back record,
    finding, measures, feedback), and for some steps a handler or verdict."""

    note: str = ""
    handler: str | None = None  # username, for "assign"
    verdict: str = ""  # for "verify"


RectificationStep = Callable[[Rectification, Any, RectificationInput], Rectification]

RECTIFICATION_STEPS: dict[str, RectificationStep] = {
    "assign": lambda rect, actor, given: rectification_assign(
        rectification=rect, handler=handler_named(given.handler), actor=actor, note=given.note
    ),
    "call_back": lambda rect, actor, given: rectification_call_back(
        rectification=rect, note=given.note, actor=actor
    ),
    "verify": lambda rect, actor, given: rectification_verify(
        rectification=rect, verdict=given.verdict, finding=given.note, actor=actor
    ),
    "rectify": lambda rect, actor, given: rectification_rectify(
        rectification=rect, measures=given.note, actor=actor
    ),
    "feedback": lambda rect, actor, given: rectification_give_feedback(
        rectification=rect, note=given.note, actor=actor
    ),
    "close": lambda rect, actor, given: rectification_close(
        rectification=rect, note=given.note, actor=actor
    ),
}


def rectification_act(
    *,
    rectification: Rectification,
    action: str,
    actor,
    note: str = "",
    handler: str | None = None,
    verdict: str | None = None,
) -> Rectification:
    """Run the step named ``action`` (a key of ``RECTIFICATION_STEPS``);
    422 ``feedback.bad_action`` for any other name."""
    step = RECTIFICATION_STEPS.get(action)
    if step is None:
        raise unknown_step(action)
    # no ID number typed into a note is kept in clear (docs/domain.md, "Identifiers")
    note = redact_id_numbers(note or "")
    given = RectificationInput(note=note, handler=handler, verdict=verdict or "")
    return step(rectification, actor, given)
