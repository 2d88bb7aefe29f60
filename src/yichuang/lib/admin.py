from django.contrib import admin

from .audit import AuditEntry
from .config import Setting, setting_set


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


@admin.register(Setting)
class SettingAdmin(admin.ModelAdmin):
    """Changes go through setting_set, so they are validated and audited."""

    list_display = ["key", "value", "description", "updated_by", "updated_at"]
    fields = ["key", "value"]

    def get_readonly_fields(self, request, obj=None):
        return ["key"] if obj else []

    def save_model(self, request, obj, form, change):
        setting_set(key=obj.key, value=obj.value, actor=request.user)
