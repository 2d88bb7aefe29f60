import pytest

from yichuang.accounts.actions import user_create, user_grant_role, user_revoke_role
from yichuang.accounts.models import Role, UserRole
from yichuang.lib.audit import AuditEntry
from yichuang.lib.errors import DomainError


def test_it_refuses_a_second_separated_admin_role(county):
    with pytest.raises(DomainError) as err:
        user_grant_role(user=county.admin, role=Role.AUDIT_ADMIN, actor=county.security)
    assert err.value.code == "accounts.separation_of_duties"
    assert set(county.admin.roles.values_list("role", flat=True)) == {"system_admin"}


def test_it_allows_a_non_admin_role_beside_an_admin_role(county):
    user_grant_role(user=county.admin, role=Role.INSPECTOR, actor=county.security)
    assert UserRole.objects.filter(user=county.admin, role="inspector").exists()


def test_it_audits_grants_and_revocations(county):
    user_grant_role(user=county.clerk, role=Role.GREETER, actor=county.security)
    user_revoke_role(user=county.clerk, role=Role.GREETER, actor=county.security)
    events = list(
        AuditEntry.objects.filter(
            object_id=str(county.clerk.pk), event__startswith="accounts.role_"
        )
        .order_by("id")
        .values_list("event", "actor_name")
    )
    assert events == [("accounts.role_grant", "security"), ("accounts.role_revoke", "security")]


def test_it_refuses_an_unknown_role(county):
    with pytest.raises(DomainError) as err:
        user_grant_role(user=county.clerk, role="king")
    assert err.value.code == "accounts.unknown_role"


@pytest.mark.parametrize("password", ["short1A", "alllowercase1", "NoDigitsHere", "12345678"])
def test_it_refuses_weak_passwords_and_creates_nothing(county, password):
    with pytest.raises(DomainError) as err:
        user_create(username="newbie", password=password, roles=[Role.CLERK])
    assert err.value.code == "accounts.weak_password"
    from yichuang.accounts.models import User

    assert not User.objects.filter(username="newbie").exists()


def test_it_accepts_a_password_with_three_classes(county):
    user = user_create(username="newbie", password="Window#2026", roles=[Role.CLERK])
    assert user.check_password("Window#2026") and user.has_role(Role.CLERK)
