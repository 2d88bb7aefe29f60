"""A small fixed-window rate limit for the public progress lookups, kept in the
database (no process memory: several app processes share it)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import client_ip
from yichuang.lib.errors import TooManyRequests

from .models import RateBucket

PER_MINUTE = 30


def rate_limit(request, scope: str, per_minute: int = PER_MINUTE) -> None:
    ip = client_ip(request) or "unknown"
    key = f"{scope}:" + hashlib.sha256(ip.encode()).hexdigest()[:32]
    window = timezone.now().replace(second=0, microsecond=0)
    updated = RateBucket.objects.filter(key=key, window=window).update(count=F("count") + 1)
    if not updated:
        try:
            with transaction.atomic():
                RateBucket.objects.create(key=key, window=window, count=1)
        except IntegrityError:
            RateBucket.objects.filter(key=key, window=window).update(count=F("count") + 1)
    count = RateBucket.objects.filter(key=key, window=window).values_list("count", flat=True)[0]
    if count > per_minute:
        raise TooManyRequests("cases.rate_limited", _("查询过于频繁，请一分钟后再试。"))


def purge_old(minutes: int = 10) -> int:
    cutoff = timezone.now() - dt.timedelta(minutes=minutes)
    return RateBucket.objects.filter(window__lt=cutoff).delete()[0]
