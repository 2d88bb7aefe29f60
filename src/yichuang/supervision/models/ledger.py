"""Supervision (监督检查): checklists and inspections, the one problem ledger
(问题清单 / 整改台账) every source feeds and the re-checks (回头看).

The ledger reads what the lower apps record (ratings, complaints, cards, peak
alerts) after a cursor per source; no lower app knows about it."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.lib.append_only import AppendOnlyModel
from yichuang.org.models import Centre, Department, Staff, Window


class Category(models.TextChoices):
    """What a problem is about. The first eight are the checklist categories
    of docs/domain.md ("Supervision"); the others classify rows that come from
    ratings, complaints, cards and alerts."""

    AT_POST = "at_post", _("在岗在位")
    APPEARANCE = "appearance", _("仪容仪表")
    LANGUAGE = "language", _("文明用语与服务禁语")
    FIRST_ASK = "first_ask", _("首问负责")
    ONE_NOTICE = "one_notice", _("一次性告知")
    DISCIPLINE = "discipline", _("办事纪律")
    DISCLOSURE = "disclosure", _("公示公开")
    ENVIRONMENT = "environment", _("服务环境")
    ATTITUDE = "attitude", _("服务态度")
    SKILLS = "skills", _("业务能力")
    EFFICIENCY = "efficiency", _("办理时效")
    QUEUEING = "queueing", _("排队等候")
    OTHER = "other", _("其他")


class Severity(models.TextChoices):
    GENERAL = "general", _("一般")
    MAJOR = "major", _("较重")
    SEVERE = "severe", _("严重")


# Ranks for "raised, never lowered" comparisons.
SEVERITY_RANK = {Severity.GENERAL: 0, Severity.MAJOR: 1, Severity.SEVERE: 2}


class VisitKind(models.TextChoices):
    OPEN = "open", _("明查")
    COVERT = "covert", _("暗访")


# --- checklists and inspections ---------------------------------------------------------


class Checklist(models.Model):
    """One version of a checklist. A change makes a new version; inspections
    keep the version they were recorded with. ``code`` names the checklist
    across its versions; one version per code is current."""

    class Kind(models.TextChoices):
        OPEN = "open", _("明查")
        COVERT = "covert", _("暗访")
        ENVIRONMENT = "environment", _("服务环境")

    code = models.SlugField(_("代码"), max_length=40)
    version = models.PositiveSmallIntegerField(_("版本"), default=1)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    is_current = models.BooleanField(_("现行版本"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="uniq_checklist_version"),
            models.UniqueConstraint(
                fields=["code"], condition=Q(is_current=True), name="uniq_checklist_current"
            ),
        ]
        verbose_name = _("检查表")
        verbose_name_plural = _("检查表")

    def __str__(self) -> str:
        return f"{self.name}（第{self.version}版）"


class ChecklistLine(models.Model):
    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="lines")
    code = models.SlugField(_("条目代码"), max_length=20)
    text = models.CharField(_("检查内容"), max_length=200)
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    points = models.PositiveSmallIntegerField(_("分值"))
    severity = models.CharField(
        _("默认严重程度"), max_length=8, choices=Severity.choices, default=Severity.GENERAL
    )
    sort_order = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["checklist_id", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(fields=["checklist", "code"], name="uniq_checklist_line")
        ]
        verbose_name = _("检查条目")
        verbose_name_plural = _("检查条目")

    def __str__(self) -> str:
        return f"{self.code} {self.text}"


class Inspection(models.Model):
    """One visit to a centre (明查 or 暗访). Its score is 100 minus the points
    of the failed lines. A covert visit's findings stay hidden from the units
    concerned until ``published_at``; an open visit is published when recorded."""

    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("方式"), max_length=8, choices=VisitKind.choices)
    checklist = models.ForeignKey(Checklist, on_delete=models.PROTECT, related_name="inspections")
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("检查人"),
    )
    visited_at = models.DateTimeField(_("检查时间"))
    score = models.SmallIntegerField(_("得分"), default=100)
    published_at = models.DateTimeField(_("公布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["centre", "visited_at"], name="inspection_centre_at")]
        verbose_name = _("监督检查")
        verbose_name_plural = _("监督检查")

    def __str__(self) -> str:
        day = timezone.localtime(self.visited_at).date()
        return f"{self.get_kind_display()} {self.centre} {day}"

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Finding(models.Model):
    """One checklist line as the inspector found it, with the window or clerk
    concerned, a note and an optional photo (encrypted on disk, see
    ``supervision.photos``)."""

    class Result(models.TextChoices):
        PASS = "pass", _("合格")
        FAIL = "fail", _("不合格")

    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="findings")
    line = models.ForeignKey(ChecklistLine, on_delete=models.PROTECT, related_name="+")
    result = models.CharField(_("结果"), max_length=4, choices=Result.choices)
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    clerk = models.ForeignKey(
        Staff, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    # Path under MEDIA_ROOT of the encrypted, re-encoded photo; empty without one.
    photo_path = models.CharField(max_length=200, blank=True)
    photo_type = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["inspection_id", "id"]
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")

    def __str__(self) -> str:
        return f"{self.line.code} {self.get_result_display()}"


# --- the ledger -------------------------------------------------------------------------


class Source(models.TextChoices):
    INSPECTION = "inspection", _("监督检查")
    SELF_CHECK = "self_check", _("自查")
    RATING = "rating", _("差评")
    COMPLAINT = "complaint", _("投诉")
    CARD = "card", _("红牌")
    ALERT = "alert", _("高峰预警")
    LEADERSHIP = "leadership", _("领导交办")
    KNOWLEDGE = "knowledge", _("政策答复")


class ProblemQuerySet(models.QuerySet["Problem"]):
    def open(self) -> ProblemQuerySet:
        return self.exclude(status=Problem.Status.VERIFIED)

    def overdue(self, today: dt.date | None = None) -> ProblemQuerySet:
        """Not closed and past the deadline (a row without a deadline yet, a
        covert finding before publication, is never overdue)."""
        today = today or timezone.localdate()
        return self.filter(status__in=Problem.OPEN_STATUSES, due_date__lt=today)

    def recurring(self) -> ProblemQuerySet:
        return self.filter(recurrence__gt=0)

    def with_overdue(self, today: dt.date | None = None) -> ProblemQuerySet:
        """Annotated with ``overdue_now``, computed when read."""
        today = today or timezone.localdate()
        return self.annotate(
            overdue_now=models.Case(
                models.When(
                    Q(status__in=Problem.OPEN_STATUSES, due_date__lt=today), then=models.Value(True)
                ),
                default=models.Value(False),
                output_field=models.BooleanField(),
            )
        )


class Problem(models.Model):
    """One row of the problem ledger, whatever its source.

    ``source`` and ``source_id`` name the record the row came from (a finding,
    a rating, a complaint, a card, an alert); self-checks and leadership
    instructions have none. The unit is the centre, department and window;
    ``owner`` is who rectifies (the post holder: A, or B while A is away),
    ``clerk`` the person the finding names, if any."""

    class Status(models.TextChoices):
        OPEN = "open", _("待整改")
        PLANNED = "planned", _("整改中")
        SUBMITTED = "submitted", _("待验收")
        VERIFIED = "verified", _("已销号")
        REOPENED = "reopened", _("退回重改")

    OPEN_STATUSES = (Status.OPEN, Status.PLANNED, Status.SUBMITTED, Status.REOPENED)

    source = models.CharField(_("来源"), max_length=12, choices=Source.choices)
    source_id = models.BigIntegerField(null=True, blank=True)
    source_label = models.CharField(_("来源记录"), max_length=120, blank=True)
    inspection = models.ForeignKey(
        Inspection, null=True, blank=True, on_delete=models.PROTECT, related_name="problems"
    )
    centre = models.ForeignKey(Centre, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    window = models.ForeignKey(
        Window, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    owner = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("整改责任人"),
    )
    clerk = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("涉及人员"),
    )
    category = models.CharField(_("类别"), max_length=16, choices=Category.choices)
    severity = models.CharField(_("严重程度"), max_length=8, choices=Severity.choices)
    description = models.TextField(_("问题描述"))
    measure = models.TextField(_("整改措施"), blank=True)
    evidence = models.TextField(_("整改佐证"), blank=True)
    found_on = models.DateField(_("发现日期"))
    # The deadline runs from ``found_on``, or from publication for a covert
    # visit's rows (empty until then).
    due_date = models.DateField(_("整改期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    planned_at = models.DateTimeField(null=True, blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("验收人"),
    )
    # Closed by the deadline (set when verified).
    on_time = models.BooleanField(null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("退回次数"), default=0)
    hidden_until_published = models.BooleanField(_("暗访未公布"), default=False)
    recurrence = models.PositiveSmallIntegerField(_("反复出现次数"), default=0)
    previous = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="recurrences"
    )
    escalated = models.BooleanField(_("已提级督办"), default=False)
    escalated_at = models.DateTimeField(null=True, blank=True)
    # The first day the daily pass found it overdue (the flag itself is
    # computed when read: ``ProblemQuerySet.overdue``).
    overdue_since = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ProblemQuerySet.as_manager()

    class Meta:
        ordering = ["-found_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"],
                condition=Q(source_id__isnull=False),
                name="uniq_problem_source",
            )
        ]
        indexes = [
            models.Index(fields=["status", "due_date"], name="problem_status_due"),
            models.Index(fields=["centre", "status"], name="problem_centre_status"),
            models.Index(fields=["department", "status"], name="problem_dept_status"),
            models.Index(
                fields=["centre", "category", "verified_at"], name="problem_recurrence_look"
            ),
            models.Index(fields=["owner", "status"], name="problem_owner_status"),
            models.Index(fields=["found_on"], name="problem_found_on"),
        ]
        verbose_name = _("问题整改台账")
        verbose_name_plural = _("问题整改台账")

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_category_display()} {self.get_status_display()}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.VERIFIED

    def is_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return bool(self.due_date and self.status in self.OPEN_STATUSES and self.due_date < today)

    def unit_label(self) -> str:
        parts = [str(self.centre)]
        if self.department_id:
            parts.append(str(self.department))
        if self.window_id:
            parts.append(_("%(n)s号窗口") % {"n": self.window.number})
        return " · ".join(parts)


class ProblemEvent(AppendOnlyModel):
    """One change of a ledger row: its opening, each step of the flow, its
    publication, the daily overdue flag, an escalation. Append-only."""

    class Type(models.TextChoices):
        OPENED = "opened", _("登记问题")
        PUBLISHED = "published", _("暗访结果公布")
        PLANNED = "planned", _("制定整改措施")
        SUBMITTED = "submitted", _("提交整改佐证")
        VERIFIED = "verified", _("验收销号")
        REJECTED = "rejected", _("退回重改")
        OVERDUE = "overdue", _("超期")
        ESCALATED = "escalated", _("提级督办")
        RECHECKED = "rechecked", _("回头看")

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="events")
    type = models.CharField(max_length=12, choices=Type.choices)
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.TextField(blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["problem", "at"], name="problem_event_at")]
        verbose_name = _("整改记录")
        verbose_name_plural = _("整改记录")

    def __str__(self) -> str:
        return f"{self.problem_id} {self.type}"


class RecheckTask(models.Model):
    """回头看: a re-check of a closed 严重 or 较重 row, due some days after it
    closed. Its result says whether the rectification held."""

    class Result(models.TextChoices):
        HELD = "held", _("整改到位")
        RELAPSED = "relapsed", _("问题反弹")

    problem = models.ForeignKey(Problem, on_delete=models.PROTECT, related_name="rechecks")
    due_on = models.DateField(_("回头看日期"))
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    result = models.CharField(_("结果"), max_length=10, choices=Result.choices, blank=True)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["problem", "due_on"], name="uniq_recheck_due")
        ]
        indexes = [models.Index(fields=["done_at", "due_on"], name="recheck_pending")]
        verbose_name = _("回头看")
        verbose_name_plural = _("回头看")

    def __str__(self) -> str:
        return f"recheck {self.problem_id} {self.due_on}"


class SourceCursor(models.Model):
    """How far the ingestion task has read one source (the last id read)."""

    source = models.CharField(max_length=20, unique=True)
    last_id = models.BigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]
        verbose_name = _("问题来源读取进度")
        verbose_name_plural = _("问题来源读取进度")

    def __str__(self) -> str:
        return f"{self.source} @ {self.last_id}"
