"""The append-only audit log (docs/domain.md, "Security"): who did what to which object, from
where, and whether it worked.

Entries are written with :func:`audit_record`. They can't be changed: the model
refuses ``save`` on an existing row and ``delete``; the QuerySet refuses bulk
``update`` and ``delete``; and a database trigger (migration 0002) refuses UPDATE
outright and DELETE of rows younger than the retention period.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from yichuang.lib.append_only import AppendOnlyError, AppendOnlyModel, AppendOnlyQuerySet

__all__ = ["AppendOnlyError", "AuditEntry", "audit_purge", "audit_record", "client_ip"]


class AuditQuerySet(AppendOnlyQuerySet):
    def for_object(self, obj: models.Model) -> AuditQuerySet:
        return self.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


class AuditEntry(AppendOnlyModel):
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_name = models.CharField(max_length=150, blank=True)
    event = models.CharField(max_length=80, db_index=True)
    object_type = models.CharField(max_length=80, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    success = models.BooleanField(default=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        app_label = "lib"
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.event}"


def _parse_ip(value: str | None) -> str | None:
    """One address as a proxy or the socket reports it, or None if it isn't one.

    Accepts ``1.2.3.4``, ``1.2.3.4:port``, ``2001:db8::1``, ``[2001:db8::1]`` and
    ``[2001:db8::1]:port``; drops an IPv6 zone (``fe80::1%eth0``, which an
    ``inet`` column refuses) and unwraps an IPv4-mapped IPv6 address, so one
    client always has one key. Anything else (garbage, a name, a control
    character) is None: it must never reach a write.
    """
    if not value:
        return None
    text = value.strip().strip('"')
    if not text or len(text) > 64:
        return None
    if text.startswith("["):
        host, bracket, rest = text[1:].partition("]")
        if not bracket or (rest and not (rest[0] == ":" and rest[1:].isdigit())):
            return None
        text = host
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
        if not port.isdigit():
            return None
        text = host
    text = text.partition("%")[0]
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return str(ip)


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address, for the audit log and the per-address limits.

    With ``TRUSTED_PROXIES = 0`` (the default) it is the socket's address and
    ``X-Forwarded-For`` is ignored: any client can write that header. With N
    proxies in front (nginx alone: 1) it is the N-th address from the right of
    ``X-Forwarded-For``, the one the outermost trusted proxy saw; the addresses
    to its left are the client's own claims. When the header is missing,
    shorter than N or holds no valid address there, it is the socket's
    address. An invalid address is never returned (None if the socket's isn't
    valid either).
    """
    if request is None:
        return None
    remote = _parse_ip(request.META.get("REMOTE_ADDR"))
    proxies = settings.TRUSTED_PROXIES
    if proxies <= 0:
        return remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR") or ""
    hops = forwarded.split(",")
    if not forwarded.strip() or len(hops) < proxies:
        return remote
    return _parse_ip(hops[-proxies]) or remote


def audit_record(
    event: str,
    *,
    actor: Any = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    success: bool = True,
    request: HttpRequest | None = None,
    source_ip: str | None = None,
    **detail: Any,
) -> AuditEntry:
    """Write one audit entry. ``actor`` is a user (or None for the system)."""
    user = getattr(request, "user", None) if request is not None else None
    if actor is None and user is not None and user.is_authenticated:
        actor = user
    if obj is not None:
        object_type = obj._meta.label_lower
        object_id = obj.pk
    return AuditEntry.objects.create(
        actor_id=getattr(actor, "pk", None),
        actor_name=getattr(actor, "username", "") or "",
        event=event,
        object_type=object_type,
        object_id=str(object_id) if object_id != "" else "",
        success=success,
        source_ip=source_ip or client_ip(request),
        detail=detail,
    )


def audit_purge(*, older_than_days: int) -> int:
    """Delete entries older than the retention period (the trigger refuses younger)."""
    from datetime import timedelta

    from django.utils import timezone

    cutoff = timezone.now() - timedelta(days=older_than_days)
    return AuditEntry.objects.filter(at__lt=cutoff).purge()
