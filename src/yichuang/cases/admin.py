from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.org.calendar import get_calendar

from .models import Card, Case, CaseEvent, ClockStop, Extension, PendingCalendarCase


class ReadOnly(admin.ModelAdmin):
    """Cases change only through their actions; the admin reads."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnly):
    list_display = (
        "id",
        "title",
        "centre",
        "status",
        "accepted_on",
        "committed_limit",
        "due_date",
        "deadline_pending",
        "visit_count",
    )
    list_filter = ("status", "deadline_pending", "centre")
    search_fields = ("title", "receipt_code")

    @admin.display(description=gettext_lazy("承诺时限"))
    def committed_limit(self, obj: Case) -> str:
        return obj.committed_limit_text


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnly):
    list_display = ("case", "type", "old_status", "new_status", "actor_name", "at")


@admin.register(Card)
class CardAdmin(ReadOnly):
    list_display = ("case", "level", "rule", "department", "recorded_at", "lifted_at")
    list_filter = ("level", "department")


admin.site.register(ClockStop, ReadOnly)
admin.site.register(Extension, ReadOnly)


@admin.register(PendingCalendarCase)
class PendingCalendarAdmin(ReadOnly):
    """The admin alert of docs/domain.md, "Working days": cases whose deadline
    is not computed because the next calendar year is not loaded. Listed on the
    admin home only while there are any (one indexed query); the page says which
    year to load and links to the calendar, and the worker computes the
    deadlines as soon as it is loaded."""

    list_display = ("id", "title", "centre", "department", "status", "accepted_on")
    list_filter = ("centre",)
    ordering = ("accepted_on", "id")

    def get_queryset(self, request):
        return super().get_queryset(request).filter(deadline_pending=True)

    def _any(self) -> bool:
        return PendingCalendarCase.objects.filter(deadline_pending=True).exists()

    def has_module_permission(self, request) -> bool:
        return super().has_module_permission(request) and self._any()

    def has_view_permission(self, request, obj=None) -> bool:
        return super().has_view_permission(request, obj) and self._any()

    def changelist_view(self, request, extra_context=None):
        pending = self.get_queryset(request).count()
        years = sorted(get_calendar().years)
        wanted = (years[-1] + 1) if years else None
        messages.warning(
            request,
            format_html(
                _(
                    "{n} 件办件期限待定：请载入 {y} 年工作日历"
                    '（<a href="{url}">工作日历</a>），载入后自动计算期限。'
                ),
                n=pending,
                y=wanted or "",
                url="/admin/org/calendaryear/",
            ),
        )
        return super().changelist_view(request, extra_context)
