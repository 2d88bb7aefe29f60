"""Who may do what in feedback: the role checks of ratings, appeals,
rectifications and complaints. Where (which centres and departments) is the
scope's business (``yichuang.org.scopes``); ``selectors`` combines the two."""

from __future__ import annotations

from yichuang.accounts.models import Role
from yichuang.org.models import Staff
from yichuang.org.permissions import holds
from yichuang.org.scopes import centres_for, staff_of

# Decide appeals, mark a "办不成事" request complex, close what a handler finished.
REVIEWER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN)
# See the ratings, rectifications and complaints of their scope (the board).
OVERSEER_ROLES = (
    Role.CENTRE_DIRECTOR,
    Role.COUNTY_ADMIN,
    Role.DEPARTMENT_LEAD,
    Role.INSPECTOR,
    Role.SYSTEM_ADMIN,
)
# Name the handler of a rectification or complaint.
ASSIGNER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.DEPARTMENT_LEAD)


def is_reviewer(user) -> bool:
    return holds(user, *REVIEWER_ROLES)


def is_overseer(user) -> bool:
    return holds(user, *OVERSEER_ROLES)


def is_assigner(user) -> bool:
    """The user holds a role that assigns handlers somewhere (``can_assign``
    says whether here)."""
    return holds(user, *ASSIGNER_ROLES)


def sees_every_item(user) -> bool:
    """The user sees every rectification, complaint and overdue notice of the
    installation: the system administrator (the audit administrator, who
    sees every rating, does not see the handling of them)."""
    return holds(user, Role.SYSTEM_ADMIN)


def can_assign(user, *, centre_id: int | None, department_id: int | None) -> bool:
    """The user may name the handler of an item of this centre and department:
    a director or county administrator for the centres of his scope, a
    department lead for his department."""
    if user.is_superuser:
        return True
    if not user.has_role(*ASSIGNER_ROLES):
        return False
    staff = staff_of(user)
    if staff is None:
        return False
    if staff.scope == Staff.Scope.DEPARTMENT:
        return department_id is not None and department_id == staff.department_id
    return centre_id is None or centres_for(user).filter(pk=centre_id).exists()


def can_close(user, *, centre_id: int | None, department_id: int | None) -> bool:
    """The user may close a rectification fed back to the citizen."""
    return is_reviewer(user) or can_assign(user, centre_id=centre_id, department_id=department_id)
