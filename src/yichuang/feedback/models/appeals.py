"""A clerk's appeal (申诉) against a bad rating."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .ratings import Rating


class Appeal(models.Model):
    """A clerk's appeal (申诉) against a bad rating; a reviewer decides."""

    class Kind(models.TextChoices):
        MISTAKEN = "mistaken", _("误评")
        MALICIOUS = "malicious", _("恶意评价")

    class Status(models.TextChoices):
        PENDING = "pending", _("待审核")
        UPHELD = "upheld", _("申诉成立")
        REJECTED = "rejected", _("申诉不成立")

    rating = models.ForeignKey(Rating, on_delete=models.PROTECT, related_name="appeals")
    kind = models.CharField(_("申诉类型"), max_length=10, choices=Kind.choices)
    reason = models.TextField(_("申诉理由"))
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decision_note = models.CharField(_("审核意见"), max_length=300, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rating"],
                condition=models.Q(status="pending"),
                name="uniq_pending_appeal",
            )
        ]
        verbose_name = _("差评申诉")
        verbose_name_plural = _("差评申诉")

    def __str__(self) -> str:
        return f"appeal {self.pk} on {self.rating_id}"
