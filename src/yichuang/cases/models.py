"""Cases (办件): one application for one item version, walked step by step
through the departments against a working-day clock (docs/domain.md,
"Service items", "Cases and the clock", "Working days").

Deadlines are data: ``due_date`` is an indexed column computed in working days
by ``cases.clock``; the warning level is derived from it when read
(:meth:`Case.warning_level`) and never stored. The worker only records cards.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.catalog.models import Bundle, Item, ItemVersion, LimitUnit, OneTimeNotice
from yichuang.lib.append_only import AppendOnlyModel
from yichuang.lib.codes import new_code
from yichuang.org.models import Centre, Department, Post, Staff
from yichuang.queueing.models import Appointment, Ticket
from yichuang.vault.models import Document, Organisation, Person

from . import clock, sql
from .states import OPEN, RUNNING, Status


def new_receipt_code() -> str:
    """Unguessable: it opens the public progress page; printed on the receipt
    and typed at /m/lookup (lib/codes.py)."""
    return new_code()


class CaseQuerySet(models.QuerySet["Case"]):
    def open(self) -> CaseQuerySet:
        return self.filter(status__in=OPEN)

    def open_indexed(self) -> CaseQuerySet:
        """Open cases, read through the partial indexes on (department | post |
        centre, due_date, id) WHERE open: the desk's lists, ordered by due date
        and paginated, never touch the closed history."""
        return self.filter(sql.open_status())

    def running(self) -> CaseQuerySet:
        return self.filter(status__in=RUNNING, due_date__isnull=False)

    def overdue(self, today: dt.date | None = None) -> CaseQuerySet:
        return self.running().filter(due_date__lt=today or timezone.localdate())


class Case(models.Model):
    centre = models.ForeignKey(
        Centre, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="cases"
    )
    # The behaviour comes from the version the case was opened on; ``item`` is
    # kept beside it only to find a person's open case of an item across versions.
    version = models.ForeignKey(
        ItemVersion,
        verbose_name=_("事项版本"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    item = models.ForeignKey(
        Item,
        verbose_name=_("事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    bundle = models.ForeignKey(
        Bundle,
        verbose_name=_("一件事"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("所属一件事办件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    person = models.ForeignKey(
        Person,
        verbose_name=_("申请人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("申请单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="cases",
    )
    title = models.CharField(_("事项"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    decision = models.CharField(
        _("决定"),
        max_length=8,
        blank=True,
        choices=[("granted", _("准予")), ("denied", _("不予"))],
    )
    # The state to return to when a clock stop ends.
    resume_status = models.CharField(_("恢复后状态"), max_length=12, blank=True)
    receipt_code = models.CharField(
        _("查询码"), max_length=32, unique=True, default=new_receipt_code
    )
    rating_code = models.CharField(_("评价码"), max_length=32, unique=True, null=True, blank=True)
    received_at = models.DateTimeField(_("收件时间"), default=timezone.now)
    accepted_on = models.DateField(_("受理日期"), null=True, blank=True)
    # The limits in the unit of the item version's limits (working days,
    # calendar days or months; a bundle's parent case counts working days):
    # ``committed_limit_text`` and ``legal_limit_text`` show them with it.
    committed_days = models.PositiveIntegerField(
        _("承诺时限"),
        default=0,
        help_text=_("单位为事项版本的承诺时限单位（工作日、自然日或个月）"),
    )
    legal_days = models.PositiveIntegerField(
        _("法定时限"),
        null=True,
        blank=True,
        help_text=_("单位为事项版本的法定时限单位（工作日、自然日或个月）"),
    )
    stopped_days = models.PositiveIntegerField(_("停止计时（工作日）"), default=0)
    extension_days = models.PositiveIntegerField(_("延期（工作日）"), default=0)
    due_date = models.DateField(_("承诺办结日期"), null=True, blank=True, db_index=True)
    statutory_due_date = models.DateField(_("法定办结日期"), null=True, blank=True)
    deadline_pending = models.BooleanField(_("期限待定（日历未载入）"), default=False)
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False)
    gaps_due_date = models.DateField(_("容缺补齐期限"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    delivery_method = models.CharField(_("送达方式"), max_length=12, blank=True)
    first_ask = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("首问负责人"),
    )
    accepted_by = models.ForeignKey(
        Staff,
        verbose_name=_("受理人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Where the case is now (denormalised from the current step for the desk).
    current_step = models.ForeignKey(
        "CaseStep",
        verbose_name=_("当前环节"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("当前部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    notice = models.ForeignKey(
        OneTimeNotice,
        verbose_name=_("一次性告知书"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    visit_count = models.PositiveSmallIntegerField(_("到现场次数"), default=0)
    # 告知承诺 found untrue: the decision is revoked (撤销).
    revoked_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    # A later one-time notice asked for a material the first did not list.
    notice_breach = models.BooleanField(_("违反一次性告知"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [
            models.Index(fields=["department", "status", "due_date"], name="case_dept_status_due"),
            models.Index(fields=["centre", "status", "due_date"], name="case_centre_status_due"),
            models.Index(fields=["post", "status", "due_date"], name="case_post_status_due"),
            models.Index(fields=["status", "due_date"], name="case_status_due"),
            models.Index(fields=["person", "item", "status"], name="case_person_item"),
            # The desk: open cases of a department, post or centre by due date.
            models.Index(
                fields=["department", "due_date", "id"],
                condition=models.Q(status__in=OPEN),
                name="case_dept_open_due",
            ),
            models.Index(
                fields=["post", "due_date", "id"],
                condition=models.Q(status__in=OPEN),
                name="case_post_open_due",
            ),
            models.Index(
                fields=["centre", "due_date", "id"],
                condition=models.Q(status__in=OPEN),
                name="case_centre_open_due",
            ),
            # The few cases waiting for a calendar year (the admin alert, the worker).
            models.Index(
                fields=["accepted_on", "id"],
                condition=models.Q(deadline_pending=True),
                name="case_deadline_pending",
            ),
        ]
        verbose_name = _("办件")
        verbose_name_plural = _("办件")

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    def _limit_unit_label(self, which: str) -> str:
        """The unit a limit of the case counts in, as people read it."""
        version = self.version if self.version_id else None
        unit = getattr(version, f"{which}_limit_unit", None) or LimitUnit.WORKDAY
        return str(LimitUnit(unit).label)

    @property
    def committed_limit_text(self) -> str:
        """The committed limit with its unit: "20 工作日", "30 自然日", "3 个月"
        (即办 for an item completed on the spot)."""
        if not self.committed_days:
            return str(_("即办"))
        return f"{self.committed_days} {self._limit_unit_label('committed')}"

    @property
    def legal_limit_text(self) -> str:
        """The statutory limit with its unit ("" when the item has none)."""
        if self.legal_days is None:
            return ""
        return f"{self.legal_days} {self._limit_unit_label('legal')}"

    @property
    def number(self) -> str:
        """The case number printed on receipts: date received + id."""
        local = timezone.localtime(self.received_at)
        return f"YC{local:%Y%m%d}{self.pk or 0:07d}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN

    @property
    def is_bundle(self) -> bool:
        return self.bundle_id is not None and self.parent_id is None and self.version_id is None

    @property
    def clock_running(self) -> bool:
        return self.status in RUNNING

    def warning_level(self, today: dt.date | None = None, cal: Any = None) -> str:
        return clock.warning_level(self, today=today, cal=cal)


class PendingCalendarCase(Case):
    """The cases whose deadline waits for a calendar year not loaded yet: the
    admin's alert (shown on the admin home only while there are any)."""

    class Meta:
        proxy = True
        verbose_name = _("期限待定办件（待载入工作日历）")
        verbose_name_plural = _("⚠ 期限待定办件（待载入工作日历）")


class CaseStep(models.Model):
    class State(models.TextChoices):
        PENDING = "pending", _("待办")
        ACTIVE = "active", _("办理中")
        DONE = "done", _("已完成")
        RETURNED = "returned", _("已退回")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=10)  # catalog Step.Kind
    name = models.CharField(max_length=20)
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    post = models.ForeignKey(
        Post, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    share = models.PositiveSmallIntegerField(default=0)
    due_date = models.DateField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    handled_by = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="uniq_case_step_position")
        ]
        verbose_name = _("办理环节")
        verbose_name_plural = _("办理环节")

    def __str__(self) -> str:
        return f"{self.case_id}#{self.position} {self.name}"


class CaseEvent(AppendOnlyModel):
    """One transition or fact in a case's life; the timeline and the audit trail.
    Written once (``cases.events``): neither a row nor a QuerySet updates or
    deletes it."""

    # Indexed by case_event_case_at (case, at); no second index on case alone.
    case = models.ForeignKey(
        Case,
        verbose_name=_("办件"),
        on_delete=models.PROTECT,
        related_name="events",
        db_index=False,
    )
    type = models.CharField(_("类型"), max_length=24)
    old_status = models.CharField(_("原状态"), max_length=12, blank=True)
    new_status = models.CharField(_("新状态"), max_length=12, blank=True)
    step = models.ForeignKey(
        CaseStep,
        verbose_name=_("环节"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    actor_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    document = models.CharField(_("文书"), max_length=120, blank=True)
    data = models.JSONField(_("详情"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["case", "at"], name="case_event_case_at")]
        verbose_name = _("办件记录")
        verbose_name_plural = _("办件记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.type} {self.at:%Y-%m-%d %H:%M}"


class CaseVisit(models.Model):
    """An on-site visit for the case: a queue ticket or an appointment."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="visits")
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.PROTECT, related_name="case_visits"
    )
    appointment = models.ForeignKey(
        Appointment, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "ticket"],
                condition=models.Q(ticket__isnull=False),
                name="uniq_case_visit_ticket",
            ),
            models.UniqueConstraint(
                fields=["case", "appointment"],
                condition=models.Q(appointment__isnull=False),
                name="uniq_case_visit_appt",
            ),
        ]
        verbose_name = _("到现场记录")
        verbose_name_plural = _("到现场记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.at:%Y-%m-%d}"


class ClockStop(models.Model):
    class Kind(models.TextChoices):
        SUPPLEMENT = "supplement", _("补齐补正")
        SPECIAL = "special", _("特别程序")
        SUSPENSION = "suspension", _("挂起")

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="stops"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    procedure = models.CharField(_("特别程序"), max_length=20, blank=True)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    workdays = models.PositiveIntegerField(_("停止计时（工作日）"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["case_id", "started_on", "id"]
        verbose_name = _("停止计时")
        verbose_name_plural = _("停止计时")

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind} {self.started_on}–{self.ended_on or ''}"


class Extension(models.Model):
    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.CASCADE, related_name="extensions"
    )
    days = models.PositiveSmallIntegerField(_("延期（工作日）"))
    reason = models.CharField(_("理由"), max_length=500)
    approval_document = models.CharField(_("审批文书"), max_length=120)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["case_id", "created_at"]
        verbose_name = _("延期审批")
        verbose_name_plural = _("延期审批")

    def __str__(self) -> str:
        return f"{self.case_id} +{self.days}"


class Card(models.Model):
    """A yellow or red card recorded by the worker; lifted only with a reason."""

    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="cards"
    )
    level = models.CharField(
        _("等级"), max_length=6, choices=[("yellow", _("黄牌")), ("red", _("红牌"))]
    )
    # committed | statutory | step:<position> | after_yellow | breach
    rule = models.CharField(_("规则"), max_length=20)
    reason = models.CharField(_("原因"), max_length=200)
    # The worker writes cards by the hundred thousand: card_dept_at already
    # indexes the department, so no second index on it alone.
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    post = models.ForeignKey(
        Post,
        verbose_name=_("岗位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    staff = models.ForeignKey(
        Staff,
        verbose_name=_("工作人员"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("记录时间"), default=timezone.now)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("解除人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    lift_reason = models.CharField(_("解除理由"), max_length=500, blank=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "level", "rule"],
                condition=~models.Q(rule="breach"),
                name="uniq_card_rule",
            )
        ]
        indexes = [models.Index(fields=["department", "recorded_at"], name="card_dept_at")]
        verbose_name = _("红黄牌")
        verbose_name_plural = _("红黄牌")

    def __str__(self) -> str:
        return f"{self.case_id} {self.level} {self.rule}"

    def delete(self, *args: Any, **kwargs: Any):
        raise ValueError("cards are never deleted; lift them with a reason")


class VerifyOutcome(models.TextChoices):
    TRUE = "true", _("核查属实")
    FALSE = "false", _("承诺不实")


class MaterialReceipt(models.Model):
    """What happened to each material of the item at intake."""

    class How(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        VAULT = "vault", _("可复用（证照库）")
        TOLERATED = "tolerated", _("容缺")
        COMMITTED = "committed", _("告知承诺")
        MISSING = "missing", _("缺少")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="materials")
    code = models.CharField(max_length=20)
    name = models.CharField(max_length=200)
    document_type = models.CharField(max_length=40, blank=True)
    how = models.CharField(max_length=10, choices=How.choices)
    document = models.ForeignKey(
        Document, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # 容缺: the gap and its deadline; 告知承诺: the verification task.
    due_date = models.DateField(null=True, blank=True)
    supplemented_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verify_result = models.CharField(max_length=200, blank=True)
    # 告知承诺: the department that verifies, and what it found.
    verify_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verify_outcome = models.CharField(
        _("核查结论"), max_length=8, blank=True, choices=VerifyOutcome.choices
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case_id", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="uniq_case_material")]
        verbose_name = _("收件材料")
        verbose_name_plural = _("收件材料")

    def __str__(self) -> str:
        return f"{self.case_id} {self.name} {self.how}"

    @property
    def is_open_gap(self) -> bool:
        return self.how == self.How.TOLERATED and self.supplemented_at is None

    @property
    def is_open_verification(self) -> bool:
        return self.how == self.How.COMMITTED and self.verified_at is None

    def is_overdue_verification(self, today: dt.date) -> bool:
        return self.is_open_verification and self.due_date is not None and self.due_date < today


class CreditRecord(AppendOnlyModel):
    """失信记录: an applicant's commitment (告知承诺) found untrue."""

    person = models.ForeignKey(
        Person, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="credit_records"
    )
    case = models.ForeignKey(
        Case, verbose_name=_("办件"), on_delete=models.PROTECT, related_name="credit_records"
    )
    material = models.CharField(_("承诺材料"), max_length=200)
    reason = models.CharField(_("核查情况"), max_length=500)
    department = models.ForeignKey(
        Department,
        verbose_name=_("核查部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("记录时间"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("失信记录")
        verbose_name_plural = _("失信记录")

    def __str__(self) -> str:
        return f"{self.case_id} {self.material}"


class RateBucket(models.Model):
    """Requests per key (a hashed client address) and minute, kept in the
    database so every app process shares the limit of the public pages."""

    key = models.CharField(max_length=80)
    window = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-window"]
        constraints = [models.UniqueConstraint(fields=["key", "window"], name="uniq_rate_bucket")]

    def __str__(self) -> str:
        return f"{self.key} {self.window:%H:%M} {self.count}"
