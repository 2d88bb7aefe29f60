"""Limits of complaints filed without signing in (the citizen page, the API's
anonymous create, Open311 POSTs; docs/security.md): per client address and
hour, and per phone and day (settings ``COMPLAINTS_PER_ADDRESS_HOUR``,
``COMPLAINTS_PER_PHONE_DAY``). Each counts before the complaint is written,
in its own autocommit, so a refused filing leaves no complaint and no
deadline behind. Staff entering a complaint at the desk are not limited."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from yichuang.lib.errors import TooManyRequests
from yichuang.lib.throttle import DAY, HOUR, Rule, rule_hit


def _too_many(per: str) -> TooManyRequests:
    return TooManyRequests(
        "feedback.too_many_complaints",
        _("提交过于频繁，请稍后再试；如情况紧急，请拨打 12345 热线。"),
        limit=per,
    )


def complaint_anonymous_allow(*, source_ip: str | None, phone: str = "") -> None:
    """Count one anonymous filing from ``source_ip`` (and ``phone`` if given);
    429 ``feedback.too_many_complaints`` past either limit."""
    by_address = Rule("complaint-ip", settings.COMPLAINTS_PER_ADDRESS_HOUR, HOUR)
    if not rule_hit(by_address, source_ip or "unknown"):
        raise _too_many("address")
    _phone_allow(phone)


def complaint_client_allow(*, client_id: int, phone: str = "") -> None:
    """Count one filing relayed by a registered Open311 client (a 12345 hotline
    bridge posts every caller's request from one server): the client has its
    own hourly budget (``OPEN311_REQUESTS_PER_CLIENT_HOUR``) instead of the
    per-address one; the per-phone limit still applies."""
    by_client = Rule("complaint-client", settings.OPEN311_REQUESTS_PER_CLIENT_HOUR, HOUR)
    if not rule_hit(by_client, str(client_id)):
        raise _too_many("client")
    _phone_allow(phone)


def _phone_allow(phone: str) -> None:
    digits = "".join(ch for ch in phone or "" if ch.isdigit())
    if digits:
        by_phone = Rule("complaint-phone", settings.COMPLAINTS_PER_PHONE_DAY, DAY)
        if not rule_hit(by_phone, digits):
            raise _too_many("phone")
