"""Admin: reason lists and complaint categories are edited here; ratings,
events and contact views are shown read-only (they are append-only)."""

from __future__ import annotations

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    Complaint,
    ComplaintCategory,
    ContactView,
    FeedbackEvent,
    Open311Client,
    OverdueNotice,
    Rating,
    Reason,
    ReasonList,
    StaffPhone,
)


class ReasonInline(admin.TabularInline):
    model = Reason
    extra = 0


@admin.register(ReasonList)
class ReasonListAdmin(admin.ModelAdmin):
    list_display = ("version", "is_current", "note", "created_at")
    inlines = [ReasonInline]


class CategoryKindFilter(admin.SimpleListFilter):
    title = _("默认类型")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return Complaint.Kind.choices

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


@admin.register(ComplaintCategory)
class ComplaintCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind_shown", "group", "department", "is_active")
    list_filter = (CategoryKindFilter, "is_active")

    @admin.display(description=_("默认类型"), ordering="kind")
    def kind_shown(self, obj: ComplaintCategory) -> str:
        kinds = dict(Complaint.Kind.choices)
        return str(kinds.get(obj.kind, obj.kind))


@admin.register(Open311Client)
class Open311ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "is_active", "last_used_at", "created_at")
    readonly_fields = ("key_hash", "last_used_at")


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Rating)
class RatingAdmin(ReadOnly):
    list_display = ("created_at", "level", "channel", "centre", "window", "clerk", "excluded")
    list_filter = ("level", "channel", "excluded", "is_default")
    date_hierarchy = "day"


@admin.register(FeedbackEvent)
class FeedbackEventAdmin(ReadOnly):
    list_display = ("at", "type", "old_status", "new_status", "actor")
    list_filter = ("type",)


@admin.register(ContactView)
class ContactViewAdmin(ReadOnly):
    list_display = ("at", "viewer", "rectification", "complaint", "source_ip")


@admin.register(StaffPhone)
class StaffPhoneAdmin(admin.ModelAdmin):
    list_display = ("user", "masked", "updated_at")
    raw_id_fields = ("user",)

    @admin.display(description="手机号")
    def masked(self, obj: StaffPhone) -> str:
        from yichuang.lib.crypto import mask_phone

        return mask_phone(obj.phone)


@admin.register(OverdueNotice)
class OverdueNoticeAdmin(ReadOnly):
    list_display = ("key", "stage", "due_date", "handler", "sms_status", "created_at")
    list_filter = ("stage", "sms_status")
