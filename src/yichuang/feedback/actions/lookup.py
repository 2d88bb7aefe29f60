"""The citizen's look-up by phone (/m/lookup): an SMS code proves the phone,
then the page lists that phone's appointments, complaints and cases.

The code is derived, not stored (a keyed hash of the phone and the time step,
like the booking code). Sending counts against the booking code's budgets per
address and per phone, and wrong codes against its failure budgets, so the
two pages share one limit: a phone can't be flooded with codes nor a code
guessed by switching pages. A code is sent whether or not the phone is on
record, and the answer is the same."""

from __future__ import annotations

import datetime as dt
import hmac
import re
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.crypto import keyed_hash
from yichuang.lib.errors import TooManyRequests, Unprocessable
from yichuang.lib.sms import sms_send
from yichuang.lib.throttle import DAY, HOUR, Rule, rule_full, rule_hit

PHONE = re.compile(r"^1\d{10}$")
SHOWN = 20  # rows of each kind listed


def _clean(phone: str) -> str:
    phone = "".join((phone or "").split())
    if not PHONE.match(phone):
        raise Unprocessable("feedback.bad_phone", _("手机号应为 11 位数字。"))
    return phone


def _step(now: dt.datetime) -> int:
    return int(now.timestamp()) // (settings.APPOINTMENT_CODE_MINUTES * 60)


def _code(phone: str, step: int) -> str:
    digest = keyed_hash(f"{phone}|lookup|{step}", "lookup-code")
    return f"{int(digest[:12], 16) % 10**6:06d}"


def lookup_code_send(*, phone: str, source_ip: str | None, now: dt.datetime | None = None) -> str:
    """Send the look-up code to ``phone``; 429 ``feedback.too_many_codes``
    past the booking code's per-address or per-phone budget (no SMS then)."""
    now = now or timezone.now()
    phone = _clean(phone)
    per_address = Rule("appt-code-ip", settings.APPOINTMENT_CODES_PER_ADDRESS_HOUR, HOUR)
    per_phone = Rule("appt-code-phone", settings.APPOINTMENT_CODES_PER_PHONE_DAY, DAY)
    if not rule_hit(per_address, source_ip or "-", now) or not rule_hit(per_phone, phone, now):
        raise TooManyRequests("feedback.too_many_codes", _("验证码发送过于频繁，请稍后再试。"))
    text = _("【一窗】您正在查询本手机号的预约、投诉和办件，验证码 %(c)s，%(m)d 分钟内有效。") % {
        "c": _code(phone, _step(now)),
        "m": settings.APPOINTMENT_CODE_MINUTES,
    }
    sms_send(phone, text)
    return phone


def lookup_code_check(
    *, phone: str, code: str, source_ip: str | None, now: dt.datetime | None = None
) -> str:
    """Check the look-up code (this period's or the last one's); the phone's
    keyed hash when right. Wrong codes count per phone and per address on the
    booking code's failure budgets; past either, 429 ``feedback.code_locked``."""
    now = now or timezone.now()
    phone = _clean(phone)
    per_phone = Rule("appt-fail-phone", 5, settings.APPOINTMENT_CODE_MINUTES * 60)
    per_address = Rule("appt-fail-ip", 20, HOUR)
    if rule_full(per_phone, phone, now) or rule_full(per_address, source_ip or "-", now):
        raise TooManyRequests("feedback.code_locked", _("验证码错误次数过多，请稍后重新获取。"))
    given = "".join((code or "").split())
    step = _step(now)
    if given and any(hmac.compare_digest(given, _code(phone, s)) for s in (step, step - 1)):
        return keyed_hash(phone, "phone")
    rule_hit(per_phone, phone, now)
    rule_hit(per_address, source_ip or "-", now)
    raise Unprocessable("feedback.code_invalid", _("验证码不正确或已过期。"))


def records_of_phone(phone_hash: str) -> dict[str, list[Any]]:
    """The phone's appointments, complaints and cases, newest first."""
    from yichuang.cases.models import Case
    from yichuang.queueing.models import Appointment

    from ..models import Complaint

    return {
        "appointments": list(
            Appointment.objects.filter(phone_hash=phone_hash)
            .select_related("slot__queue__centre")
            .order_by("-slot__day", "-slot__start")[:SHOWN]
        ),
        "complaints": list(
            Complaint.objects.filter(phone_hash=phone_hash).order_by("-received_at")[:SHOWN]
        ),
        "cases": list(
            Case.objects.filter(person__phone_hash=phone_hash, parent__isnull=True)
            .select_related("centre")
            .order_by("-created_at")[:SHOWN]
        ),
    }
