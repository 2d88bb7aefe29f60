from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yichuang.org.admin import BusinessLineAdmin, LineMappingInline, label_mapping

from .models import Bundle, Item, ItemVersion, OneTimeNotice

label_mapping(Item.lines.through, _("事项业务条线"), item=_("事项"), businessline=_("业务条线"))


class ItemLineInline(LineMappingInline):
    """The items of a business line, edited on the line's admin page."""

    model = Item.lines.through
    autocomplete_fields = ["item"]
    verbose_name = _("事项")
    verbose_name_plural = _("所属事项")


BusinessLineAdmin.inlines.append(ItemLineInline)


@admin.register(Item)
class ItemAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "department", "current_version", "is_active")
    list_filter = ("department", "is_active")
    search_fields = ("code", "name", "initials")
    readonly_fields = ("current_version", "initials")


@admin.register(ItemVersion)
class ItemVersionAdmin(admin.ModelAdmin):
    """Read-only: versions change through the catalogue editor (published ones never)."""

    list_display = ("item", "number", "status", "published_at")
    list_filter = ("status",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bundle)
class BundleAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "is_active")


@admin.register(OneTimeNotice)
class OneTimeNoticeAdmin(admin.ModelAdmin):
    list_display = ("reference", "item", "applicant", "centre", "created_at")
    search_fields = ("reference",)
    exclude = ("applicant_name",)

    @admin.display(description=_("申请人"))
    def applicant(self, obj: OneTimeNotice) -> str:
        return obj.masked_applicant_name

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
