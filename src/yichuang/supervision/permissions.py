"""Who may do what in supervision. Where (which centres and departments) is
the scope's business (``yichuang.org.scopes``); ``selectors`` combines the two.

- Inspectors (the supervision office) and directors record visits, publish
  covert ones, verify or send back rectifications and record 领导交办.
- Directors and department leads enter self-checks (自查) of their unit and
  plan and submit the rectification of their unit's rows; a row's owner
  plans and submits his own.
- The county administrator reads the ledger and changes nothing.
- Nobody verifies a rectification he submitted (``supervision.self_verify``).
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.errors import Forbidden
from yichuang.org.permissions import holds
from yichuang.org.scopes import staff_of

# Record visits (CONTRACT: inspectors and directors only).
INSPECT_ROLES = (Role.INSPECTOR, Role.CENTRE_DIRECTOR)
# Verify or send back a submitted rectification.
VERIFY_ROLES = (Role.INSPECTOR, Role.CENTRE_DIRECTOR)
# See their scope's ledger (beyond the rows that name them).
OVERSEE_ROLES = (
    Role.INSPECTOR,
    Role.CENTRE_DIRECTOR,
    Role.DEPARTMENT_LEAD,
    Role.COUNTY_ADMIN,
)
# Plan and submit any row of their scope.
RECTIFY_ROLES = (Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD)
# Which roles may open a row of each hand-entered source.
OPEN_ROLES = {
    "self_check": (Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD, Role.INSPECTOR),
    "leadership": (Role.CENTRE_DIRECTOR, Role.INSPECTOR),
}


def is_inspector(user) -> bool:
    """The supervision office: sees covert findings before publication."""
    return holds(user, Role.INSPECTOR)


def may_inspect(user) -> bool:
    return holds(user, *INSPECT_ROLES)


def may_verify(user) -> bool:
    return holds(user, *VERIFY_ROLES)


def oversees_ledger(user) -> bool:
    return holds(user, *OVERSEE_ROLES)


def require_inspector(user) -> None:
    if not may_inspect(user):
        raise Forbidden("supervision.not_inspector", _("只有督查员和中心主任可以登记监督检查。"))


def require_verifier(user) -> None:
    if not may_verify(user):
        raise Forbidden(
            "supervision.not_verifier", _("整改验收由督查室或中心主任负责，您没有验收权限。")
        )


def require_opener(user, source: str) -> None:
    if not holds(user, *OPEN_ROLES.get(source, ())):
        raise Forbidden("supervision.not_allowed", _("您不能登记这一来源的问题。"))


def may_rectify(user, problem) -> bool:
    """The row's owner, or a director or department lead who sees it (the
    caller has fetched the row through ``selectors.get_problem_for``)."""
    if holds(user, *RECTIFY_ROLES):
        return True
    staff = staff_of(user)
    return staff is not None and problem.owner_id == staff.pk


def require_rectifier(user, problem) -> None:
    if not may_rectify(user, problem):
        raise Forbidden(
            "supervision.not_responsible", _("只有整改责任人或本单位负责人可以办理整改。")
        )
