"""What each administrator role may do in the admin site (三权分立, docs/domain.md,
"Security").

The admin site asks ``user.has_perm("app.view_model")`` and the like; the
:class:`RolePermissionBackend` answers from ``ADMIN_MODELS`` by the user's
roles, so no account needs Django's superuser flag or per-user permissions:

- the system administrator: the organisation (regions, centres, departments,
  windows, staff, posts, devices; staff absences read only, as directors
  record them on their page), the working calendar, the settings, and the
  lists the halls choose from (reason lists, complaint categories, Open311
  clients); and the cases whose deadline waits for a calendar year, the
  alert that calls for loading it;
- the security administrator: accounts, their roles, API tokens and staff
  phones (the password, lockout and TOTP resets are on the account's page);
- the audit administrator: the audit log and the other logs of who saw
  what (document reads, contact views), read and export only;
- the county administrator: the catalogue's items and bundles, and the staff
  absences (which he also records on /org/absences/), read only; the business
  lines and the knowledge base's synonym groups, which he edits.

None of them is given cases, ratings, complaints, rectifications, documents
or notices: the halls' records stay with the halls' roles.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import BaseBackend

from .models import Role

VIEW = ("view",)
EDIT = ("view", "add", "change", "delete")
EDIT_NO_DELETE = ("view", "add", "change")

# role -> {"app_label.model_name": actions}
ADMIN_MODELS: dict[str, dict[str, tuple[str, ...]]] = {
    Role.SYSTEM_ADMIN: {
        "org.region": EDIT,
        "org.centre": EDIT,
        "org.department": EDIT,
        "org.window": EDIT,
        "org.staff": EDIT,
        "org.post": EDIT,
        "org.device": EDIT,
        "org.calendaryear": EDIT,
        "org.workcalendar": EDIT,
        "org.openingexception": EDIT,
        "org.staffabsence": VIEW,
        "lib.setting": EDIT_NO_DELETE,
        "feedback.reasonlist": EDIT,
        "feedback.reason": EDIT,
        "feedback.complaintcategory": EDIT,
        "feedback.open311client": EDIT,
        "cases.pendingcalendarcase": VIEW,
    },
    Role.SECURITY_ADMIN: {
        "accounts.user": EDIT_NO_DELETE,
        "accounts.userrole": EDIT,
        "accounts.apitoken": ("view", "change"),
        "feedback.staffphone": EDIT,
    },
    Role.AUDIT_ADMIN: {
        "lib.auditentry": VIEW,
        "lib.auditseal": VIEW,
        "vault.accesslog": VIEW,
        "feedback.contactview": VIEW,
    },
    # Read only: the catalogue is edited on its own pages (/catalog/), whose
    # actions keep the versions and the audit.
    Role.COUNTY_ADMIN: {
        "catalog.item": VIEW,
        "catalog.itemversion": VIEW,
        "catalog.bundle": VIEW,
        "org.staffabsence": VIEW,
        "org.businessline": EDIT_NO_DELETE,
        "knowledge.synonymgroup": EDIT,
    },
}


def role_permissions(roles: set[str]) -> set[str]:
    """Django permission names (``app.action_model``) the roles hold."""
    perms: set[str] = set()
    for role in roles:
        for label, actions in ADMIN_MODELS.get(role, {}).items():
            app_label, model = label.split(".")
            perms.update(f"{app_label}.{action}_{model}" for action in actions)
    return perms


class RolePermissionBackend(BaseBackend):
    """Permissions from roles; it authenticates no one (sign-in is
    ``accounts.actions.user_authenticate``)."""

    def get_all_permissions(self, user_obj: Any, obj: Any = None) -> set[str]:
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        return role_permissions(user_obj.role_set)

    def has_perm(self, user_obj: Any, perm: str, obj: Any = None) -> bool:
        return perm in self.get_all_permissions(user_obj, obj)

    def has_module_perms(self, user_obj: Any, app_label: str) -> bool:
        return any(p.startswith(f"{app_label}.") for p in self.get_all_permissions(user_obj))
