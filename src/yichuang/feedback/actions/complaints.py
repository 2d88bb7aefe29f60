"""Complaints, suggestions, consultations, praise and "办不成事" requests from
every channel: receive → assign → (explain, mark complex) → reply → the
citizen rates the reply (satisfied closes, not satisfied reopens) or a
reviewer closes. ``COMPLAINT_STEPS`` is the one table of the staff steps; the
page and the API both go through ``complaint_act``."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.config import setting_get
from yichuang.lib.crypto import keyed_hash, redact_id_numbers
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.lib.sms import public_link, sms_send
from yichuang.org.models import Centre, Department, Staff, Window
from yichuang.org.scopes import staff_of

from ..events import event_record
from ..models import Complaint, ComplaintCategory, ComplaintCounter, Open311Client
from ..permissions import can_assign, check_handler, is_reviewer
from .common import MAX_COMMENT, handler_named, require_status, set_fields, unknown_step
from .deadlines import complaint_deadlines, due


def _next_reference(now: dt.datetime) -> str:
    """The next reference of the year (TS2026000001), the counter locked."""
    year = timezone.localtime(now).year
    counter, _created = ComplaintCounter.objects.select_for_update().get_or_create(year=year)
    ComplaintCounter.objects.filter(pk=counter.pk).update(last_seq=F("last_seq") + 1)
    counter.refresh_from_db(fields=["last_seq"])
    return f"TS{year}{counter.last_seq:06d}"


def _clean_phone(phone: str) -> str:
    phone = "".join((phone or "").split()).replace("-", "")
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise Unprocessable("feedback.bad_phone", _("联系电话格式不正确。"))
    return phone


@transaction.atomic
def complaint_submit(
    *,
    kind: str,
    channel: str,
    description: str,
    title: str = "",
    category: ComplaintCategory | None = None,
    centre: Centre | None = None,
    window: Window | None = None,
    clerk: Staff | None = None,
    department: Department | None = None,
    name: str = "",
    phone: str = "",
    email: str = "",
    address_string: str = "",
    lat: Decimal | None = None,
    long: Decimal | None = None,
    media_url: str = "",
    attributes: dict[str, Any] | None = None,
    external_ref: str = "",
    source_client: Open311Client | None = None,
    received_at: dt.datetime | None = None,
    actor=None,
) -> Complaint:
    """A complaint, suggestion, consultation, praise or "办不成事" from any channel.

    ``received_at`` is only taken from a 12345 work order (the hotline's own
    receipt time, which starts the clock); every other channel uses the server's.
    """
    if kind not in Complaint.Kind.values:
        raise Unprocessable("feedback.bad_kind", _("诉求类型不正确。"))
    if channel not in Complaint.Channel.values:
        raise Unprocessable("feedback.bad_channel", _("诉求渠道不正确。"))
    if channel in (Complaint.Channel.DESK, Complaint.Channel.PHONE) and not (
        actor is not None and staff_of(actor) is not None
    ):
        raise Forbidden("feedback.staff_only", _("电话与意见台诉求须由工作人员录入。"))
    # typed by the citizen or read out on the phone: no ID number kept in clear
    description = redact_id_numbers((description or "").strip())
    if not description:
        raise Unprocessable("feedback.description_required", _("请填写诉求内容。"))
    if len(description) > MAX_COMMENT:
        raise Unprocessable("feedback.comment_too_long", _("诉求内容不能超过 10000 字。"))
    now = timezone.now()
    if received_at is not None and channel != Complaint.Channel.HOTLINE:
        received_at = None
    if received_at is not None and received_at > now:
        raise Unprocessable("feedback.bad_date", _("收到时间不能晚于现在。"))
    received_at = received_at or now
    if window is not None:
        centre = centre or window.centre
        department = department or window.department
    if clerk is not None:
        department = department or clerk.department
        centre = centre or clerk.centre
    if category is not None and department is None:
        department = category.department
    deadlines = complaint_deadlines(kind, timezone.localdate(received_at))
    complaint = Complaint(
        reference=_next_reference(now),
        kind=kind,
        channel=channel,
        category=category,
        title=redact_id_numbers((title or "").strip())[:120],
        description=description,
        attributes=attributes or {},
        name=(name or "").strip()[:50],
        phone=_clean_phone(phone),
        email=(email or "").strip()[:120],
        address_string=(address_string or "")[:200],
        lat=lat,
        long=long,
        media_url=(media_url or "")[:500],
        external_ref=(external_ref or "").strip()[:40],
        source_client=source_client,
        centre=centre,
        department=department,
        window=window,
        clerk=clerk,
        received_at=received_at,
        **deadlines,
    )
    complaint.phone_hash = keyed_hash(complaint.phone, "phone") if complaint.phone else ""
    try:
        with transaction.atomic():
            complaint.save(force_insert=True)
    except IntegrityError:
        raise Conflict(
            "feedback.duplicate_work_order",
            _("该工单已导入：%(r)s") % {"r": external_ref},
            external_ref=external_ref,
        ) from None
    event_record(
        "complaint.received",
        complaint=complaint,
        actor=actor,
        new=complaint.status,
        note=complaint.get_channel_display(),
    )
    return complaint


def _locked(c: Complaint) -> Complaint:
    return Complaint.objects.select_for_update().get(pk=c.pk)


def _step(c: Complaint, actor, new: str, fields: dict[str, Any], note: str, type: str) -> None:
    old = c.status
    set_fields(c, {"status": new, **fields})
    event_record(type, complaint=c, actor=actor, old=old, new=new, note=note)


def _require_handler(c: Complaint, actor) -> None:
    if c.handler_id != actor.pk and not is_reviewer(actor):
        raise Forbidden("feedback.not_handler", _("只有承办人可以办理该诉求。"))


@transaction.atomic
def complaint_assign(
    *,
    complaint: Complaint,
    handler,
    actor,
    department: Department | None = None,
    window: Window | None = None,
    clerk: Staff | None = None,
    note: str = "",
) -> Complaint:
    """Route to the unit, window or clerk concerned and name a handler:
    active staff inside the complaint's centre and department as routed
    (``permissions.check_handler``), never the clerk complained about."""
    c = _locked(complaint)
    if not can_assign(actor, centre_id=c.centre_id, department_id=c.department_id):
        raise Forbidden("feedback.cannot_assign", _("只有中心主任或责任部门负责人可以分派。"))
    require_status(c, Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED)
    fields: dict[str, Any] = {"handler": handler}
    if window is not None:
        fields.update(window=window, centre=window.centre, department=window.department)
    if clerk is not None:
        fields["clerk"] = clerk
    if department is not None:
        fields["department"] = department
    centre_id, department_id = c.centre_id, c.department_id
    if "centre" in fields:
        centre_id = fields["centre"].pk
    if "department" in fields:
        department_id = fields["department"].pk if fields["department"] else None
    routed = (centre_id, department_id) != (c.centre_id, c.department_id)
    if routed and not can_assign(actor, centre_id=centre_id, department_id=department_id):
        raise Forbidden("feedback.cannot_assign", _("只有中心主任或责任部门负责人可以分派。"))
    hstaff = check_handler(
        handler, centre_id=centre_id, department_id=department_id, assigner=actor
    )
    clerk_id = fields["clerk"].pk if "clerk" in fields else c.clerk_id
    if clerk_id is not None and hstaff.pk == clerk_id:
        raise Unprocessable(
            "feedback.handler_is_complained",
            _("不能由被投诉的工作人员承办针对本人的诉求。"),
        )
    _step(
        c,
        actor,
        Complaint.Status.ASSIGNED,
        fields,
        note or (handler.display_name or handler.username),
        "complaint.assigned",
    )
    return c


@transaction.atomic
def complaint_mark_complex(*, complaint: Complaint, note: str, actor) -> Complaint:
    """A "办不成事" request is complex: the limit becomes 10 working days."""
    c = _locked(complaint)
    if not is_reviewer(actor):
        raise Forbidden("feedback.not_reviewer", _("只有中心主任可以认定复杂事项。"))
    if c.kind != Complaint.Kind.UNSOLVED:
        raise Unprocessable("feedback.not_unsolved", _("只有“办不成事”可认定为复杂事项。"))
    require_status(c, *Complaint.AWAITING_REPLY)
    if c.is_complex:
        raise Conflict("feedback.already_complex", _("已认定为复杂事项。"))
    new_due = due(
        timezone.localdate(c.received_at), setting_get("complaint.unsolved_complex_workdays")
    )
    set_fields(c, {"is_complex": True, "due_date": new_due})
    event_record(
        "complaint.complex", complaint=c, actor=actor, old=c.status, new=c.status, note=note
    )
    return c


@transaction.atomic
def complaint_explain(*, complaint: Complaint, explanation: str, actor) -> Complaint:
    """ "办不成事": the reasons it cannot be done (or the plan), within 3 working days."""
    c = _locked(complaint)
    _require_handler(c, actor)
    require_status(c, *Complaint.AWAITING_REPLY)
    if not (explanation or "").strip():
        raise Unprocessable("feedback.note_required", _("请填写情况说明。"))
    set_fields(c, {"explanation": explanation.strip(), "explained_at": timezone.now()})
    event_record(
        "complaint.explained",
        complaint=c,
        actor=actor,
        old=c.status,
        new=c.status,
        note=explanation,
    )
    return c


MAX_VERDICT_NOTE = 300


def _verdict_fields(c: Complaint, verdict: str, verdict_note: str, actor) -> dict[str, Any]:
    """The 核实结论 a reply records: required for a 投诉 or 办不成事 (422
    ``feedback.verdict_required``, ``feedback.bad_verdict``), refused for the
    other kinds, which are not checked (422 ``feedback.verdict_not_applicable``)."""
    verdict = (verdict or "").strip()
    verdict_note = (verdict_note or "").strip()
    if not c.needs_verdict:
        if verdict or verdict_note:
            raise Unprocessable(
                "feedback.verdict_not_applicable",
                _("只有投诉和“办不成事”需要核实结论。"),
            )
        return {}
    if not verdict:
        raise Unprocessable(
            "feedback.verdict_required",
            _("请选择核实结论：属实、部分属实或不属实。"),
        )
    if verdict not in Complaint.Verdict.values:
        raise Unprocessable(
            "feedback.bad_verdict",
            _("核实结论须为属实、部分属实或不属实。"),
        )
    if len(verdict_note) > MAX_VERDICT_NOTE:
        raise Unprocessable("feedback.verdict_note_too_long", _("核实情况不能超过 300 字。"))
    return {
        "verdict": verdict,
        "verdict_note": verdict_note,
        "verdict_at": timezone.now(),
        "verdict_by": actor,
    }


@transaction.atomic
def complaint_reply(
    *, complaint: Complaint, reply: str, actor, verdict: str = "", verdict_note: str = ""
) -> Complaint:
    """The handler's reply. A 投诉 or 办不成事 carries the verdict of the
    check (核实结论: 属实, 部分属实, 不属实) and its note; a reply after the
    citizen reopened it gives the verdict again, which replaces the earlier.
    Only a substantiated or partly substantiated one reaches the ledger when
    it closes (supervision's ingestion)."""
    c = _locked(complaint)
    _require_handler(c, actor)
    require_status(c, *Complaint.AWAITING_REPLY)
    reply = (reply or "").strip()
    if not reply:
        raise Unprocessable("feedback.note_required", _("请填写答复内容。"))
    found = _verdict_fields(c, verdict, verdict_note, actor)
    _step(
        c,
        actor,
        Complaint.Status.REPLIED,
        {
            "reply": reply[:MAX_COMMENT],
            "replied_at": timezone.now(),
            "replied_by": actor,
            **found,
        },
        # the timeline keeps each verdict, also one replaced after a reopening
        f"【{Complaint.Verdict(found['verdict']).label}】{reply}" if found else reply,
        "complaint.replied",
    )
    if c.phone:
        phone, ref, code = c.phone, c.reference, c.track_code
        text = _("【一窗】您的诉求 %(r)s 已答复，请查看并评价：%(u)s") % {
            "r": ref,
            "u": public_link(f"/m/complaints/{code}"),
        }
        transaction.on_commit(lambda: sms_send(phone, text))
    return c


@transaction.atomic
def complaint_rate(
    *, track_code: str, satisfaction: str, comment: str = "", user=None
) -> Complaint:
    """The citizen's satisfaction with the reply: satisfied closes it; not
    satisfied reopens it with a fresh deadline."""
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("feedback.staff_cannot_rate", _("工作人员不能代替群众评价。"))
    c = (
        Complaint.objects.select_for_update()
        .filter(track_code=(track_code or "").strip()[:32])
        .first()
    )
    if c is None:
        raise NotFound("feedback.unknown_code", _("查询码无效。"))
    require_status(c, Complaint.Status.REPLIED)
    if satisfaction not in Complaint.Satisfaction.values:
        raise Unprocessable("feedback.bad_satisfaction", _("请选择满意、基本满意或不满意。"))
    if satisfaction == Complaint.Satisfaction.UNSATISFIED:
        deadlines = complaint_deadlines(c.kind, timezone.localdate(), c.is_complex)
        _step(
            c,
            None,
            Complaint.Status.ASSIGNED if c.handler_id else Complaint.Status.RECEIVED,
            {
                "satisfaction": satisfaction,
                "reopen_count": c.reopen_count + 1,
                "explained_at": None,
                **deadlines,
            },
            comment or _("群众不满意，重新办理"),
            "complaint.reopened",
        )
    else:
        _step(
            c,
            None,
            Complaint.Status.CLOSED,
            {"satisfaction": satisfaction, "closed_at": timezone.now()},
            comment,
            "complaint.closed",
        )
    return c


@transaction.atomic
def complaint_close(*, complaint: Complaint, note: str = "", actor) -> Complaint:
    """Close a replied complaint the citizen has not rated (or praise, at once)."""
    c = _locked(complaint)
    if not (is_reviewer(actor) or c.handler_id == actor.pk):
        raise Forbidden("feedback.cannot_close", _("只有承办人或中心主任可以办结。"))
    if c.kind == Complaint.Kind.PRAISE:
        require_status(c, Complaint.Status.RECEIVED, Complaint.Status.ASSIGNED)
    else:
        require_status(c, Complaint.Status.REPLIED)
    _step(
        c, actor, Complaint.Status.CLOSED, {"closed_at": timezone.now()}, note, "complaint.closed"
    )
    return c


def new_api_key() -> str:
    """A key for an Open311 partner system (stored only as its hash)."""
    return "o311_" + secrets.token_urlsafe(24)


# --- one dispatch for the page and the API -------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ComplaintInput:
    """What a staff member sends with a step: the note (reply, explanation,
    reason), for "assign" the handler's username, for "reply" the verdict
    (核实结论) and its note."""

    note: str = ""
    handler: str | None = None
    verdict: str = ""
    verdict_note: str = ""


ComplaintStep = Callable[[Complaint, Any, ComplaintInput], Complaint]

COMPLAINT_STEPS: dict[str, ComplaintStep] = {
    "assign": lambda c, actor, given: complaint_assign(
        complaint=c, handler=handler_named(given.handler), actor=actor, note=given.note
    ),
    "reply": lambda c, actor, given: complaint_reply(
        complaint=c,
        reply=given.note,
        actor=actor,
        verdict=given.verdict,
        verdict_note=given.verdict_note,
    ),
    "explain": lambda c, actor, given: complaint_explain(
        complaint=c, explanation=given.note, actor=actor
    ),
    "complex": lambda c, actor, given: complaint_mark_complex(
        complaint=c, note=given.note, actor=actor
    ),
    "close": lambda c, actor, given: complaint_close(complaint=c, note=given.note, actor=actor),
}


def complaint_act(
    *,
    complaint: Complaint,
    action: str,
    actor,
    note: str = "",
    handler: str | None = None,
    verdict: str | None = None,
    verdict_note: str | None = None,
) -> Complaint:
    """Run the step named ``action`` (a key of ``COMPLAINT_STEPS``); 422
    ``feedback.bad_action`` for any other name."""
    step = COMPLAINT_STEPS.get(action)
    if step is None:
        raise unknown_step(action)
    given = ComplaintInput(
        note=note or "",
        handler=handler,
        verdict=verdict or "",
        verdict_note=verdict_note or "",
    )
    return step(complaint, actor, given)
