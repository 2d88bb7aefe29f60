"""Who works where: regions, centres, departments, windows, staff and posts; the
devices of the hall; the working-day calendar; and the business lines every
app shares."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

# Weekday office hours of a Chinese service hall; Saturdays and Sundays closed.
DEFAULT_OPENING_HOURS = {
    day: ([["08:30", "12:00"], ["14:00", "17:30"]] if day in WEEKDAYS[:5] else [])
    for day in WEEKDAYS
}

MAKEUP_WEEKDAY_CHOICES = [
    (0, _("周一")),
    (1, _("周二")),
    (2, _("周三")),
    (3, _("周四")),
    (4, _("周五")),
]


class Region(models.Model):
    class Level(models.TextChoices):
        PROVINCE = "province", _("省")
        CITY = "city", _("市")
        COUNTY = "county", _("县（区）")
        TOWNSHIP = "township", _("乡镇（街道）")

    code = models.CharField(_("区划代码"), max_length=12, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.CharField(_("层级"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级区划"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("行政区划")
        verbose_name_plural = _("行政区划")

    def __str__(self) -> str:
        return self.name

    def county(self) -> Region | None:
        node: Region | None = self
        while node is not None and node.level != self.Level.COUNTY:
            node = node.parent
        return node


class Centre(models.Model):
    class Kind(models.TextChoices):
        COUNTY = "county", _("县级政务服务中心")
        TOWNSHIP = "township", _("乡镇（街道）便民服务中心")

    code = models.SlugField(_("中心代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="centres"
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    phone = models.CharField(_("咨询电话"), max_length=30, blank=True)
    opening_hours = models.JSONField(_("开放时间"), default=dict, blank=True)
    makeup_hours_from = models.PositiveSmallIntegerField(
        _("调休上班日按哪天的开放时间"),
        choices=MAKEUP_WEEKDAY_CHOICES,
        default=0,
        help_text=_("调休上班日（如周六补班）大厅开放，按所补工作日的开放时间，默认周一。"),
    )
    always_open = models.BooleanField(_("全天开放（演示）"), default=False)
    notice = models.CharField(_("大厅滚动公告"), max_length=300, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["kind", "code"]
        verbose_name = _("服务中心")
        verbose_name_plural = _("服务中心")

    def __str__(self) -> str:
        return self.name

    def hours(self) -> dict[str, list[list[str]]]:
        return self.opening_hours or DEFAULT_OPENING_HOURS

    def is_open_at(self, when: dt.datetime | None = None) -> bool:
        """Whether the hall is open at ``when``: the day's hours after the
        working-day calendar and the dated exceptions (``org.opening``)."""
        from .opening import opening_for

        local = timezone.localtime(when or timezone.now())
        return opening_for(self, local.date()).is_open_at(local.strftime("%H:%M"))


# The business lines of docs/domain.md, in their order: (code, name).
DEFAULT_LINES = [
    ("shebao", "社保"),
    ("yibao", "医保"),
    ("huji", "户籍"),
    ("minzheng", "民政"),
    ("weijian", "卫健（计生）"),
    ("canlian", "残联"),
    ("tuiyi", "退役军人"),
    ("shuiwu", "税务"),
    ("zonghe", "综合受理"),
]


class BusinessLine(models.Model):
    """A business line (业务条线, docs/domain.md "Business lines"): 社保, 医保, 户籍 …
    Queues, items and departments belong to lines; a window requires the lines
    of its primary queues; knowledge articles and exams are filed under them."""

    code = models.SlugField(_("条线代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=30)
    sort = models.PositiveSmallIntegerField(_("排序"), default=0)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["sort", "code"]
        verbose_name = _("业务条线")
        verbose_name_plural = _("业务条线")

    def __str__(self) -> str:
        return self.name

    @classmethod
    def ensure_defaults(cls) -> None:
        """Create the default lines that are missing (a flushed database)."""
        for sort, (code, name) in enumerate(DEFAULT_LINES, start=1):
            cls.objects.get_or_create(code=code, defaults={"name": name, "sort": sort})


class Department(models.Model):
    code = models.SlugField(_("部门代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=80)
    short_name = models.CharField(_("简称"), max_length=20, blank=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="departments"
    )
    lines = models.ManyToManyField(
        BusinessLine, blank=True, related_name="departments", verbose_name=_("业务条线")
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("部门")
        verbose_name_plural = _("部门")

    def __str__(self) -> str:
        return self.short_name or self.name


class Window(models.Model):
    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("综合窗口")
        DEDICATED = "dedicated", _("专窗")
        GREEN = "green", _("绿色通道")
        FLEXIBLE = "flexible", _("弹性窗口")

    centre = models.ForeignKey(
        Centre, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="windows"
    )
    number = models.PositiveSmallIntegerField(_("窗口号"))
    name = models.CharField(_("名称"), max_length=60)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="windows",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    state = models.CharField(
        _("状态"),
        max_length=10,
        choices=[("closed", _("未开窗")), ("open", _("办理中")), ("paused", _("暂停"))],
        default="closed",
    )
    clerk = models.ForeignKey(
        "Staff",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("当前工作人员"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["centre_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["centre", "number"], name="uniq_window_number")
        ]
        verbose_name = _("窗口")
        verbose_name_plural = _("窗口")

    def __str__(self) -> str:
        return f"{self.number}号窗口 {self.name}"


class Staff(models.Model):
    """A person who works in a hall. ``scope`` says what the person may see."""

    class Scope(models.TextChoices):
        COUNTY = "county", _("全县")
        CENTRE = "centre", _("本中心")
        DEPARTMENT = "department", _("本部门")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="staff",
    )
    name = models.CharField(_("姓名"), max_length=50)
    employee_no = models.CharField(_("工号"), max_length=20, unique=True)
    region = models.ForeignKey(
        Region, verbose_name=_("所属区划"), on_delete=models.PROTECT, related_name="staff"
    )
    centre = models.ForeignKey(
        Centre,
        verbose_name=_("服务中心"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="staff",
    )
    scope = models.CharField(_("数据范围"), max_length=12, choices=Scope.choices)
    title = models.CharField(_("职务"), max_length=40, blank=True)
    is_present = models.BooleanField(_("在岗"), default=True)
    absence_reason = models.CharField(_("不在岗原因"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["employee_no"]
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.name


class Post(models.Model):
    """A post (岗位) held by an A clerk with a B clerk as backup (AB岗)."""

    centre = models.ForeignKey(
        Centre, verbose_name=_("服务中心"), on_delete=models.PROTECT, related_name="posts"
    )
    department = models.ForeignKey(
        Department, verbose_name=_("部门"), on_delete=models.PROTECT, related_name="posts"
    )
    name = models.CharField(_("岗位名称"), max_length=60)
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="posts",
    )
    a_staff = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="a_posts",
        verbose_name=_("A岗"),
    )
    b_staff = models.ForeignKey(
        Staff,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="b_posts",
        verbose_name=_("B岗"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["centre_id", "department_id", "name"]
        verbose_name = _("岗位")
        verbose_name_plural = _("岗位")

    def __str__(self) -> str:
        return f"{self.centre} · {self.name}"

    def holder(self, day: dt.date | None = None) -> Staff | None:
        """A when in on ``day`` (today by default), else B when in, else nobody
        (flagged to the director): ``org.selectors.holder_on``, which reads the
        dated absences."""
        from .selectors import holder_on

        return holder_on(self, day)

    def is_uncovered(self) -> bool:
        return self.holder() is None


def device_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class Device(models.Model):
    """A hall device (kiosk, display, rating pad) holding a token bound to one
    centre, or one window for pads and window displays. It can do only its job."""

    class Kind(models.TextChoices):
        KIOSK = "kiosk", _("取号机")
        DISPLAY = "display", _("大厅显示屏")
        WINDOW_DISPLAY = "window_display", _("窗口屏")
        PAD = "pad", _("评价器")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=60)
    centre = models.ForeignKey(
        Centre, verbose_name=_("服务中心"), on_delete=models.CASCADE, related_name="devices"
    )
    window = models.ForeignKey(
        Window,
        verbose_name=_("窗口"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="devices",
    )
    token_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    last_seen_at = models.DateTimeField(_("最近联网时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["centre_id", "kind", "name"]
        verbose_name = _("大厅设备")
        verbose_name_plural = _("大厅设备")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    @staticmethod
    def new_token() -> str:
        return "dev_" + secrets.token_urlsafe(32)


class CalendarYear(models.Model):
    """A year whose working days are known. Provisional years hold only weekends
    and the fixed-date holidays until the State Council notice is loaded."""

    class Status(models.TextChoices):
        OFFICIAL = "official", _("正式")
        PROVISIONAL = "provisional", _("暂定")

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    source = models.CharField(_("依据"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")

    def __str__(self) -> str:
        return f"{self.year}（{self.get_status_display()}）"


class WorkCalendar(models.Model):
    """One row per day that differs from the default (Mon–Fri work, Sat–Sun rest)."""

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")
        LOCAL_HOLIDAY = "local_holiday", _("地方节假日")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=40, blank=True)
    source = models.CharField(_("依据文件"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("工作日历")
        verbose_name_plural = _("工作日历")

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.name}"


class OpeningException(models.Model):
    """A dated exception to a centre's weekly hours: 延时服务 (hours added after
    closing), 错时服务 (the day's hours replaced), 周末轮值 (duty hours on a rest
    day) or a closure. ``org.opening.opening_for`` applies it."""

    class Kind(models.TextChoices):
        EXTENDED = "extended", _("延时服务")
        STAGGERED = "staggered", _("错时服务")
        WEEKEND_DUTY = "weekend_duty", _("周末轮值")
        CLOSURE = "closure", _("闭厅")

    centre = models.ForeignKey(
        Centre,
        on_delete=models.CASCADE,
        related_name="opening_exceptions",
        verbose_name=_("服务中心"),
    )
    date = models.DateField(_("日期"))
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    spans = models.JSONField(
        _("时段"),
        default=list,
        blank=True,
        help_text=_('如 [["17:30", "19:00"]]；闭厅不填。'),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["date", "centre"]
        verbose_name = _("开放时间例外")
        verbose_name_plural = _("开放时间例外")
        constraints = [
            models.UniqueConstraint(fields=["centre", "date"], name="uniq_opening_exception")
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.date} {self.get_kind_display()}"

    def spans_text(self) -> str:
        """The spans as people write them: ``09:00–12:00、14:00–17:30``."""
        return "、".join(f"{a}–{b}" for a, b in self.spans or []) or "—"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .opening import spans_problem

        problem = spans_problem(self.spans, empty_ok=self.kind == self.Kind.CLOSURE)
        if problem:
            raise ValidationError({"spans": problem})


class StaffAbsence(models.Model):
    """A dated absence of a staff member (请假, 培训, 出差, other), from ``start``
    to ``end`` inclusive. While it runs the person is away: the A/B routing
    passes to the B clerk and the director's home counts the person as absent.
    A cancelled absence stays for the record (``cancelled_at``)."""

    class Kind(models.TextChoices):
        LEAVE = "leave", _("请假")
        TRAINING = "training", _("培训")
        TRIP = "trip", _("出差")
        OTHER = "other", _("其他")

    staff = models.ForeignKey(
        Staff, on_delete=models.CASCADE, related_name="absences", verbose_name=_("工作人员")
    )
    start = models.DateField(_("开始日期"))
    end = models.DateField(_("结束日期"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("撤销时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("撤销人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["start", "staff_id"]
        verbose_name = _("工作人员不在岗登记")
        verbose_name_plural = _("工作人员不在岗登记")
        indexes = [models.Index(fields=["staff", "start", "end"], name="staff_absence_span")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gte=models.F("start")), name="staff_absence_end_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.staff} {self.get_kind_display()} {self.start}–{self.end}"
