"""Who may work the hall queue: clerks at their own window, directors at any
window of their scope. Scope itself (which centres a user sees) is
``yichuang.org.scopes``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.errors import Forbidden
from yichuang.org.models import Staff, Window
from yichuang.org.scopes import staff_of

DIRECTOR_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN)


def is_director(user) -> bool:
    """A centre director or county administrator: may work any window in scope,
    call a ticket by hand and handle peak alerts."""
    return bool(user is not None and (user.is_superuser or user.has_role(*DIRECTOR_ROLES)))


def staff_or_403(user) -> Staff:
    staff = staff_of(user)
    if staff is None:
        raise Forbidden("queueing.not_staff", _("只有工作人员可以操作窗口。"))
    return staff


def check_operator(window: Window, user) -> Staff:
    """The clerk signed in at the window may work it; a director may too."""
    staff = staff_or_403(user)
    if window.clerk_id not in (None, staff.pk) and not is_director(user):
        raise Forbidden("queueing.not_your_window", _("该窗口由其他工作人员登录，您不能操作。"))
    return staff
