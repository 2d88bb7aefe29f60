"""Who may do what in the catalogue. Reading the published catalogue needs no
role (办事指南 are public); the management screens need one; editing needs a
manager role, and a department lead edits only his department's items; bundles
(一件事) span departments, so only county-wide managers keep them."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.errors import Forbidden
from yichuang.org.models import Department
from yichuang.org.permissions import holds, sees_everything
from yichuang.org.scopes import departments_for

MANAGER_ROLES = (Role.COUNTY_ADMIN, Role.DEPARTMENT_LEAD, Role.SYSTEM_ADMIN)
BUNDLE_ROLES = (Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN)


def can_read(user) -> bool:
    """May ``user`` open the management screens (any role)?"""
    return bool(user.role_set or user.is_superuser)


def require_reader(user) -> None:
    if not can_read(user):
        raise Forbidden("catalog.forbidden", _("您没有查看事项目录的权限。"))


def can_manage(user) -> bool:
    return holds(user, *MANAGER_ROLES)


def require_manager(user) -> None:
    if not can_manage(user):
        raise Forbidden("catalog.forbidden", _("您没有维护事项目录的权限。"))


def can_manage_bundles(user) -> bool:
    """County-wide managers: they keep bundles and export the whole catalogue."""
    return holds(user, *BUNDLE_ROLES)


def managed_departments(user) -> QuerySet[Department]:
    """Departments whose items ``user`` may edit (a department lead: his own)."""
    if not can_manage(user):
        return Department.objects.none()
    if sees_everything(user):
        return Department.objects.all()
    return departments_for(user)
