"""Roll-up tables: with the ratings' daily roll-up that the feedback app keeps
(``feedback.RatingDay``), the only thing the dashboard, the KPI API and the
monthly report read, so a year costs about what a day costs.

Every table keeps one row per cell: a period (``grain`` "d" for a day, "m" for a
calendar month whose ``start`` is the 1st) × the dimensions of the fact. The
dimensions are plain integer ids (0 = none), not foreign keys: roll-ups are
derived data, rebuilt from the event tables by ``yichuang rebuild-rollups``,
and must never hold up a change in the apps they summarise.

Month rows are sums of the day rows of that month and are refreshed whenever a
day of the month changes; a period is read as its whole months plus the days at
either edge. Each month is also kept coarse (``grain`` "c": the month's rows
summed over centre × department, with the histogram value kept and every other
dimension 0), a few hundred rows a month instead of tens of thousands, for every
figure that needs no finer dimension (the KPIs, the trend, the centre and
department breakdowns). Wait times are kept as per-minute histograms (``WaitBucket``) and
case durations as per-working-day histograms (``DurationBucket``), so a p90 or
a median over a year is computed exactly from summed buckets, not raw rows.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grain(models.TextChoices):
    DAY = "d", _("日")
    MONTH = "m", _("月")
    # A month summed over centre × department only (the other dimensions 0):
    # what the county-, centre- and department-level figures read.
    COARSE = "c", _("月（中心×部门）")


class Cursor(models.Model):
    """How far the roll-up task has read one source table. A worker claims a
    batch by moving the cursor with a conditional UPDATE in the transaction
    that writes the roll-ups, so two workers never apply the same batch."""

    source = models.CharField(max_length=40, unique=True)
    last_id = models.BigIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]
        verbose_name = _("汇总进度")
        verbose_name_plural = _("汇总进度")

    def __str__(self) -> str:
        return f"{self.source} @ {self.last_id}"


class Cell(models.Model):
    grain = models.CharField(max_length=1, choices=Grain.choices)
    start = models.DateField()
    centre = models.PositiveIntegerField()
    department = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class TicketCell(Cell):
    """Queue tickets by the ticket's day × centre × department (of the serving
    window) × window × queue × clerk. Tickets carry no item; items are measured
    through the cases and ratings that do."""

    window = models.PositiveIntegerField(default=0)
    queue = models.PositiveIntegerField(default=0)
    clerk = models.PositiveIntegerField(default=0)
    # Tickets taken by citizens (a transfer's follow-on ticket is not counted).
    issued = models.PositiveIntegerField(default=0)
    transfers_in = models.PositiveIntegerField(default=0)
    called = models.PositiveIntegerField(default=0)
    served = models.PositiveIntegerField(default=0)
    no_show = models.PositiveIntegerField(default=0)
    cancelled = models.PositiveIntegerField(default=0)
    # Left open at closing (``queueing.tickets_expire``): the hall did not
    # serve them. A 过号 ticket that expired stays counted as ``no_show``.
    # (a database default too: the older migrations' raw inserts leave it out)
    expired = models.PositiveIntegerField(default=0, db_default=0)
    wait_seconds = models.BigIntegerField(default=0)
    service_seconds = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["grain", "start"]
        indexes = [models.Index(fields=["grain", "start", "centre"], name="ins_ticket_period")]
        verbose_name = _("排队汇总")
        verbose_name_plural = _("排队汇总")

    def __str__(self) -> str:
        return f"tickets {self.grain}{self.start} c{self.centre}"


class WaitBucket(Cell):
    """How many called tickets waited ``minute`` whole minutes (capped)."""

    queue = models.PositiveIntegerField(default=0)
    peak = models.BooleanField(default=False)
    minute = models.PositiveSmallIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["grain", "start"]
        indexes = [models.Index(fields=["grain", "start", "centre"], name="ins_wait_period")]
        verbose_name = _("等候时长分布")
        verbose_name_plural = _("等候时长分布")

    def __str__(self) -> str:
        return f"wait {self.grain}{self.start} c{self.centre} {self.minute}′×{self.n}"


class CaseFact(models.Model):
    """One row per item case: what the case KPIs need, computed once from the
    case, its visits and its clock stops (the source of the case cells)."""

    case_id = models.BigIntegerField(unique=True)
    centre = models.PositiveIntegerField()
    department = models.PositiveIntegerField(default=0)
    item = models.PositiveIntegerField(default=0)
    clerk = models.PositiveIntegerField(default=0)
    accepted_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    visits = models.PositiveSmallIntegerField(default=0)
    # Working days from acceptance to completion, clock stops excluded.
    workdays = models.IntegerField(null=True, blank=True)
    on_time = models.BooleanField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["case_id"]
        indexes = [
            models.Index(fields=["centre", "completed_on"], name="ins_fact_completed"),
            models.Index(fields=["centre", "accepted_on"], name="ins_fact_accepted"),
        ]
        verbose_name = _("办件事实")
        verbose_name_plural = _("办件事实")

    def __str__(self) -> str:
        return f"case {self.case_id}"


class CaseCell(Cell):
    """Cases by day × centre × department (of the item) × item × clerk (who
    accepted it). ``accepted`` counts by acceptance day, the completion counters
    by completion day, the cards by the day they were recorded (with the card's
    department and clerk)."""

    item = models.PositiveIntegerField(default=0)
    clerk = models.PositiveIntegerField(default=0)
    accepted = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    one_visit = models.PositiveIntegerField(default=0)
    zero_visit = models.PositiveIntegerField(default=0)
    visits = models.PositiveIntegerField(default=0)
    yellow_cards = models.PositiveIntegerField(default=0)
    red_cards = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["grain", "start"]
        indexes = [models.Index(fields=["grain", "start", "centre"], name="ins_case_period")]
        verbose_name = _("办件汇总")
        verbose_name_plural = _("办件汇总")

    def __str__(self) -> str:
        return f"cases {self.grain}{self.start} c{self.centre}"


class DurationBucket(Cell):
    """How many cases completed in the period took ``workdays`` working days."""

    item = models.PositiveIntegerField(default=0)
    workdays = models.PositiveIntegerField()
    n = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["grain", "start"]
        indexes = [models.Index(fields=["grain", "start", "centre"], name="ins_duration_period")]
        verbose_name = _("办理时长分布")
        verbose_name_plural = _("办理时长分布")

    def __str__(self) -> str:
        return f"duration {self.grain}{self.start} c{self.centre} {self.workdays}d×{self.n}"


class RectificationCell(Cell):
    """Bad-rating rectifications by the day their feedback was due. Whether an
    open one is overdue depends on today, so it is decided when read."""

    due = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    late = models.PositiveIntegerField(default=0)
    open = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["grain", "start"]
        indexes = [models.Index(fields=["grain", "start", "centre"], name="ins_rect_period")]
        verbose_name = _("整改汇总")
        verbose_name_plural = _("整改汇总")

    def __str__(self) -> str:
        return f"rectifications {self.grain}{self.start} c{self.centre}"


class Baseline(models.Model):
    """The frozen period that actual duration reduction is measured against.
    Its medians are stored when it is frozen (county, each centre, each
    department) together with the formula version; they never change after."""

    label = models.CharField(_("名称"), max_length=80)
    period_from = models.DateField(_("基线开始"))
    period_to = models.DateField(_("基线结束"))
    formula_version = models.CharField(_("公式版本"), max_length=20)
    # {"county": {"median": 8.0, "cases": 1234}, "centre:CODE": {...}, ...}
    medians = models.JSONField(default=dict)
    is_active = models.BooleanField(_("现行基线"), default=True)
    frozen_at = models.DateTimeField(auto_now_add=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-frozen_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="ins_one_active_baseline",
            )
        ]
        verbose_name = _("时限基线")
        verbose_name_plural = _("时限基线")

    def __str__(self) -> str:
        return f"{self.label} ({self.period_from}–{self.period_to})"


class ReportText(models.Model):
    """The words of a monthly report for one scope: drafted from the figures
    (insights/report_text.py), edited by the director before signing."""

    scope_key = models.CharField(_("统计范围"), max_length=120)
    month = models.DateField(_("月份"))
    overall = models.TextField(_("总体情况"), blank=True)
    problems = models.TextField(_("存在问题"), blank=True)
    measures = models.TextField(_("下步措施"), blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["scope_key", "month"], name="uniq_report_text")
        ]
        verbose_name = _("月度报告文字")
        verbose_name_plural = _("月度报告文字")

    def __str__(self) -> str:
        return f"{self.scope_key} {self.month:%Y-%m}"
