"""The bad-rating reason list (差评原因), versioned: ratings keep the version
they were given with."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReasonList(models.Model):
    """A version of the bad-rating reason list. Exactly one is current; ratings
    keep the version they were given with."""

    version = models.PositiveSmallIntegerField(_("版本"), unique=True)
    is_current = models.BooleanField(_("现行"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="uniq_current_reason_list",
            )
        ]
        verbose_name = _("差评原因清单")
        verbose_name_plural = _("差评原因清单")

    def __str__(self) -> str:
        return f"v{self.version}"


class Reason(models.Model):
    reason_list = models.ForeignKey(
        ReasonList, verbose_name=_("原因清单"), on_delete=models.PROTECT, related_name="reasons"
    )
    code = models.SlugField(_("代码"), max_length=30)
    label = models.CharField(_("原因"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["reason_list_id", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["reason_list", "code"], name="uniq_reason_code")
        ]
        verbose_name = _("差评原因")
        verbose_name_plural = _("差评原因")

    def __str__(self) -> str:
        return self.label
