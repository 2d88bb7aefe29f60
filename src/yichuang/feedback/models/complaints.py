"""Complaints, suggestions, consultations, praise and "办不成事" requests,
their categories (the Open311 services), reference numbering and the partner
systems that file them through Open311."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.catalog.models import Item
from yichuang.lib.codes import new_code
from yichuang.lib.crypto import EncryptedTextField, mask_name, mask_phone
from yichuang.org.models import Centre, Department, Staff, Window


class ComplaintCategory(models.Model):
    """A kind of complaint or suggestion, offered to citizens and as an Open311
    service. ``attributes`` holds the Open311 attribute definitions."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    kind = models.CharField(_("默认类型"), max_length=16)
    group = models.CharField(_("分组"), max_length=40, blank=True)
    keywords = models.CharField(_("关键词"), max_length=200, blank=True)
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("默认承办部门"),
    )
    attributes = models.JSONField(_("附加字段"), default=list, blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["sort_order", "code"]
        verbose_name = _("诉求类别")
        verbose_name_plural = _("诉求类别")

    def __str__(self) -> str:
        return self.name


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def open(self) -> ComplaintQuerySet:
        return self.exclude(status=Complaint.Status.CLOSED)

    def overdue(self, today: dt.date | None = None) -> ComplaintQuerySet:
        today = today or timezone.localdate()
        return self.filter(
            status__in=Complaint.AWAITING_REPLY, due_date__isnull=False, due_date__lt=today
        )


class Complaint(models.Model):
    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("投诉")
        SUGGESTION = "suggestion", _("建议")
        CONSULTATION = "consultation", _("咨询")
        PRAISE = "praise", _("表扬")
        UNSOLVED = "unsolved", _("办不成事")

    class Channel(models.TextChoices):
        MOBILE = "mobile", _("手机端")
        DESK = "desk", _("大厅意见台")
        PHONE = "phone", _("电话")
        HOTLINE = "hotline", _("12345热线")
        OPEN311 = "open311", _("对接系统")

    class Status(models.TextChoices):
        RECEIVED = "received", _("已受理")
        ASSIGNED = "assigned", _("办理中")
        REPLIED = "replied", _("已答复")
        CLOSED = "closed", _("已办结")

    class Satisfaction(models.TextChoices):
        SATISFIED = "satisfied", _("满意")
        BASIC = "basic", _("基本满意")
        UNSATISFIED = "unsatisfied", _("不满意")

    class Verdict(models.TextChoices):
        """核实结论: what the handler found when checking a 投诉 or 办不成事."""

        SUBSTANTIATED = "substantiated", _("属实")
        PARTLY = "partly", _("部分属实")
        UNFOUNDED = "unfounded", _("不属实")

    AWAITING_REPLY = (Status.RECEIVED, Status.ASSIGNED)
    # The kinds whose reply must carry a verdict (核实结论); the others take none.
    VERIFIED_KINDS = (Kind.COMPLAINT, Kind.UNSOLVED)
    # The verdicts that make a complaint substantiated (DOMAIN §9, §12, §13).
    SUBSTANTIATED_VERDICTS = (Verdict.SUBSTANTIATED, Verdict.PARTLY)

    reference = models.CharField(_("编号"), max_length=20, unique=True)
    # The citizen's tracking code (mobile page, Open311 token).
    track_code = models.CharField(max_length=32, unique=True, default=new_code)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices)
    category = models.ForeignKey(
        ComplaintCategory, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.RECEIVED
    )
    title = models.CharField(_("标题"), max_length=120, blank=True)
    description = models.TextField(_("内容"))
    attributes = models.JSONField(default=dict, blank=True)
    name = EncryptedTextField(_("姓名"), blank=True, default="")
    phone = EncryptedTextField(_("联系电话"), blank=True, default="")
    phone_hash = models.CharField(max_length=64, blank=True, db_index=True)
    email = EncryptedTextField(_("电子邮箱"), blank=True, default="")
    address_string = models.CharField(_("地点"), max_length=200, blank=True)
    lat = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    long = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    media_url = models.URLField(blank=True, max_length=500)
    external_ref = models.CharField(_("外部工单号"), max_length=40, blank=True)
    source_client = models.ForeignKey(
        "Open311Client", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Routing: the unit, window or clerk concerned.
    centre = models.ForeignKey(
        Centre, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handler = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("承办人"),
    )
    received_at = models.DateTimeField(_("收到时间"), default=timezone.now)
    due_date = models.DateField(_("答复期限"), null=True, blank=True, db_index=True)
    # "办不成事": reasons (or a plan) owed within 3 working days; complex → 10.
    reasons_due = models.DateField(_("说明理由期限"), null=True, blank=True)
    is_complex = models.BooleanField(_("复杂事项"), default=False)
    explanation = models.TextField(_("情况说明"), blank=True)
    explained_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(_("答复内容"), blank=True)
    replied_at = models.DateTimeField(null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Given with the reply (and given again if the citizen reopens it).
    verdict = models.CharField(_("核实结论"), max_length=16, choices=Verdict.choices, blank=True)
    verdict_note = models.CharField(_("核实情况"), max_length=300, blank=True)
    verdict_at = models.DateTimeField(null=True, blank=True)
    verdict_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    satisfaction = models.CharField(
        _("群众满意度"), max_length=12, choices=Satisfaction.choices, blank=True
    )
    reopen_count = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "external_ref"],
                condition=~models.Q(external_ref=""),
                name="uniq_complaint_external_ref",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="complaint_status_due"),
            models.Index(fields=["received_at"], name="complaint_received"),
        ]
        verbose_name = _("投诉建议")
        verbose_name_plural = _("投诉建议")

    def __str__(self) -> str:
        return self.reference

    @property
    def masked_name(self) -> str:
        return mask_name(self.name) if self.name else ""

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone) if self.phone else ""

    @property
    def needs_verdict(self) -> bool:
        return self.kind in self.VERIFIED_KINDS

    @property
    def is_substantiated(self) -> bool:
        return self.verdict in self.SUBSTANTIATED_VERDICTS

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.due_date and self.status in self.AWAITING_REPLY and today > self.due_date)

    def reasons_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(
            self.reasons_due
            and self.explained_at is None
            and self.status in self.AWAITING_REPLY
            and today > self.reasons_due
        )


class ComplaintCounter(models.Model):
    """Reference numbering per year (TS2026000001): locked while a number is taken."""

    year = models.PositiveSmallIntegerField(unique=True)
    last_seq = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year"]
        verbose_name = _("投诉编号计数")
        verbose_name_plural = _("投诉编号计数")

    def __str__(self) -> str:
        return f"{self.year}: {self.last_seq}"


class Open311Client(models.Model):
    """A partner system (a hotline, another platform) allowed to file requests."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 接入方")
        verbose_name_plural = _("Open311 接入方")

    def __str__(self) -> str:
        return self.name
