from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDIT_ADMIN = "audit_admin", _("审计管理员")
    COUNTY_ADMIN = "county_admin", _("县级管理员")
    CENTRE_DIRECTOR = "centre_director", _("中心主任")
    DEPARTMENT_LEAD = "department_lead", _("部门负责人")
    CLERK = "clerk", _("窗口工作人员")
    GREETER = "greeter", _("导办员")
    INSPECTOR = "inspector", _("督查员")


# 三权分立: no account holds two of these (docs/domain.md, "Security").
SEPARATED_ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
# Roles that must use TOTP in production mode.
ADMIN_ROLES = SEPARATED_ADMIN_ROLES | {Role.COUNTY_ADMIN}


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    language = models.CharField(
        _("界面语言"), max_length=10, choices=settings.LANGUAGES, default="zh-hans"
    )
    failed_logins = models.PositiveSmallIntegerField(_("连续登录失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    totp_secret = models.CharField(_("动态口令密钥"), max_length=64, blank=True)
    totp_confirmed = models.BooleanField(_("已启用动态口令"), default=False)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_short_name(self) -> str:
        """The name the admin site greets the user by (欢迎，系统管理员)."""
        return self.display_name or self.first_name

    @property
    def role_set(self) -> set[str]:
        cached: set[str] | None = getattr(self, "_role_cache", None)
        if cached is None:
            cached = set(self.roles.values_list("role", flat=True))
            self._role_cache = cached
        return cached

    def forget_roles(self) -> None:
        self.__dict__.pop("_role_cache", None)

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_set.intersection(roles))

    def is_locked(self, now=None) -> bool:
        now = now or timezone.now()
        return self.locked_until is not None and self.locked_until > now

    def needs_totp(self) -> bool:
        if self.totp_confirmed:
            return True
        return bool(settings.TOTP_REQUIRED_FOR_ADMINS and self.role_set & ADMIN_ROLES)


class UserRole(models.Model):
    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="roles"
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("授予人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["user_id", "role"]
        constraints = [models.UniqueConstraint(fields=["user", "role"], name="uniq_user_role")]
        verbose_name = _("角色授予")
        verbose_name_plural = _("角色授予")

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def live(self):
        return self.filter(revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A bearer token for a staff user. Only the SHA-256 of the token is stored."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(_("令牌摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    expires_at = models.DateTimeField(_("过期时间"))
    last_used_at = models.DateTimeField(_("最近使用时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.user} token {self.pk}"

    @classmethod
    def new_key(cls) -> str:
        return "yc_" + secrets.token_urlsafe(32)

    @staticmethod
    def default_expiry():
        return timezone.now() + timedelta(days=settings.API_TOKEN_DAYS)
