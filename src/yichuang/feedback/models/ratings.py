"""Ratings (好差评), their daily roll-up and the rate-limit counters of the
rating endpoints."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.cases.models import Case
from yichuang.catalog.models import Item
from yichuang.lib.append_only import AppendOnlyModel, AppendOnlyQuerySet
from yichuang.org.models import Centre, Department, Staff, Window
from yichuang.queueing.models import Queue, Ticket

from .reasons import Reason, ReasonList

BAD_LEVELS = (1, 2)
GOOD_LEVELS = (3, 4, 5)


class RatingQuerySet(AppendOnlyQuerySet):
    def valid(self) -> RatingQuerySet:
        """The ratings every rate counts: not excluded, not default
        (docs/domain.md, "The three targets")."""
        return self.filter(excluded=False, is_default=False)

    def bad(self) -> RatingQuerySet:
        return self.filter(level__lte=2)


class Rating(AppendOnlyModel):
    """A citizen's rating of one *service*: a finished ticket (一次一评) or a
    completed case (一事一评). ``service_key`` ("ticket:<id>" / "case:<id>") is
    unique, so a second rating of the same service fails in the database
    however many arrive at once. The service's centre, department, window,
    clerk, item and queue are copied onto the rating when it is made, so every
    rate is read from the rating (or its daily roll-up) without joins. The
    only change a rating ever sees is its exclusion after an upheld appeal,
    which keeps the row."""

    class Level(models.IntegerChoices):
        VERY_GOOD = 5, _("非常满意")
        GOOD = 4, _("满意")
        FAIR = 3, _("基本满意")
        BAD = 2, _("不满意")
        VERY_BAD = 1, _("非常不满意")

    class Channel(models.TextChoices):
        PAD = "pad", _("窗口评价器")
        QR = "qr", _("扫码评价")
        WEB = "web", _("网上评价")
        PROGRESS = "progress", _("办件进度页")
        DEFAULT = "default", _("逾期默认")

    class Kind(models.TextChoices):
        TICKET = "ticket", _("窗口服务（一次一评）")
        CASE = "case", _("办件（一事一评）")

    MUTABLE: ClassVar[frozenset[str]] = frozenset({"excluded", "exclusion_reason", "excluded_at"})

    service_kind = models.CharField(_("评价对象"), max_length=8, choices=Kind.choices)
    # "ticket:<id>" or "case:<id>": one rating per service, enforced here.
    service_key = models.CharField(_("服务标识"), max_length=40, unique=True)
    ticket = models.OneToOneField(
        Ticket,
        verbose_name=_("号票"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    case = models.OneToOneField(
        Case,
        verbose_name=_("办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rating",
    )
    rating_code = models.CharField(_("评价码"), max_length=32, db_index=True)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    reason_list = models.ForeignKey(
        ReasonList,
        verbose_name=_("原因清单"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reasons = models.JSONField(_("差评原因"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=Channel.choices)
    is_default = models.BooleanField(_("默认好评"), default=False)
    excluded = models.BooleanField(_("已剔除"), default=False)
    exclusion_reason = models.CharField(_("剔除原因"), max_length=300, blank=True)
    excluded_at = models.DateTimeField(_("剔除时间"), null=True, blank=True)
    # Attribution, copied from the service when the rating is made.
    centre = models.ForeignKey(
        Centre, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    clerk = models.ForeignKey(
        Staff,
        verbose_name=_("工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    item = models.ForeignKey(
        Item,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    queue = models.ForeignKey(
        Queue,
        verbose_name=_("队列"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    device = models.ForeignKey(
        "org.Device",
        verbose_name=_("设备"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Keyed hash of the rater's address: abuse analysis without storing the address.
    source_hash = models.CharField(_("来源摘要"), max_length=64, blank=True)
    day = models.DateField(_("日期"))
    # The server's clock, never the client's.
    created_at = models.DateTimeField(_("评价时间"), default=timezone.now, editable=False)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(level__gte=1, level__lte=5), name="rating_level_1_5"
            ),
        ]
        indexes = [
            models.Index(fields=["centre", "day"], name="rating_centre_day"),
            models.Index(fields=["department", "day"], name="rating_dept_day"),
            models.Index(fields=["day", "level"], name="rating_day_level"),
        ]
        verbose_name = _("评价")
        verbose_name_plural = _("评价")

    def __str__(self) -> str:
        return f"{self.service_key} {self.level}"

    @property
    def is_bad(self) -> bool:
        return self.level in BAD_LEVELS

    def reason_labels(self) -> list[str]:
        if not self.reasons:
            return []
        labels = dict(
            Reason.objects.filter(reason_list_id=self.reason_list_id).values_list("code", "label")
        )
        return [labels.get(code, code) for code in self.reasons]


class RatingDay(models.Model):
    """Daily roll-up of ratings per centre × department × window × clerk × item
    (0 stands for "none", so the unique key also holds for the blanks). Counts
    are of valid ratings by level, plus excluded and default ones. Kept up to date
    by the actions that add or exclude ratings; the board reads only this."""

    day = models.DateField()
    centre_id_key = models.PositiveBigIntegerField()
    department_id_key = models.PositiveBigIntegerField(default=0)
    window_id_key = models.PositiveBigIntegerField(default=0)
    clerk_id_key = models.PositiveBigIntegerField(default=0)
    item_id_key = models.PositiveBigIntegerField(default=0)
    n1 = models.PositiveIntegerField(default=0)
    n2 = models.PositiveIntegerField(default=0)
    n3 = models.PositiveIntegerField(default=0)
    n4 = models.PositiveIntegerField(default=0)
    n5 = models.PositiveIntegerField(default=0)
    n_excluded = models.PositiveIntegerField(default=0)
    n_default = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-day"]
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "day",
                    "centre_id_key",
                    "department_id_key",
                    "window_id_key",
                    "clerk_id_key",
                    "item_id_key",
                ],
                name="uniq_rating_day_cell",
            )
        ]
        indexes = [models.Index(fields=["centre_id_key", "day"], name="ratingday_centre_day")]
        verbose_name = _("评价日汇总")
        verbose_name_plural = _("评价日汇总")

    def __str__(self) -> str:
        return f"{self.day} centre {self.centre_id_key}"


class Throttle(models.Model):
    """A counter of attempts per key (client address, device) and time bucket:
    rate limits kept in the database, so every app process sees the same count."""

    key = models.CharField(max_length=120)
    bucket = models.DateTimeField()
    hits = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-bucket"]
        constraints = [models.UniqueConstraint(fields=["key", "bucket"], name="uniq_throttle")]
        indexes = [models.Index(fields=["bucket"], name="throttle_bucket")]
        verbose_name = _("限流计数")
        verbose_name_plural = _("限流计数")

    def __str__(self) -> str:
        return f"{self.key} {self.bucket:%H:%M} {self.hits}"
