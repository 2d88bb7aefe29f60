"""Ratings (好差评), appeals, bad-rating rectification, complaints and the
Open311 clients that file them (DOMAIN §1, §2 "办不成事").

A rating is of one *service*: a finished ticket (一次一评) or a completed case
(一事一评). ``service_key`` ("ticket:<id>" / "case:<id>") carries a unique
constraint, so a second rating of the same service fails in the database
however many arrive at once. The service's centre, department, window, clerk,
item and queue are copied onto the rating when it is made, so every rate is
read from the rating (or its daily roll-up) without joins.

Ratings, events and contact views are append-only; the only change a rating
ever sees is its exclusion after an upheld appeal, which keeps the row.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.cases.models import Case
from yichuang.catalog.models import Item
from yichuang.lib.crypto import EncryptedTextField, mask_name, mask_phone
from yichuang.org.models import Centre, Department, Staff, Window
from yichuang.queueing.models import Queue, Ticket

BAD_LEVELS = (1, 2)
GOOD_LEVELS = (3, 4, 5)


def new_token(nbytes: int = 12) -> str:
    return secrets.token_urlsafe(nbytes)


class AppendOnlyQuerySet(models.QuerySet):  # type: ignore[type-arg]
    def update(self, **kwargs: Any) -> int:
        raise TypeError(f"{self.model.__name__} rows are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{self.model.__name__} rows are append-only")


class AppendOnly(models.Model):
    """Rows that are written once. ``MUTABLE`` names the fields an action may
    still change (e.g. a rating's exclusion); everything else is frozen."""

    MUTABLE: frozenset[str] = frozenset()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            fields = kwargs.get("update_fields")
            if not fields or not set(fields) <= self.MUTABLE:
                raise TypeError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError(f"{type(self).__name__} rows are append-only")


# --- reasons -------------------------------------------------------------------------


class ReasonList(models.Model):
    """A version of the bad-rating reason list. Exactly one is current; ratings
    keep the version they were given with."""

    version = models.PositiveSmallIntegerField(_("版本"), unique=True)
    is_current = models.BooleanField(_("现行"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
    reason_list = models.ForeignKey(ReasonList, on_delete=models.PROTECT, related_name="reasons")
    code = models.SlugField(_("代码"), max_length=30)
    label = models.CharField(_("原因"), max_length=40)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["reason_list_id", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["reason_list", "code"], name="uniq_reason_code")
        ]
        verbose_name = _("差评原因")
        verbose_name_plural = _("差评原因")

    def __str__(self) -> str:
        return self.label


# --- ratings -------------------------------------------------------------------------


class RatingQuerySet(models.QuerySet["Rating"]):
    def valid(self) -> RatingQuerySet:
        """The ratings every rate counts (DOMAIN §6): not excluded, not default."""
        return self.filter(excluded=False, is_default=False)

    def bad(self) -> RatingQuerySet:
        return self.filter(level__lte=2)

    def update(self, **kwargs: Any) -> int:
        raise TypeError("ratings are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("ratings are append-only")


class Rating(AppendOnly):
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

    MUTABLE = frozenset({"excluded", "exclusion_reason", "excluded_at"})

    service_kind = models.CharField(_("评价对象"), max_length=8, choices=Kind.choices)
    # "ticket:<id>" or "case:<id>": one rating per service, enforced here.
    service_key = models.CharField(max_length=40, unique=True)
    ticket = models.OneToOneField(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    case = models.OneToOneField(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="rating"
    )
    rating_code = models.CharField(max_length=32, db_index=True)
    level = models.PositiveSmallIntegerField(_("评价等级"), choices=Level.choices)
    reason_list = models.ForeignKey(
        ReasonList, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reasons = models.JSONField(_("差评原因"), default=list, blank=True)
    comment = models.TextField(_("评价内容"), blank=True)
    channel = models.CharField(_("评价渠道"), max_length=10, choices=Channel.choices)
    is_default = models.BooleanField(_("默认好评"), default=False)
    excluded = models.BooleanField(_("已剔除"), default=False)
    exclusion_reason = models.CharField(_("剔除原因"), max_length=300, blank=True)
    excluded_at = models.DateTimeField(null=True, blank=True)
    # Attribution, copied from the service when the rating is made.
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
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
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    device = models.ForeignKey(
        "org.Device", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Keyed hash of the rater's address: abuse analysis without storing the address.
    source_hash = models.CharField(max_length=64, blank=True)
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


# --- appeals -------------------------------------------------------------------------


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


# --- rectification -------------------------------------------------------------------


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


# --- complaints ----------------------------------------------------------------------


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
    sort_order = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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

    AWAITING_REPLY = (Status.RECEIVED, Status.ASSIGNED)

    reference = models.CharField(_("编号"), max_length=20, unique=True)
    # The citizen's tracking code (mobile page, Open311 token).
    track_code = models.CharField(max_length=32, unique=True, default=new_token)
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


# --- events and logs -----------------------------------------------------------------

EVENT_LABELS = {
    "rectification.opened": _("差评整改单生成"),
    "rectification.assigned": _("分派承办人"),
    "rectification.called_back": _("回访群众"),
    "rectification.verified": _("核实"),
    "rectification.rectified": _("整改"),
    "rectification.feedback_given": _("反馈群众"),
    "rectification.closed": _("办结"),
    "rectification.citizen_rated": _("群众评价整改结果"),
    "rectification.overdue": _("超期提醒"),
    "appeal.filed": _("提出申诉"),
    "appeal.decided": _("申诉审核"),
    "rating.excluded": _("评价剔除"),
    "complaint.received": _("受理"),
    "complaint.assigned": _("分派承办"),
    "complaint.complex": _("认定为复杂事项"),
    "complaint.explained": _("说明情况"),
    "complaint.replied": _("答复"),
    "complaint.reopened": _("群众不满意，重新办理"),
    "complaint.closed": _("办结"),
    "complaint.overdue": _("超期提醒"),
}


class FeedbackEvent(AppendOnly):
    """One state change of a rating, appeal, rectification or complaint."""

    type = models.CharField(max_length=40)
    rating = models.ForeignKey(
        Rating, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    appeal = models.ForeignKey(
        Appeal, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    rectification = models.ForeignKey(
        Rectification, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    old_status = models.CharField(max_length=16, blank=True)
    new_status = models.CharField(max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("好差评事件")
        verbose_name_plural = _("好差评事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.type}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.type, self.type))


class ContactView(AppendOnly):
    """Each time someone sees a rater's or complainant's contact details."""

    rectification = models.ForeignKey(
        Rectification, null=True, blank=True, on_delete=models.PROTECT, related_name="views"
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="views"
    )
    viewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source_ip = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["-at"]
        verbose_name = _("联系方式查看记录")
        verbose_name_plural = _("联系方式查看记录")

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.at:%Y-%m-%d %H:%M}"


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

    key = models.CharField(max_length=60, unique=True)
    stage = models.CharField(_("超期环节"), max_length=10, choices=Stage.choices)
    rectification = models.ForeignKey(
        Rectification,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="overdue_notices",
    )
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.PROTECT, related_name="overdue_notices"
    )
    # A complaint's reopen count when it fell late (0 for rectifications).
    round = models.PositiveSmallIntegerField(default=0)
    due_date = models.DateField(_("期限"))
    centre = models.ForeignKey(
        Centre, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
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
    sms_attempts = models.PositiveSmallIntegerField(default=0)
    sms_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(_("提醒时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

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
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="feedback_phone"
    )
    phone = EncryptedTextField(_("手机号"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user_id"]
        verbose_name = _("工作人员提醒手机号")
        verbose_name_plural = _("工作人员提醒手机号")

    def __str__(self) -> str:
        return f"{self.user_id} {mask_phone(self.phone)}"


class Open311Client(models.Model):
    """A partner system (a hotline, another platform) allowed to file requests."""

    name = models.CharField(_("名称"), max_length=80, unique=True)
    key_hash = models.CharField(max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("Open311 接入方")
        verbose_name_plural = _("Open311 接入方")

    def __str__(self) -> str:
        return self.name
