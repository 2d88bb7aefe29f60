"""Rate limits of the rating endpoints, counted in the database (every app
process sees the same count) per client address or pad and time bucket."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import TooManyRequests
from yichuang.org.models import Device

from ..models import Throttle

# Attempts per minute, and failed look-ups (unknown or used codes) per hour:
# a code is 72 random bits, so 20 guesses an hour make guessing hopeless.
ATTEMPTS_PER_MINUTE = 30
FAILURES_PER_HOUR = 20


def bucket(now: dt.datetime, seconds: int) -> dt.datetime:
    """The start of the ``seconds``-long bucket holding ``now``."""
    epoch = int(now.timestamp())
    return dt.datetime.fromtimestamp(epoch - epoch % seconds, tz=dt.UTC)


def client_key(device: Device | None, source_ip: str | None) -> str:
    if device is not None:
        return f"rate:dev:{device.pk}"
    return f"rate:ip:{source_ip or 'unknown'}"


def too_many() -> TooManyRequests:
    return TooManyRequests(
        "feedback.too_many_attempts", _("评价尝试过于频繁，请稍后再试。"), retry_after=60
    )


def throttle_purge(*, older_than: dt.timedelta = dt.timedelta(hours=2)) -> int:
    cutoff = timezone.now() - older_than
    deleted, _rows = Throttle.objects.filter(bucket__lt=cutoff).delete()
    return deleted
