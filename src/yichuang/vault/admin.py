from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AccessLog, Consent

# What allowed a read, as the citizen's own page (my_data.html) names it.
BASIS_LABELS = {
    "consent": _("本人授权"),
    "unconditional": _("无条件共享"),
    "unmask": _("查看完整证件号"),
    "lookup": _("身份查询"),
}


class BasisFilter(admin.SimpleListFilter):
    title = _("依据")
    parameter_name = "basis"

    def lookups(self, request, model_admin):
        return list(BASIS_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(basis=self.value()) if self.value() else queryset


@admin.register(AccessLog)
class AccessLogAdmin(admin.ModelAdmin):
    """The access log is append-only: read it, never edit it."""

    list_display = ("at", "kind", "actor_name", "department", "case_label", "basis_shown")
    list_filter = ("kind", BasisFilter)

    @admin.display(description=_("依据"), ordering="basis")
    def basis_shown(self, obj: AccessLog) -> str:
        return str(BASIS_LABELS.get(obj.basis, obj.basis))

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
