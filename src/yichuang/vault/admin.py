from django.contrib import admin

from .models import AccessLog, Consent


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The access log is append-only: read it, never edit it."""

    list_display = ("at", "kind", "actor_name", "department", "case_label", "basis")
    list_filter = ("kind", "basis")

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Consent)
class ConsentAdmin(admin.ModelAdmin):
    list_display = ("person", "scope", "valid_until", "revoked_at")
    readonly_fields = ("person", "scope", "document_types", "item_codes", "recorded_by")
