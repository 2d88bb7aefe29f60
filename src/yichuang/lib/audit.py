"""The append-only audit log (docs/domain.md, "Security"): who did what to which object, from
where, and whether it worked.

Entries are written with :func:`audit_record`. They can't be changed: the model
refuses ``save`` on an existing row and ``delete``; the QuerySet refuses bulk
``update`` and ``delete``; and a database trigger (migration 0002) refuses UPDATE
outright and DELETE of rows younger than the retention period.
"""

from __future__ import annotations

from typing import Any

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


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[0].strip() or None
    return request.META.get("REMOTE_ADDR") or None


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
