"""Role predicates every app shares.

A user's roles say what the user may do; the staff record (``org.scopes``) says
where. These predicates answer the first question; the scopes the second.
"""

from __future__ import annotations

from yichuang.accounts.models import Role

# Roles that see every centre and department of the installation whatever their
# staff record says: the system administrator runs it, the audit administrator
# reads everything that happened in it.
EVERYWHERE_ROLES = (Role.SYSTEM_ADMIN, Role.AUDIT_ADMIN)

# Roles that oversee a hall and so see its organisation at a glance (windows
# open, staff absent, A/B posts left uncovered).
OVERSEER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.INSPECTOR, Role.SYSTEM_ADMIN)


def holds(user, *roles: str) -> bool:
    """The user is signed in and holds one of ``roles``; a superuser holds all."""
    if user is None or not user.is_authenticated:
        return False
    return bool(user.is_superuser or user.has_role(*roles))


def sees_everything(user) -> bool:
    """The user's scope is the whole installation, not the staff record's."""
    return holds(user, *EVERYWHERE_ROLES)


def oversees(user) -> bool:
    """The user oversees halls (see ``OVERSEER_ROLES``)."""
    return holds(user, *OVERSEER_ROLES)
