"""The handling of a bad rating (差评整改): call-back, verification,
rectification and feedback to the citizen, each with its deadline."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.lib.crypto import EncryptedTextField, mask_phone
from yichuang.org.models import Centre, Department

from .codes import new_token
from .ratings import Rating


class RectificationQuerySet(models.QuerySet["Rectification"]):
    def open(self) -> RectificationQuerySet:
        return self.exclude(status__in=Rectification.DONE)

    def overdue(self, today: dt.date | None = None) -> RectificationQuerySet:
        today = today or timezone.localdate()
        return self.filter(
            models.Q(
                status__in=(Rectification.Status.NEW, Rectification.Status.ASSIGNED),
                callback_due__lt=today,
            )
            | models.Q(rectify_due__lt=today, status__in=Rectification.BEFORE_FEEDBACK)
        )


class Rectification(models.Model):
    """The handling of one bad rating (谁办理、谁负责)."""

    class Status(models.TextChoices):
        NEW = "new", _("待分派")
        ASSIGNED = "assigned", _("已分派")
        CALLED_BACK = "called_back", _("已回访")
        VERIFIED = "verified", _("已核实")
        RECTIFIED = "rectified", _("已整改")
        FEEDBACK_GIVEN = "feedback_given", _("已反馈")
        CLOSED = "closed", _("已办结")

    class Verdict(models.TextChoices):
        SUBSTANTIATED = "substantiated", _("属实")
        UNSUBSTANTIATED = "unsubstantiated", _("不属实")

    ORDER = [s.value for s in Status]
    DONE = (Status.FEEDBACK_GIVEN, Status.CLOSED)
    BEFORE_FEEDBACK = (
        Status.NEW,
        Status.ASSIGNED,
        Status.CALLED_BACK,
        Status.VERIFIED,
        Status.RECTIFIED,
    )

    rating = models.OneToOneField(Rating, on_delete=models.PROTECT, related_name="rectification")
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.NEW)
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("责任单位"),
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办人"),
    )
    # The rater's contact: encrypted, shown only to the handler, every view logged.
    contact_phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    contact_name = EncryptedTextField(_("联系人"), blank=True, default="")
    callback_due = models.DateField(_("回访期限"), null=True, blank=True, db_index=True)
    rectify_due = models.DateField(_("整改反馈期限"), null=True, blank=True, db_index=True)
    called_back_at = models.DateTimeField(null=True, blank=True)
    callback_note = models.TextField(_("回访记录"), blank=True)
    verdict = models.CharField(_("核实结论"), max_length=16, choices=Verdict.choices, blank=True)
    finding = models.TextField(_("核实情况"), blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    rectified_at = models.DateTimeField(null=True, blank=True)
    feedback_note = models.TextField(_("反馈内容"), blank=True)
    feedback_at = models.DateTimeField(null=True, blank=True)
    # The citizen rates the handling through this code once feedback is given.
    followup_code = models.CharField(max_length=32, unique=True, default=new_token)
    citizen_level = models.PositiveSmallIntegerField(
        _("群众对整改的评价"), null=True, blank=True, choices=Rating.Level.choices
    )
    citizen_comment = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RectificationQuerySet.as_manager()

    class Meta:
        ordering = ["rectify_due", "id"]
        indexes = [models.Index(fields=["status", "rectify_due"], name="rect_status_due")]
        verbose_name = _("差评整改")
        verbose_name_plural = _("差评整改")

    def __str__(self) -> str:
        return f"rectification {self.pk} ({self.status})"

    @property
    def is_real_name(self) -> bool:
        return bool(self.contact_phone)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.contact_phone) if self.contact_phone else ""

    def callback_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.callback_due
            and self.status in (self.Status.NEW, self.Status.ASSIGNED)
            and today > self.callback_due
        )

    def rectify_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.rectify_due and self.status in self.BEFORE_FEEDBACK and today > self.rectify_due
        )

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.callback_overdue(today) or self.rectify_overdue(today)
