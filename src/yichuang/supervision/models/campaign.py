"""The monthly bulletin (通报) and the county's improvement campaign (提升行动):
phases, tasks, progress reports, good practices and phase evaluations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.org.models import Centre, Department, Staff

# --- the monthly bulletin ---------------------------------------------------------------


class Bulletin(models.Model):
    """The monthly bulletin (通报) of a scope (``county``, ``centre:<code>``
    or ``department:<code>``, as the KPIs name scopes): drafted with its
    figures, signed off by the director, then published to the units."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        SIGNED = "signed", _("已签发")
        PUBLISHED = "published", _("已公布")

    month = models.DateField(_("月份"))  # the first day of the month
    scope = models.CharField(_("范围"), max_length=60, default="county")
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    pdf_path = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "scope"]
        constraints = [
            models.UniqueConstraint(fields=["month", "scope"], name="uniq_bulletin_month_scope")
        ]
        verbose_name = _("监督通报")
        verbose_name_plural = _("监督通报")

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.scope}"


# --- the campaign -----------------------------------------------------------------------


def _one_unit(prefix: str) -> models.CheckConstraint:
    """A unit is a centre or a department, exactly one of the two."""
    return models.CheckConstraint(
        condition=Q(centre__isnull=False, department__isnull=True)
        | Q(centre__isnull=True, department__isnull=False),
        name=f"{prefix}_one_unit",
    )


class UnitMixin(models.Model):
    """A responsible unit: a centre (a township centre, the county hall) or a
    department (across the county)."""

    centre = models.ForeignKey(
        Centre, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        abstract = True

    @property
    def unit(self) -> Centre | Department | None:
        return self.centre or self.department

    def unit_label(self) -> str:
        unit = self.unit
        return str(unit) if unit is not None else ""


class Campaign(models.Model):
    """The improvement campaign (提升行动): three phases from its start date."""

    name = models.CharField(_("名称"), max_length=120)
    starts_on = models.DateField(_("开始日期"))
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = _("提升行动")
        verbose_name_plural = _("提升行动")

    def __str__(self) -> str:
        return self.name


class CampaignPhase(models.Model):
    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="phases")
    number = models.PositiveSmallIntegerField(_("阶段"))
    name = models.CharField(_("名称"), max_length=40)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["campaign_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="uniq_campaign_phase"),
            models.CheckConstraint(
                condition=Q(number__gte=1, number__lte=3), name="campaign_phase_number"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_phase_dates"
            ),
        ]
        verbose_name = _("行动阶段")
        verbose_name_plural = _("行动阶段")

    def __str__(self) -> str:
        return f"{self.campaign} · {self.name}"


class CampaignTask(UnitMixin):
    class Status(models.TextChoices):
        TODO = "todo", _("未开始")
        DOING = "doing", _("推进中")
        DONE = "done", _("已完成")

    phase = models.ForeignKey(CampaignPhase, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(_("任务"), max_length=200)
    lead = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("牵头人"),
    )
    due_date = models.DateField(_("完成时限"))
    deliverable = models.CharField(_("成果形式"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=Status.choices, default=Status.TODO)
    done_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phase_id", "due_date", "id"]
        constraints = [_one_unit("campaign_task")]
        indexes = [models.Index(fields=["status", "due_date"], name="campaign_task_status_due")]
        verbose_name = _("行动任务")
        verbose_name_plural = _("行动任务")

    def __str__(self) -> str:
        return self.title

    def is_late(self, today: dt.date | None = None) -> bool:
        """Not done by its deadline, or done after it."""
        today = today or timezone.localdate()
        if self.done_at is not None:
            return timezone.localdate(self.done_at) > self.due_date
        return self.due_date < today


class ProgressReport(UnitMixin):
    """A unit's monthly progress report: done, problems, next steps."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="reports")
    month = models.DateField(_("月份"))  # the first day of the month
    done = models.TextField(_("本月完成"))
    problems = models.TextField(_("存在问题"), blank=True)
    next_steps = models.TextField(_("下步打算"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-month", "id"]
        constraints = [
            _one_unit("progress_report"),
            models.UniqueConstraint(
                fields=["campaign", "month", "centre"],
                condition=Q(centre__isnull=False),
                name="uniq_progress_centre_month",
            ),
            models.UniqueConstraint(
                fields=["campaign", "month", "department"],
                condition=Q(department__isnull=False),
                name="uniq_progress_dept_month",
            ),
        ]
        verbose_name = _("进展报告")
        verbose_name_plural = _("进展报告")

    def __str__(self) -> str:
        return f"{self.unit_label()} {self.month:%Y-%m}"


class GoodPractice(UnitMixin):
    """A write-up of what worked (经验做法) that other units may adopt."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="practices")
    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("内容"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-published_at", "-id"]
        constraints = [_one_unit("good_practice")]
        verbose_name = _("经验做法")
        verbose_name_plural = _("经验做法")

    def __str__(self) -> str:
        return self.title


class Adoption(UnitMixin):
    """Another unit took up a good practice."""

    practice = models.ForeignKey(GoodPractice, on_delete=models.CASCADE, related_name="adoptions")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            _one_unit("adoption"),
            models.UniqueConstraint(
                fields=["practice", "centre"],
                condition=Q(centre__isnull=False),
                name="uniq_adoption_centre",
            ),
            models.UniqueConstraint(
                fields=["practice", "department"],
                condition=Q(department__isnull=False),
                name="uniq_adoption_dept",
            ),
        ]
        verbose_name = _("经验借鉴")
        verbose_name_plural = _("经验借鉴")

    def __str__(self) -> str:
        return f"{self.practice} ← {self.unit_label()}"


class PhaseEvaluation(models.Model):
    """The evaluation at a phase's end: the three targets as they stood at the
    phase's start and end (read from insights), the ledger's figures and the
    tasks done and late, frozen when it was made."""

    phase = models.ForeignKey(CampaignPhase, on_delete=models.CASCADE, related_name="evaluations")
    at_start = models.JSONField(_("阶段初指标"), default=dict)
    at_end = models.JSONField(_("阶段末指标"), default=dict)
    ledger = models.JSONField(_("问题整改情况"), default=dict)
    tasks = models.JSONField(_("任务完成情况"), default=dict)
    pdf_path = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["phase_id", "-created_at"]
        verbose_name = _("阶段评估")
        verbose_name_plural = _("阶段评估")

    def __str__(self) -> str:
        return f"{self.phase} {self.created_at:%Y-%m-%d}"
