"""Abuse limits of the anonymous endpoints and of sign-in (docs/security.md).

A rule counts events of one kind per identity (a client address, a phone, an
ID number's hash, a username) in fixed windows of ``seconds``. The counters
live in the database (``feedback.Throttle``, one upsert per hit), so every app
process shares them. The identity is stored only as a keyed hash: no address,
phone or ID number is written in clear.

A row's ``bucket`` is the END of its window, so the worker's purge
(``feedback.throttle_purge``, rows whose bucket ended two hours ago) keeps a
day-long window for the whole day.

Hits are written in autocommit, outside the caller's action: a refusal that
raises afterwards must not roll the count back. Call ``rule_hit`` before the
action's own transaction opens.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from yichuang.lib.crypto import keyed_hash

MINUTE = 60
HOUR = 3600
DAY = 24 * 3600


@dataclass(frozen=True)
class Rule:
    """At most ``limit`` events of ``scope`` per identity and ``seconds``."""

    scope: str
    limit: int
    seconds: int


def throttle_key(scope: str, ident: str) -> str:
    return f"{scope}:{keyed_hash(ident or '-', 'throttle')[:48]}"


def window_end(seconds: int, now: dt.datetime | None = None) -> dt.datetime:
    """The end of the ``seconds``-long window holding ``now`` (aligned on the
    epoch, in UTC)."""
    stamp = int((now or timezone.now()).timestamp())
    return dt.datetime.fromtimestamp(stamp - stamp % seconds + seconds, tz=dt.UTC)


def throttle_add(key: str, bucket: dt.datetime) -> int:
    """One more hit of ``key`` in ``bucket``; the new count (one statement, so
    two processes never lose a hit)."""
    from yichuang.feedback.sql import throttle_hit

    return throttle_hit(key, bucket)


def throttle_read(key: str, bucket: dt.datetime) -> int:
    from yichuang.feedback.models import Throttle

    hits = Throttle.objects.filter(key=key, bucket=bucket).values_list("hits", flat=True).first()
    return int(hits or 0)


def rule_hit(rule: Rule, ident: str, now: dt.datetime | None = None) -> bool:
    """Count one event of ``ident``; True while the count is within the limit."""
    key = throttle_key(rule.scope, ident)
    return throttle_add(key, window_end(rule.seconds, now)) <= rule.limit


def rule_count(rule: Rule, ident: str, now: dt.datetime | None = None) -> int:
    return throttle_read(throttle_key(rule.scope, ident), window_end(rule.seconds, now))


def rule_full(rule: Rule, ident: str, now: dt.datetime | None = None) -> bool:
    """Whether ``ident`` has used up its budget (reads, counts nothing)."""
    return rule_count(rule, ident, now) >= rule.limit
