"""Role predicates every app shares.

A user's roles say what the user may do; the staff record (``org.scopes``) says
where. These predicates answer the first question; the scopes the second.
"""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _

from yichuang.accounts.models import SEPARATED_ADMIN_ROLES, Role
from yichuang.lib.errors import Forbidden

# Roles that see every centre's and department's records whatever their staff
# record says: none. 三权分立 (docs/domain.md, "Security"): the system
# administrator configures the installation and the audit administrator reads
# everything that happened in it, both in the admin site; neither reads the
# halls' records (cases, ratings, complaints, documents, tickets). Only a
# superuser, whom the seeded install doesn't have, sees everything.
EVERYWHERE_ROLES: tuple[str, ...] = ()

# Roles that oversee a hall and so see its organisation at a glance (windows
# open, staff absent, A/B posts left uncovered).
OVERSEER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.INSPECTOR)


def holds(user, *roles: str) -> bool:
    """The user is signed in and holds one of ``roles``; a superuser holds all."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.has_role(*roles))


def only_administers(user) -> bool:
    """The user holds only system, security or audit administrator roles: the
    halls' records are none of the user's business, whatever the staff record
    says (``org.scopes.staff_of`` gives such a user no place in the halls)."""
    if user is None or not user.is_authenticated or user.is_superuser:
        return False
    roles = user.role_set
    return bool(roles) and roles <= SEPARATED_ADMIN_ROLES


def sees_everything(user) -> bool:
    """The user's scope is the whole installation, not the staff record's."""
    return holds(user, *EVERYWHERE_ROLES)


def oversees(user) -> bool:
    """The user oversees halls (see ``OVERSEER_ROLES``)."""
    return holds(user, *OVERSEER_ROLES)


def hall_staff_required(view):
    """A page of the halls' records (case desk, 好差评 desk, console, dashboard):
    sign-in required, and an account holding only administrator roles is refused
    with 403 ``org.administrators_only`` rather than shown an empty desk."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if only_administers(request.user):
            raise Forbidden(
                "org.administrators_only",
                _("系统、安全和审计管理员账号不查看或办理业务数据（三权分立）。"),
            )
        return view(request, *args, **kwargs)

    return login_required(wrapper)
