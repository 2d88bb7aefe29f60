import csv
import json

from django.contrib import admin
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from .audit import AuditEntry, audit_record
from .config import Setting, setting_set

EXPORT_COLUMNS = [
    "id",
    "at",
    "actor_id",
    "actor_name",
    "event",
    "object_type",
    "object_id",
    "success",
    "source_ip",
    "detail",
]


def _cell(value) -> str:
    """A CSV cell a spreadsheet won't run: text typed by anyone (a username
    tried at sign-in) that starts like a formula gets a leading apostrophe."""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only. The audit administrator reads
    and exports it (the export action: the chosen rows, or with "select all"
    every row the filters leave, as CSV; the export itself is audited)."""

    list_display = ["at", "actor_name", "event", "object_type", "object_id", "success", "source_ip"]
    list_filter = ["success", "event"]
    search_fields = ["actor_name", "event", "object_id"]
    date_hierarchy = "at"
    actions = ["export_csv"]

    @admin.action(description=gettext_lazy("导出所选审计记录（CSV）"), permissions=["view"])
    def export_csv(self, request, queryset):
        rows = queryset.order_by("id")
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
        response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.csv"'
        response.write("\ufeff")  # Excel reads UTF-8 with the mark
        writer = csv.writer(response)
        writer.writerow(EXPORT_COLUMNS)
        count = 0
        for entry in rows.iterator(chunk_size=2000):
            writer.writerow(
                _cell(v)
                for v in [
                    entry.pk,
                    timezone.localtime(entry.at).isoformat(),
                    entry.actor_id or "",
                    entry.actor_name,
                    entry.event,
                    entry.object_type,
                    entry.object_id,
                    int(entry.success),
                    entry.source_ip or "",
                    json.dumps(entry.detail, ensure_ascii=False, sort_keys=True),
                ]
            )
            count += 1
        audit_record("audit.export", request=request, object_type="lib.auditentry", rows=count)
        return response

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    """Changes go through setting_set, so they are validated and audited."""

    list_display = ["key", "value", "description", "updated_by", "updated_at"]
    fields = ["key", "value"]

    def get_readonly_fields(self, request, obj=None):
        return ["key"] if obj else []

    def save_model(self, request, obj, form, change):
        setting_set(key=obj.key, value=obj.value, actor=request.user)
