"""Who may see what of a person's data. Reading a document for a case is
governed by the document type and the person's consent (``actions.reuse_basis``);
seeing a full ID number or phone needs a permission or a leading role."""

from __future__ import annotations

from typing import Any

from yichuang.accounts.models import Role

UNMASK_ROLES = (Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD)


def can_unmask(user: Any) -> bool:
    """May ``user`` see a person's full ID number and phone (logged)?"""
    return bool(
        user.is_superuser or user.has_perm("vault.unmask_person") or user.has_role(*UNMASK_ROLES)
    )
