"""The append-only logs of feedback: the timeline of every rating, appeal,
rectification and complaint, and each view of a citizen's contact details."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.lib.append_only import AppendOnlyModel

from .appeals import Appeal
from .complaints import Complaint
from .ratings import Rating
from .rectifications import Rectification

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


class FeedbackEvent(AppendOnlyModel):
    """One state change of a rating, appeal, rectification or complaint."""

    type = models.CharField(_("类型"), max_length=40)
    rating = models.ForeignKey(
        Rating,
        verbose_name=_("评价"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    appeal = models.ForeignKey(
        Appeal,
        verbose_name=_("申诉"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("差评整改"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("投诉建议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="events",
    )
    old_status = models.CharField(_("原状态"), max_length=16, blank=True)
    new_status = models.CharField(_("新状态"), max_length=16, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.TextField(_("说明"), blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("好差评事件")
        verbose_name_plural = _("好差评事件")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.type}"

    @property
    def label(self) -> str:
        return str(EVENT_LABELS.get(self.type, self.type))


class ContactView(AppendOnlyModel):
    """Each time someone sees a rater's or complainant's contact details."""

    rectification = models.ForeignKey(
        Rectification,
        verbose_name=_("差评整改"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="views",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("投诉建议"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="views",
    )
    viewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    source_ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("联系方式查看记录")
        verbose_name_plural = _("联系方式查看记录")

    def __str__(self) -> str:
        return f"{self.viewer_id} {self.at:%Y-%m-%d %H:%M}"
