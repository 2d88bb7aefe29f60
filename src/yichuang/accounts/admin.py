from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Forbidden

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
    actions = ["unlock", "reset_totp"]
    # No superuser flag, groups or per-user permissions: what an account may do
    # comes from its roles alone (accounts.admin_roles), so the security
    # administrator can't make anyone, himself included, all-powerful.
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (gettext_lazy("个人信息"), {"fields": ["first_name", "last_name", "email"]}),
        (gettext_lazy("状态"), {"fields": ["is_active", "last_login", "date_joined"]}),
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
    list_filter = ["is_active"]

    @admin.action(description=gettext_lazy("解除锁定"))
    def unlock(self, request, queryset):
        from .actions import user_unlock

        for user in queryset:
            user_unlock(user=user, actor=request.user)
        self.message_user(request, _("已解除锁定。"), messages.SUCCESS)

    @admin.action(description=gettext_lazy("重置动态口令"))
    def reset_totp(self, request, queryset):
        from .actions import user_totp_reset

        for user in queryset:
            user_totp_reset(user=user, actor=request.user)
        self.message_user(request, _("已重置动态口令，下次登录时重新绑定。"), messages.SUCCESS)

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            from django.contrib.admin.utils import unquote

            from .actions import user_password_was_reset

            user = self.get_object(request, unquote(id))
            if user is not None:
                user_password_was_reset(user=user, actor=request.user)
        return response

    def save_formset(self, request, form, formset, change):
        # Role changes go through the action so that 三权分立 and audit apply.
        from .actions import user_grant_role, user_revoke_role

        if formset.model is not UserRole:
            return super().save_formset(request, form, formset, change)
        user = form.instance
        if user.pk == request.user.pk and any(
            f.has_changed() or f in formset.deleted_forms for f in formset.forms
        ):
            # No one changes his own roles (he could give himself a hall role
            # and read its records): another security administrator does.
            raise Forbidden(
                "accounts.own_roles", _("不能修改自己的角色，请由另一位安全管理员办理。")
            )
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
