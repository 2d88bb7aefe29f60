from django.contrib import admin

from .models import Card, Case, CaseEvent, ClockStop, Extension


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
        "due_date",
        "deadline_pending",
        "visit_count",
    )
    list_filter = ("status", "deadline_pending", "centre")
    search_fields = ("title", "receipt_code")


@admin.register(CaseEvent)
class CaseEventAdmin(ReadOnly):
    list_display = ("case", "type", "old_status", "new_status", "actor_name", "at")


@admin.register(Card)
class CardAdmin(ReadOnly):
    list_display = ("case", "level", "rule", "department", "recorded_at", "lifted_at")
    list_filter = ("level", "department")


admin.site.register(ClockStop, ReadOnly)
admin.site.register(Extension, ReadOnly)
