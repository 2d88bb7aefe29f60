"""Who may do what in feedback: the role checks of ratings, appeals,
rectifications and complaints. Where (which centres and departments) is the
scope's business (``yichuang.org.scopes``); ``selectors`` combines the two."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yichuang.accounts.models import SEPARATED_ADMIN_ROLES, Role
from yichuang.lib.errors import Forbidden, Unprocessable
from yichuang.org.models import Centre, Staff
from yichuang.org.permissions import holds, sees_everything
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
    installation: only one who sees everything (``org.permissions``; the
    administrators of 三权分立 don't read them)."""
    return sees_everything(user)


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


def handlers_in_scope(
    *, centre_id: int | None, department_id: int | None, assigner
) -> QuerySet[Staff]:
    """The staff who may handle a rectification or complaint of this centre
    and department, and so read the citizen's contact details: staff whose
    own scope covers the centre (its clerks and director, or staff of the
    county above it), of the item's department or of none, and not one of
    the 三权分立 administrators. For an item not routed to a centre yet, the
    staff of the centres the ``assigner`` sees."""
    qs = Staff.objects.filter(user__isnull=False, user__is_active=True).exclude(
        user__roles__role__in=SEPARATED_ADMIN_ROLES
    )
    if department_id is None:
        qs = qs.exclude(scope=Staff.Scope.DEPARTMENT)
    else:
        qs = qs.filter(Q(department__isnull=True) | Q(department_id=department_id))
    if centre_id is None:
        return qs.filter(centre__in=centres_for(assigner))
    centre = Centre.objects.select_related("region__parent").get(pk=centre_id)
    above = [centre.region_id, centre.region.parent_id]
    if centre.region.parent is not None:
        above.append(centre.region.parent.parent_id)
    return qs.filter(
        Q(scope=Staff.Scope.CENTRE, centre_id=centre_id)
        | (~Q(scope=Staff.Scope.CENTRE) & Q(region_id__in=[r for r in above if r]))
    )


def check_handler(handler, *, centre_id: int | None, department_id: int | None, assigner) -> Staff:
    """``handler``'s staff record if he may handle an item of this centre and
    department (``handlers_in_scope``); 422 ``feedback.bad_handler`` for one
    who is not active staff, 403 ``feedback.handler_out_of_scope`` for one
    outside the item's scope."""
    staff = staff_of(handler)
    if staff is None or not handler.is_active:
        raise Unprocessable("feedback.bad_handler", _("承办人须为在职工作人员。"))
    in_scope = handlers_in_scope(
        centre_id=centre_id, department_id=department_id, assigner=assigner
    )
    if not in_scope.filter(pk=staff.pk).exists():
        raise Forbidden(
            "feedback.handler_out_of_scope",
            _("承办人须为该事项所属服务中心、所属部门的工作人员。"),
        )
    return staff
