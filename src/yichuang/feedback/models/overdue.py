"""Overdue notices (a stage of a rectification or complaint past its
deadline) and the staff numbers their reminders are sent to."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.lib.crypto import EncryptedTextField, mask_phone
from yichuang.org.models import Centre, Department

from .complaints import Complaint
from .rectifications import Rectification


class OverdueNoticeQuerySet(models.QuerySet["OverdueNotice"]):
    def open(self) -> OverdueNoticeQuerySet:
        """Notices whose item is still late at that stage (the rest are history:
        the item was handled late)."""
        R = Rectification.Status
        waiting = models.Q(complaint__status__in=Complaint.AWAITING_REPLY) & models.Q(
            round=models.F("complaint__reopen_count")
        )
        return self.filter(
            models.Q(
                stage=OverdueNotice.Stage.CALLBACK, rectification__status__in=(R.NEW, R.ASSIGNED)
            )
            | models.Q(
                stage=OverdueNotice.Stage.RECTIFY,
                rectification__status__in=Rectification.BEFORE_FEEDBACK,
            )
            | (models.Q(stage=OverdueNotice.Stage.REPLY) & waiting)
            | (
                models.Q(stage=OverdueNotice.Stage.REASONS, complaint__explained_at__isnull=True)
                & waiting
            )
        )


class OverdueNotice(models.Model):
    """An item flagged to the director (and SMSed to its handler) because a
    stage passed its deadline: once per item, stage and — for a complaint
    reopened with a fresh deadline — round. ``key`` is unique, so several
    workers never flag the same lateness twice. Kept after the item is handled:
    late handling counts in appraisal."""

    class Stage(models.TextChoices):
        CALLBACK = "callback", _("回访超期")
        RECTIFY = "rectify", _("整改反馈超期")
        REPLY = "reply", _("答复超期")
        REASONS = "reasons", _("说明理由超期")

    class Sms(models.TextChoices):
        NONE = "none", _("不发短信")
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")

    key = models.CharField(_("标识"), max_length=60, unique=True)
    stage = models.CharField(_("超期环节"), max_length=10, choices=Stage.choices)
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("差评整改"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overdue_notices",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("投诉建议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overdue_notices",
    )
    # A complaint's reopen count when it fell late (0 for rectifications).
    round = models.PositiveSmallIntegerField(_("轮次"), default=0)
    due_date = models.DateField(_("期限"))
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办人"),
    )
    sms_status = models.CharField(
        _("短信"), max_length=8, choices=Sms.choices, default=Sms.NONE, db_index=True
    )
    sms_attempts = models.PositiveSmallIntegerField(_("短信尝试次数"), default=0)
    sms_at = models.DateTimeField(_("短信发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = OverdueNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["centre", "due_date"], name="notice_centre_due")]
        verbose_name = _("逾期提醒")
        verbose_name_plural = _("逾期提醒")

    def __str__(self) -> str:
        return self.key

    @property
    def target(self) -> Rectification | Complaint | None:
        return self.rectification or self.complaint

    @property
    def days_late(self) -> int:
        return (timezone.localdate() - self.due_date).days


class StaffPhone(models.Model):
    """A staff member's mobile number for work reminders (the overdue SMS to a
    handler). Encrypted at rest; set by an administrator."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("用户"),
        on_delete=models.CASCADE,
        related_name="feedback_phone",
    )
    phone = EncryptedTextField(_("手机号"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("工作人员提醒手机号")
        verbose_name_plural = _("工作人员提醒手机号")

    def __str__(self) -> str:
        return f"{self.user_id} {mask_phone(self.phone)}"
