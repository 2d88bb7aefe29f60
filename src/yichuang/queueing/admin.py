"""The queues of each business line, edited on the line's admin page (the
queues themselves are set up on the hall's pages)."""

from django.utils.translation import gettext_lazy as _

from yichuang.org.admin import BusinessLineAdmin, LineMappingInline, label_mapping

from .models import Queue

label_mapping(Queue.lines.through, _("队列业务条线"), queue=_("队列"), businessline=_("业务条线"))


class QueueLineInline(LineMappingInline):
    model = Queue.lines.through
    verbose_name = _("队列")
    verbose_name_plural = _("所属队列")


BusinessLineAdmin.inlines.append(QueueLineInline)
