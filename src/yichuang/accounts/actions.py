"""What changes accounts: sign-in with lockout, roles, tokens, TOTP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyotp
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import DomainError, TooManyRequests, Unauthorized
from yichuang.lib.throttle import Rule, rule_full, rule_hit, throttle_add, throttle_key

from .models import SEPARATED_ADMIN_ROLES, ApiToken, Role, User, UserRole, token_hash


def _locked_error(user: User) -> TooManyRequests:
    return _locked_until(user.locked_until or timezone.now())


def _locked_until(until: datetime) -> TooManyRequests:
    minutes = max(1, int((until - timezone.now()).total_seconds() // 60) + 1)
    return TooManyRequests(
        "accounts.locked",
        _("连续登录失败次数过多，账号已锁定，请 %(m)d 分钟后再试。") % {"m": minutes},
        retry_after_minutes=minutes,
    )


def _address_rule() -> Rule:
    return Rule(
        "signin-ip", settings.SIGN_IN_FAILURES_PER_ADDRESS, settings.SIGN_IN_ADDRESS_MINUTES * 60
    )


def _address_limited() -> TooManyRequests:
    minutes = settings.SIGN_IN_ADDRESS_MINUTES
    return TooManyRequests(
        "accounts.address_limited",
        _("该网络地址登录失败次数过多，请 %(m)d 分钟后再试。") % {"m": minutes},
        retry_after_minutes=minutes,
    )


def user_authenticate(
    *, username: str, password: str, otp: str | None = None, source_ip: str | None = None
) -> User:
    """Check a username and password (and TOTP where needed).

    Five failures lock the account for 15 minutes (settings); every attempt is
    audited. A username nobody holds is counted and locked the same way
    (``_unknown_name_failure``), so the answers never tell whether it exists.
    Failures also count per client address: past
    ``SIGN_IN_FAILURES_PER_ADDRESS`` in ``SIGN_IN_ADDRESS_MINUTES`` the address
    gets ``accounts.address_limited`` (429) before any password is checked.
    Raises ``accounts.bad_credentials`` (401), ``accounts.locked`` (429) or
    ``accounts.otp_required`` / ``accounts.bad_otp`` (401).
    """
    address = source_ip or "unknown"
    if rule_full(_address_rule(), address):
        raise _address_limited()
    try:
        return _authenticate(username=username, password=password, otp=otp, source_ip=source_ip)
    except (Unauthorized, TooManyRequests) as exc:
        if exc.code != "accounts.otp_required":
            rule_hit(_address_rule(), address)
        raise


def _authenticate(*, username: str, password: str, otp: str | None, source_ip: str | None) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise _unknown_name_failure(username, password, source_ip)
    if user.is_locked():
        audit_record("auth.login", actor=user, success=False, source_ip=source_ip, reason="locked")
        raise _locked_error(user)
    if not user.is_active or not user.check_password(password):
        _record_failure(user, source_ip)
        user.refresh_from_db(fields=["locked_until"])
        if user.is_locked():
            raise _locked_error(user)
        raise Unauthorized("accounts.bad_credentials", _("用户名或密码不正确。"))
    if user.needs_totp():
        if not user.totp_secret:
            audit_record(
                "auth.login", actor=user, success=False, source_ip=source_ip, reason="totp_not_set"
            )
            raise Unauthorized(
                "accounts.totp_setup_required",
                _("管理员账号须先设置动态口令（TOTP），请联系安全管理员。"),
            )
        if not otp:
            raise Unauthorized("accounts.otp_required", _("请输入动态口令。"))
        if not pyotp.TOTP(user.totp_secret).verify(otp, valid_window=1):
            _record_failure(user, source_ip)
            raise Unauthorized("accounts.bad_otp", _("动态口令不正确。"))
    User.objects.filter(pk=user.pk).update(
        failed_logins=0, locked_until=None, last_login=timezone.now()
    )
    audit_record("auth.login", actor=user, success=True, source_ip=source_ip)
    return user


# The failure count of a username nobody holds has no window, like
# ``User.failed_logins``: its counter row sits in this one far bucket.
_NAME_COUNT_BUCKET = datetime(2999, 12, 31, tzinfo=UTC)


def _unknown_name_failure(username: str, password: str, source_ip: str | None) -> DomainError:
    """Answer a username nobody holds as a known one with a wrong password.

    Its failures are counted per username string (hashed) in the throttle
    table; the fifth locks the name for ``LOCKOUT_MINUTES`` (a lock row whose
    bucket is the lock's end), so the sequence of answers (401 … 429) is the
    one a real account gives. The password is still hashed, so the answer
    takes as long as a real check."""
    from yichuang.feedback.models import Throttle

    User().set_password(password)
    now = timezone.now()
    lock_key = throttle_key("signin-lock", username)
    lock = Throttle.objects.filter(key=lock_key, bucket__gt=now).order_by("-bucket").first()
    if lock is not None:
        audit_record(
            "auth.login", success=False, source_ip=source_ip, username=username, reason="locked"
        )
        return _locked_until(lock.bucket)
    count_key = throttle_key("signin-name", username)
    failures = throttle_add(count_key, _NAME_COUNT_BUCKET)
    locked = failures >= settings.LOCKOUT_ATTEMPTS
    audit_record(
        "auth.login",
        success=False,
        source_ip=source_ip,
        username=username,
        failures=failures,
        locked=locked,
    )
    if not locked:
        return Unauthorized("accounts.bad_credentials", _("用户名或密码不正确。"))
    until = now + timedelta(minutes=settings.LOCKOUT_MINUTES)
    with transaction.atomic():
        Throttle.objects.filter(key=count_key).delete()
        Throttle.objects.create(key=lock_key, bucket=until, hits=1)
    return _locked_until(until)


def user_check_password(*, user: User, password: str, source_ip: str | None = None) -> None:
    """Check a signed-in user's current password (before changing it, say).

    A wrong password counts as a failed sign-in: the same count, lockout and
    ``auth.login`` audit entries as ``user_authenticate``, so an open session
    can't be used to guess the password without limit. Raises
    ``accounts.bad_password`` (401) or ``accounts.locked`` (429); the right
    password clears the count, as a sign-in does.
    """
    user.refresh_from_db(fields=["locked_until"])
    if user.is_locked():
        audit_record(
            "auth.login",
            actor=user,
            success=False,
            source_ip=source_ip,
            reason="locked",
            via="password_change",
        )
        raise _locked_error(user)
    if not user.check_password(password):
        _record_failure(user, source_ip, via="password_change")
        user.refresh_from_db(fields=["locked_until"])
        if user.is_locked():
            raise _locked_error(user)
        raise Unauthorized("accounts.bad_password", _("原密码不正确。"))
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)


def _record_failure(user: User, source_ip: str | None, **detail) -> None:
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        failures = User.objects.values_list("failed_logins", flat=True).get(pk=user.pk)
        locked = failures >= settings.LOCKOUT_ATTEMPTS
        if locked:
            User.objects.filter(pk=user.pk).update(
                failed_logins=0,
                locked_until=timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES),
            )
        audit_record(
            "auth.login",
            actor=user,
            success=False,
            source_ip=source_ip,
            failures=failures,
            locked=locked,
            **detail,
        )


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    display_name: str = "",
    roles: list[str] | tuple[str, ...] = (),
    actor: User | None = None,
    check_password: bool = True,
) -> User:
    if User.objects.filter(username=username).exists():
        raise DomainError("accounts.username_taken", _("用户名已存在。"))
    user = User(username=username, display_name=display_name)
    if check_password:
        user_validate_password(password, user)
    user.set_password(password)
    user.save()
    for role in roles:
        user_grant_role(user=user, role=role, actor=actor)
    audit_record("accounts.user_create", actor=actor, obj=user, roles=list(roles))
    return user


def user_validate_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise DomainError("accounts.weak_password", " ".join(exc.messages)) from exc


@transaction.atomic
def user_grant_role(*, user: User, role: str, actor: User | None = None) -> UserRole:
    if role not in Role.values:
        raise DomainError("accounts.unknown_role", _("未知角色：%(r)s") % {"r": role})
    held = set(user.roles.values_list("role", flat=True))
    if role in SEPARATED_ADMIN_ROLES and (held & SEPARATED_ADMIN_ROLES) - {role}:
        raise DomainError(
            "accounts.separation_of_duties",
            _("系统管理员、安全管理员、审计管理员三权分立，同一账号不得兼任。"),
        )
    grant, created = UserRole.objects.get_or_create(
        user=user, role=role, defaults={"granted_by": actor}
    )
    user.forget_roles()
    if created:
        audit_record("accounts.role_grant", actor=actor, obj=user, role=role)
    return grant


@transaction.atomic
def user_revoke_role(*, user: User, role: str, actor: User | None = None) -> None:
    deleted, _count = UserRole.objects.filter(user=user, role=role).delete()
    user.forget_roles()
    if deleted:
        audit_record("accounts.role_revoke", actor=actor, obj=user, role=role)


@transaction.atomic
def user_set_password(*, user: User, password: str, actor: User | None = None) -> None:
    """Set a new password and revoke every API token the user holds: a token
    taken with the old password (on a device left behind, say) must stop
    working with it."""
    user_validate_password(password, user)
    user.set_password(password)
    user.save(update_fields=["password", "updated_at"])
    revoked = ApiToken.objects.live().filter(user=user).update(revoked_at=timezone.now())
    audit_record("accounts.password_change", actor=actor or user, obj=user, tokens_revoked=revoked)


@transaction.atomic
def user_set_language(*, user: User, language: str) -> None:
    if language not in dict(settings.LANGUAGES):
        raise DomainError("accounts.unknown_language", _("不支持的语言。"))
    user.language = language
    user.save(update_fields=["language", "updated_at"])


@transaction.atomic
def user_unlock(*, user: User, actor: User) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit_record("accounts.unlock", actor=actor, obj=user)


@transaction.atomic
def user_totp_begin(*, user: User) -> str:
    """Give the user a new TOTP secret (confirmed by ``user_totp_confirm``)."""
    user.totp_secret = pyotp.random_base32()
    user.totp_confirmed = False
    user.save(update_fields=["totp_secret", "totp_confirmed", "updated_at"])
    audit_record("accounts.totp_begin", actor=user, obj=user)
    return user.totp_secret


@transaction.atomic
def user_totp_confirm(*, user: User, otp: str) -> None:
    if not user.totp_secret or not pyotp.TOTP(user.totp_secret).verify(otp, valid_window=1):
        raise DomainError("accounts.bad_otp", _("动态口令不正确。"))
    user.totp_confirmed = True
    user.save(update_fields=["totp_confirmed", "updated_at"])
    audit_record("accounts.totp_confirm", actor=user, obj=user)


@transaction.atomic
def api_token_issue(*, user: User, source_ip: str | None = None) -> str:
    raw = ApiToken.new_key()
    ApiToken.objects.create(
        user=user, key_hash=token_hash(raw), expires_at=ApiToken.default_expiry()
    )
    audit_record("auth.token_issue", actor=user, obj=user, source_ip=source_ip)
    return raw


@transaction.atomic
def api_token_revoke(*, raw: str, actor: User) -> None:
    ApiToken.objects.filter(key_hash=token_hash(raw)).update(revoked_at=timezone.now())
    audit_record("auth.token_revoke", actor=actor, obj=actor)


@transaction.atomic
def user_totp_reset(*, user: User, actor: User) -> None:
    """Forget the user's TOTP secret (a lost phone): the next sign-in asks for a
    new one to be set up. The security administrator's act, audited."""
    User.objects.filter(pk=user.pk).update(totp_secret="", totp_confirmed=False)
    audit_record("accounts.totp_reset", actor=actor, obj=user)


@transaction.atomic
def user_password_was_reset(*, user: User, actor: User) -> None:
    """After an administrator set someone's password (the admin site's password
    form, which checked it against the policy): as with ``user_set_password``,
    every API token the user held stops working, and the act is audited."""
    revoked = ApiToken.objects.live().filter(user=user).update(revoked_at=timezone.now())
    audit_record("accounts.password_reset", actor=actor, obj=user, tokens_revoked=revoked)
