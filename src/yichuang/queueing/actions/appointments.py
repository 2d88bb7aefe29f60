"""Appointments: booking a slot, cancelling, checking in at the kiosk, and
the no-shows the worker marks."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.crypto import keyed_hash
from yichuang.lib.errors import Conflict, NotFound, Unprocessable
from yichuang.lib.sms import sms_send
from yichuang.org.models import Centre, Device

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


@transaction.atomic
def appointment_book(*, slot, phone: str, now: dt.datetime | None = None) -> Appointment:
    now = now or timezone.now()
    phone = "".join((phone or "").split())
    if not PHONE_RE.match(phone):
        raise Unprocessable("queueing.bad_phone", _("手机号应为 11 位数字。"))
    slot = AppointmentSlot.objects.select_for_update().select_related("queue").get(pk=slot.pk)
    tz = timezone.get_current_timezone()
    if dt.datetime.combine(slot.day, slot.end, tzinfo=tz) <= now:
        raise Unprocessable("queueing.slot_past", _("该时段已过，请选择其他时段。"))
    phone_hash = keyed_hash(phone, "phone")
    if phone_banned(phone_hash, now):
        raise Conflict(
            "queueing.booking_banned",
            _("您近 %(d)d 天内预约未到 %(n)d 次，暂不能网上预约，请现场取号。")
            % {"d": NO_SHOW_BAN_DAYS, "n": NO_SHOW_BAN_COUNT},
        )
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
