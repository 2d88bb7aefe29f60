"""Who may do what to a case: the role checks of the cases app.

Where a user may act (which centres, which department) is the scope's question
(``org.scopes``, ``cases.selectors.cases_for``); these predicates answer what
the user's roles allow.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.errors import Forbidden
from yichuang.org.models import Staff
from yichuang.org.permissions import holds
from yichuang.org.scopes import staff_of

from .models import CaseStep

# Roles that work cases; everyone else who sees a case only reads it.
ACTING_ROLES = (Role.CLERK, Role.DEPARTMENT_LEAD, Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN)
# Roles that may act on any step of a case they see, whatever its department.
ANY_STEP_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN)
# An extension is approved by the head of the authority (docs/domain.md,
# "Cases and the clock")...
APPROVER_ROLES = (Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD, Role.COUNTY_ADMIN)
# ...and for joint handling (the member cases of a bundle) by the head of the
# county government, for whom the county admin role stands.
JOINT_APPROVER_ROLES = (Role.COUNTY_ADMIN,)
CARD_LIFTER_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.INSPECTOR)
BREACH_RECORDER_ROLES = (Role.INSPECTOR, Role.CENTRE_DIRECTOR)


def may_act(user: Any) -> bool:
    """The user works cases (rather than only reading them)."""
    return holds(user, *ACTING_ROLES)


def require_actor(user: Any) -> Staff | None:
    """Refuse a read-only user (403); returns the actor's staff record, if any."""
    if not may_act(user):
        raise Forbidden("cases.forbidden", _("您只能查看办件，不能办理。"))
    return staff_of(user)


def may_handle_step(user: Any, staff: Staff | None, step: CaseStep) -> bool:
    """A step is worked by its department, by its post's A/B clerks, or by a
    director or the county admin."""
    if holds(user, *ANY_STEP_ROLES):
        return True
    if staff is None:
        return False
    if staff.department_id == step.department_id:
        return True
    post = step.post
    return post is not None and staff.pk in (post.a_staff_id, post.b_staff_id)


def may_approve_extension(user: Any) -> bool:
    return holds(user, *APPROVER_ROLES)


def may_approve_joint_extension(user: Any) -> bool:
    return holds(user, *JOINT_APPROVER_ROLES)


def may_lift_cards(user: Any) -> bool:
    return holds(user, *CARD_LIFTER_ROLES)


def may_record_breach(user: Any) -> bool:
    return holds(user, *BREACH_RECORDER_ROLES)


# Who reads the 失信记录 of the cases they see (the page /cases/credit/): those
# who oversee the work, not the window.
CREDIT_READER_ROLES = (
    Role.CENTRE_DIRECTOR,
    Role.DEPARTMENT_LEAD,
    Role.INSPECTOR,
    Role.COUNTY_ADMIN,
)


def may_read_credit(user: Any) -> bool:
    return holds(user, *CREDIT_READER_ROLES)


def require_credit_reader(user: Any) -> None:
    if not may_read_credit(user):
        raise Forbidden(
            "cases.credit_forbidden",
            _("只有中心主任、部门负责人和督查员可以查询失信记录。"),
        )
