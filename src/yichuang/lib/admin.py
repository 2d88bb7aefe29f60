from django.contrib import admin

from .audit import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only."""

    list_display = ["at", "actor_name", "event", "object_type", "object_id", "success", "source_ip"]
    list_filter = ["success", "event"]
    search_fields = ["actor_name", "event", "object_id"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
