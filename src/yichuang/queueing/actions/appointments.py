"""Appointments: booking a slot, cancelling, checking in at the kiosk, and
the no-shows the worker marks.

A citizen booking without signing in first asks for a code by SMS
(``appointment_code_send``) and books with it (``appointment_code_check``, then
``appointment_book`` with ``open_limit``). Nothing is held before the code is
confirmed: a slot's places count only booked appointments, so codes asked for
and never used take no place (they simply stop working after
``APPOINTMENT_CODE_MINUTES`` to twice that). The code is not stored: it is a
keyed hash of the phone, the slot and the time step, so a flood of requests
writes no rows, only the throttle counters (docs/security.md). Staff booking
for a citizen (a staff token) need no code.
"""

from __future__ import annotations

import datetime as dt
import hmac

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.crypto import keyed_hash
from yichuang.lib.errors import Conflict, NotFound, TooManyRequests, Unprocessable
from yichuang.lib.sms import sms_send
from yichuang.lib.throttle import DAY, HOUR, Rule, rule_full, rule_hit
from yichuang.org.models import Centre, Device
from yichuang.org.opening import regular_opening

from ..models import Appointment, AppointmentSlot, Channel, Ticket, new_short_code
from .common import PHONE_RE
from .issuing import ticket_issue

NO_SHOW_BAN_COUNT = 3
NO_SHOW_BAN_DAYS = 90


def phone_banned(phone_hash: str, now: dt.datetime) -> bool:
    """Three appointment no-shows within 90 days stop online booking (a setting)."""
    since = timezone.localdate(now) - dt.timedelta(days=NO_SHOW_BAN_DAYS)
    return (
        Appointment.objects.filter(
            phone_hash=phone_hash, status=Appointment.Status.NO_SHOW, slot__day__gte=since
        ).count()
        >= NO_SHOW_BAN_COUNT
    )


def _clean_phone(phone: str) -> str:
    phone = "".join((phone or "").split())
    if not PHONE_RE.match(phone):
        raise Unprocessable("queueing.bad_phone", _("手机号应为 11 位数字。"))
    return phone


def _bookable(slot: AppointmentSlot, phone_hash: str, now: dt.datetime, open_limit: int | None):
    """Refuse a slot that is over, on a day the centre is closed (a closure or
    holiday set after the slot was made), a banned phone, or a phone already
    holding ``open_limit`` open appointments."""
    tz = timezone.get_current_timezone()
    if dt.datetime.combine(slot.day, slot.end, tzinfo=tz) <= now:
        raise Unprocessable("queueing.slot_past", _("该时段已过，请选择其他时段。"))
    if not regular_opening(slot.queue.centre, slot.day).open:
        raise Unprocessable(
            "queueing.centre_closed", _("服务中心该日不办公，请选择其他日期。"), day=slot.day
        )
    if phone_banned(phone_hash, now):
        raise Conflict(
            "queueing.booking_banned",
            _("您近 %(d)d 天内预约未到 %(n)d 次，暂不能网上预约，请现场取号。")
            % {"d": NO_SHOW_BAN_DAYS, "n": NO_SHOW_BAN_COUNT},
        )
    if open_limit is not None:
        held = Appointment.objects.filter(
            phone_hash=phone_hash,
            status=Appointment.Status.BOOKED,
            slot__day__gte=timezone.localdate(now),
        ).count()
        if held >= open_limit:
            raise Conflict(
                "queueing.too_many_open",
                _("该手机号已有 %(n)d 个未办理的预约，请办理或取消后再约。") % {"n": held},
                limit=open_limit,
            )


def _code_for(phone: str, slot_id: int, step: int) -> str:
    digest = keyed_hash(f"{phone}|{slot_id}|{step}", "appointment-code")
    return f"{int(digest[:12], 16) % 10**6:06d}"


def _code_step(now: dt.datetime) -> int:
    return int(now.timestamp()) // (settings.APPOINTMENT_CODE_MINUTES * 60)


def _too_many_codes() -> TooManyRequests:
    return TooManyRequests("queueing.too_many_codes", _("验证码发送过于频繁，请稍后再试。"))


def appointment_code_send(
    *, slot, phone: str, source_ip: str | None = None, now: dt.datetime | None = None
) -> str:
    """Send the code that confirms an anonymous booking of ``slot`` to
    ``phone``; returns the phone it went to.

    Refuses what booking would refuse (a past or full slot, a banned phone, a
    phone at ``APPOINTMENTS_OPEN_PER_PHONE``) before any SMS, then counts the
    code per client address (``APPOINTMENT_CODES_PER_ADDRESS_HOUR``) and per
    phone (``APPOINTMENT_CODES_PER_PHONE_DAY``): 429 ``queueing.too_many_codes``
    past either, with no SMS sent."""
    now = now or timezone.now()
    phone = _clean_phone(phone)
    slot = AppointmentSlot.objects.select_related("queue").get(pk=slot.pk)
    _bookable(slot, keyed_hash(phone, "phone"), now, settings.APPOINTMENTS_OPEN_PER_PHONE)
    if slot.booked >= slot.capacity:
        raise Conflict("queueing.slot_full", _("该时段已约满，请选择其他时段。"))
    per_address = Rule("appt-code-ip", settings.APPOINTMENT_CODES_PER_ADDRESS_HOUR, HOUR)
    per_phone = Rule("appt-code-phone", settings.APPOINTMENT_CODES_PER_PHONE_DAY, DAY)
    if not rule_hit(per_address, source_ip or "-", now) or not rule_hit(per_phone, phone, now):
        raise _too_many_codes()
    code = _code_for(phone, slot.pk, _code_step(now))
    text = _("【一窗】您正在预约 %(q)s %(d)s %(t)s，验证码 %(c)s，%(m)d 分钟内有效。") % {
        "q": slot.queue.name,
        "d": slot.day.isoformat(),
        "t": slot.start.strftime("%H:%M"),
        "c": code,
        "m": settings.APPOINTMENT_CODE_MINUTES,
    }
    sms_send(phone, text)
    return phone


def appointment_code_check(
    *, slot, phone: str, code: str, source_ip: str | None = None, now: dt.datetime | None = None
) -> None:
    """Check the SMS code of an anonymous booking (this step's or the last
    one's). Wrong codes count per phone (5 per code period) and per address (20
    an hour); past either, 429 ``queueing.code_locked`` before any check."""
    now = now or timezone.now()
    phone = _clean_phone(phone)
    minutes = settings.APPOINTMENT_CODE_MINUTES
    per_phone = Rule("appt-fail-phone", 5, minutes * 60)
    per_address = Rule("appt-fail-ip", 20, HOUR)
    if rule_full(per_phone, phone, now) or rule_full(per_address, source_ip or "-", now):
        raise TooManyRequests("queueing.code_locked", _("验证码错误次数过多，请稍后重新获取。"))
    given = "".join((code or "").split())
    if not given:
        raise Unprocessable("queueing.code_required", _("请输入短信验证码。"))
    step = _code_step(now)
    if any(hmac.compare_digest(given, _code_for(phone, slot.pk, s)) for s in (step, step - 1)):
        return
    rule_hit(per_phone, phone, now)
    rule_hit(per_address, source_ip or "-", now)
    raise Unprocessable("queueing.code_invalid", _("验证码不正确或已过期。"))


@transaction.atomic
def appointment_book(
    *, slot, phone: str, now: dt.datetime | None = None, open_limit: int | None = None
) -> Appointment:
    """Book ``slot`` for ``phone`` and send the appointment code by SMS.
    ``open_limit`` (anonymous bookings: ``APPOINTMENTS_OPEN_PER_PHONE``) refuses a
    phone already holding that many open appointments (409
    ``queueing.too_many_open``)."""
    now = now or timezone.now()
    phone = _clean_phone(phone)
    slot = AppointmentSlot.objects.select_for_update().select_related("queue").get(pk=slot.pk)
    phone_hash = keyed_hash(phone, "phone")
    _bookable(slot, phone_hash, now, open_limit)
    if Appointment.objects.filter(
        phone_hash=phone_hash,
        slot__queue=slot.queue,
        slot__day=slot.day,
        status=Appointment.Status.BOOKED,
    ).exists():
        raise Conflict("queueing.already_booked", _("您当天已预约该业务。"))
    if slot.booked >= slot.capacity:
        raise Conflict("queueing.slot_full", _("该时段已约满，请选择其他时段。"))
    slot.booked += 1
    slot.save(update_fields=["booked", "updated_at"])
    code = new_short_code()
    while Appointment.objects.filter(code=code).exists():  # 8 digits: collisions happen
        code = new_short_code()
    appt = Appointment.objects.create(slot=slot, code=code, phone=phone, phone_hash=phone_hash)
    text = _("【一窗】您已预约 %(q)s %(d)s %(t)s，预约码 %(c)s，请按时到大厅取号机签到。") % {
        "q": slot.queue.name,
        "d": slot.day.isoformat(),
        "t": slot.start.strftime("%H:%M"),
        "c": appt.code,
    }
    transaction.on_commit(lambda: sms_send(phone, text))
    return appt


@transaction.atomic
def appointment_cancel(*, code: str, phone: str) -> Appointment:
    appt = (
        Appointment.objects.select_for_update()
        .select_related("slot")
        .filter(code=code, phone_hash=keyed_hash("".join(phone.split()), "phone"))
        .first()
    )
    if appt is None:
        raise NotFound("queueing.appointment_not_found", _("没有找到该预约。"))
    if appt.status != Appointment.Status.BOOKED:
        raise Conflict("queueing.appointment_used", _("该预约已签到、取消或过期。"))
    appt.status = Appointment.Status.CANCELLED
    appt.save(update_fields=["status", "updated_at"])
    slot = type(appt.slot).objects.select_for_update().get(pk=appt.slot_id)
    slot.booked = max(0, slot.booked - 1)
    slot.save(update_fields=["booked", "updated_at"])
    return appt


@transaction.atomic
def appointment_check_in(
    *,
    centre: Centre,
    code: str,
    device: Device | None = None,
    actor=None,
    now: dt.datetime | None = None,
) -> Ticket:
    """The kiosk turns an appointment code into a ticket; inside its time window
    (from 15 minutes before the slot to its end) it is called first."""
    now = now or timezone.now()
    appt = (
        Appointment.objects.select_for_update()
        .select_related("slot__queue")
        .filter(code=(code or "").strip(), slot__queue__centre=centre)
        .first()
    )
    if appt is None:
        raise NotFound("queueing.appointment_not_found", _("没有找到该预约码，请核对后重试。"))
    if appt.status != Appointment.Status.BOOKED:
        raise Conflict("queueing.appointment_used", _("该预约已签到、取消或过期。"))
    if appt.slot.day != timezone.localdate(now):
        raise Unprocessable(
            "queueing.appointment_wrong_day",
            _("预约日期是 %(d)s，不是今天。") % {"d": appt.slot.day.isoformat()},
        )
    ticket = ticket_issue(
        centre=centre,
        queue_code=appt.slot.queue.code,
        channel=Channel.APPOINTMENT,
        phone=appt.phone,
        actor=actor,
        device=device,
        appointment=appt,
        now=now,
    )
    appt.status = Appointment.Status.CHECKED_IN
    appt.checked_in_at = now
    appt.save(update_fields=["status", "checked_in_at", "updated_at"])
    return ticket


@transaction.atomic
def appointment_mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Bookings whose slot ended without a check-in become no-shows (worker)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    local = timezone.localtime(now).time()
    stale = Appointment.objects.filter(status=Appointment.Status.BOOKED).filter(
        Q(slot__day__lt=today) | Q(slot__day=today, slot__end__lt=local)
    )
    return stale.update(status=Appointment.Status.NO_SHOW, updated_at=now)
