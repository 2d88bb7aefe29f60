from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from yichuang.lib.audit import audit_record

from .models import (
    BusinessLine,
    CalendarYear,
    Centre,
    Department,
    Device,
    OpeningException,
    Post,
    Region,
    Staff,
    StaffAbsence,
    Window,
    WorkCalendar,
)


class AuditedAdmin(admin.ModelAdmin):
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            f"org.{obj._meta.model_name}_{'change' if change else 'create'}",
            request=request,
            obj=obj,
            fields=list(form.changed_data),
        )

    def delete_model(self, request, obj):
        audit_record(f"org.{obj._meta.model_name}_delete", request=request, obj=obj)
        super().delete_model(request, obj)


@admin.register(Region)
class RegionAdmin(AuditedAdmin):
    list_display = ["code", "name", "level", "parent"]
    search_fields = ["code", "name"]


@admin.register(Centre)
class CentreAdmin(AuditedAdmin):
    list_display = [
        "code",
        "name",
        "kind",
        "region",
        "makeup_hours_from",
        "always_open",
        "is_active",
    ]
    search_fields = ["code", "name"]


@admin.register(Department)
class DepartmentAdmin(AuditedAdmin):
    list_display = ["code", "name", "short_name", "region"]
    filter_horizontal = ["lines"]


def label_mapping(through, name, **fields) -> None:
    """Chinese labels for an implicit many-to-many table the admin shows as
    an inline (Django names it "Department-BusinessLine relationship")."""
    through._meta.verbose_name = through._meta.verbose_name_plural = name
    for field, label in fields.items():
        through._meta.get_field(field).verbose_name = label


class LineMappingInline(admin.TabularInline):
    """Rows of a many-to-many to the business lines (departments here; the
    catalogue's items and the queues add theirs from their own admin
    modules). Whoever may change the lines may change the mapping."""

    extra = 0

    def _may(self, request, action: str) -> bool:
        return request.user.has_perm(f"org.{action}_businessline")

    def has_view_permission(self, request, obj=None):
        return self._may(request, "view")

    def has_add_permission(self, request, obj):
        return self._may(request, "change")

    def has_change_permission(self, request, obj=None):
        return self._may(request, "change")

    def has_delete_permission(self, request, obj=None):
        return self._may(request, "change")


label_mapping(
    Department.lines.through, _("部门业务条线"), department=_("部门"), businessline=_("业务条线")
)


class DepartmentLineInline(LineMappingInline):
    model = Department.lines.through
    verbose_name = _("部门")
    verbose_name_plural = _("所属部门")


@admin.register(BusinessLine)
class BusinessLineAdmin(AuditedAdmin):
    list_display = ["code", "name", "sort"]
    ordering = ["sort", "code"]
    # catalog.admin and queueing.admin append the items' and queues' inlines.
    inlines: list = [DepartmentLineInline]


@admin.register(Window)
class WindowAdmin(AuditedAdmin):
    list_display = ["centre", "number", "name", "kind", "department", "state", "is_active"]
    list_filter = ["centre", "kind"]


@admin.register(Staff)
class StaffAdmin(AuditedAdmin):
    list_display = ["employee_no", "name", "centre", "department", "scope", "is_present"]
    list_filter = ["centre", "scope", "is_present"]
    search_fields = ["name", "employee_no"]


@admin.register(Post)
class PostAdmin(AuditedAdmin):
    list_display = ["centre", "department", "name", "a_staff", "b_staff"]
    list_filter = ["centre", "department"]


@admin.register(Device)
class DeviceAdmin(AuditedAdmin):
    list_display = ["centre", "kind", "name", "window", "is_active", "last_seen_at"]
    readonly_fields = ["token_hash", "last_seen_at"]


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    list_display = ["year", "status", "source"]


@admin.register(WorkCalendar)
class WorkCalendarAdmin(AuditedAdmin):
    list_display = ["date", "kind", "name", "source"]
    list_filter = ["kind"]
    date_hierarchy = "date"


@admin.register(OpeningException)
class OpeningExceptionAdmin(AuditedAdmin):
    list_display = ["date", "centre", "kind", "spans_shown", "note"]
    list_filter = ["kind", "centre"]
    date_hierarchy = "date"

    @admin.display(description=_("时段"))
    def spans_shown(self, obj: OpeningException) -> str:
        return obj.spans_text()


@admin.register(StaffAbsence)
class StaffAbsenceAdmin(admin.ModelAdmin):
    """Read only: absences are recorded and cancelled on the director's page
    (/org/absences/), whose actions refuse overlaps and audit each change."""

    list_display = ["staff", "kind", "start", "end", "note", "created_by", "cancelled_at"]
    list_filter = ["kind", "staff__centre"]
    search_fields = ["staff__name", "staff__employee_no"]
    date_hierarchy = "start"
    list_select_related = ["staff", "created_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
