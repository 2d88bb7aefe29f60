"""Local rules that differ between counties (the numbers docs/domain.md marks
as a *setting*), with their defaults. Administrators change them in /admin/ or through
:func:`setting_set`; every change is audited. Code reads them with
:func:`setting_get`, which falls back to the default below.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .audit import audit_record
from .errors import DomainError

# key: (default, description)
DEFAULTS: dict[str, tuple[Any, Any]] = {
    "rating.callback_workdays": (1, gettext_lazy("差评回访时限（工作日）")),
    "rating.rectify_workdays": (15, gettext_lazy("差评整改反馈时限（工作日）")),
    "rating.default_after_days": (None, gettext_lazy("未评价默认好评天数（空为不启用）")),
    "complaint.reply_workdays": (5, gettext_lazy("投诉建议答复时限（工作日）")),
    "priority.elderly_age": (60, gettext_lazy("老年人优先年龄（周岁）")),
    "case.notice_days_left": (1, gettext_lazy("提示：剩余工作日")),
    "case.red_after_yellow_workdays": (2, gettext_lazy("黄牌后转红牌（工作日）")),
    "audit.retention_days": (180, gettext_lazy("审计记录保存天数")),
    "complaint.unsolved_workdays": (5, gettext_lazy("办不成事解决时限（工作日）")),
    "complaint.unsolved_complex_workdays": (10, gettext_lazy("办不成事复杂事项时限（工作日）")),
    "complaint.unsolved_reasons_workdays": (3, gettext_lazy("办不成事说明理由时限（工作日）")),
    "case.verify_workdays": (20, gettext_lazy("告知承诺核查时限（受理后工作日）")),
    "supervision.general_workdays": (10, gettext_lazy("一般问题整改时限（工作日）")),
    "supervision.major_workdays": (5, gettext_lazy("较重问题整改时限（工作日）")),
    "supervision.severe_workdays": (2, gettext_lazy("严重问题整改时限（工作日）")),
    "supervision.recurrence_days": (90, gettext_lazy("问题反复出现认定期（销号后天数）")),
    "supervision.recheck_days": (30, gettext_lazy("严重、较重问题销号后回头看（天）")),
}


class Setting(models.Model):
    key = models.CharField(gettext_lazy("参数"), max_length=80, unique=True)
    value = models.JSONField(gettext_lazy("取值"), null=True, blank=True)
    updated_by = models.CharField(gettext_lazy("修改人"), max_length=150, blank=True)
    created_at = models.DateTimeField(gettext_lazy("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(gettext_lazy("更新时间"), auto_now=True)

    class Meta:
        app_label = "lib"
        ordering = ["key"]
        verbose_name = gettext_lazy("系统参数")
        verbose_name_plural = gettext_lazy("系统参数")

    def __str__(self) -> str:
        return f"{self.key} = {self.value!r}"

    def description(self) -> str:
        return str(DEFAULTS.get(self.key, (None, ""))[1])

    description.short_description = gettext_lazy("说明")  # type: ignore[attr-defined]


def setting_get(key: str) -> Any:
    if key not in DEFAULTS:
        raise KeyError(key)
    row = Setting.objects.filter(key=key).only("value").first()
    return DEFAULTS[key][0] if row is None else row.value


@transaction.atomic
def setting_set(*, key: str, value: Any, actor: Any = None) -> Setting:
    if key not in DEFAULTS:
        raise DomainError("lib.unknown_setting", _("未知参数：%(k)s") % {"k": key})
    default = DEFAULTS[key][0]
    if default is not None and value is not None and type(value) is not type(default):
        raise DomainError("lib.bad_setting_value", _("参数 %(k)s 的取值类型不正确。") % {"k": key})
    old = setting_get(key)
    row, _created = Setting.objects.update_or_create(
        key=key, defaults={"value": value, "updated_by": getattr(actor, "username", "")}
    )
    audit_record("settings.change", actor=actor, obj=row, old=old, new=value)
    return row
