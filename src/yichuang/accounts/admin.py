from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from yichuang.lib.audit import audit_record

from .models import ApiToken, User, UserRole


class UserRoleInline(admin.TabularInline):
    model = UserRole
    fk_name = "user"
    extra = 0
    fields = ["role", "granted_by", "created_at"]
    readonly_fields = ["granted_by", "created_at"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "display_name", "is_active", "locked_until", "last_login"]
    search_fields = ["username", "display_name"]
    inlines = [UserRoleInline]
    fieldsets = [
        *(BaseUserAdmin.fieldsets or ()),
        (
            "一窗",
            {
                "fields": [
                    "display_name",
                    "language",
                    "failed_logins",
                    "locked_until",
                    "totp_confirmed",
                ]
            },
        ),
    ]
    readonly_fields = ["failed_logins", "totp_confirmed", "last_login", "date_joined"]

    def save_formset(self, request, form, formset, change):
        # Role changes go through the action so that 三权分立 and audit apply.
        from .actions import user_grant_role, user_revoke_role

        if formset.model is not UserRole:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        for obj in formset.deleted_objects:
            user_revoke_role(user=user, role=obj.role, actor=request.user)
        for f in formset.forms:
            if f in formset.deleted_forms or not f.has_changed() or not f.cleaned_data:
                continue
            user_grant_role(user=user, role=f.cleaned_data["role"], actor=request.user)
        return None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit_record(
            "accounts.user_change" if change else "accounts.user_create",
            request=request,
            obj=obj,
            fields=list(form.changed_data),
        )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["user", "created_at", "expires_at", "last_used_at", "revoked_at"]
    readonly_fields = ["user", "key_hash", "created_at", "expires_at", "last_used_at"]
