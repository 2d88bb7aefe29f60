"""Who may work the hall queue, and on what.

Roles say what a user may do: ``WINDOW_ROLES`` work a window (open it, call,
serve, transfer); ``TICKET_ROLES`` issue, check in, cancel and requeue
tickets (the greeter's desk as well); an inspector only reads the hall, and
the system, security and audit administrators have no place in it at all
(``org.scopes`` gives them no staff record: 404). Scope says where:
the windows of ``org.scopes.windows_for`` and the lines and tickets of
``queues_for`` and ``tickets_for``. A department's staff work their
department's windows and the lines those windows serve first; a window of
no department (comprehensive, green channel, flexible) belongs to the
centre and its director; a clerk works the window he is signed in at.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.errors import Forbidden, NotFound
from yichuang.org.models import Staff, Window
from yichuang.org.permissions import holds, sees_everything
from yichuang.org.scopes import centres_for, staff_of, windows_for

from .models import Queue, Ticket, WindowSkill

DIRECTOR_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN)
# Roles that work a window: sign in, call, serve, transfer, close.
WINDOW_ROLES = (
    Role.CLERK,
    Role.DEPARTMENT_LEAD,
    Role.CENTRE_DIRECTOR,
    Role.COUNTY_ADMIN,
    Role.SYSTEM_ADMIN,
)
# Roles that issue, check in, cancel and requeue tickets for citizens.
TICKET_ROLES = (*WINDOW_ROLES, Role.GREETER)


def is_director(user) -> bool:
    """A centre director or county administrator: may work any window in scope,
    call a ticket by hand and handle peak alerts."""
    return bool(user is not None and (user.is_superuser or user.has_role(*DIRECTOR_ROLES)))


def read_only() -> Forbidden:
    return Forbidden("queueing.read_only", _("您的角色只能查看大厅，不能操作窗口或号。"))


def staff_or_403(user, roles: tuple[str, ...] = WINDOW_ROLES) -> Staff:
    """The user's staff record, if the user holds one of ``roles`` (403 otherwise)."""
    staff = staff_of(user)
    if staff is None:
        raise Forbidden("queueing.not_staff", _("只有工作人员可以操作窗口。"))
    if not holds(user, *roles):
        raise read_only()
    return staff


def check_operator(window: Window, user) -> Staff:
    """The clerk signed in at the window may work it; a director may too.
    The window must already have been read within the user's scope."""
    staff = staff_or_403(user)
    if window.clerk_id not in (None, staff.pk) and not is_director(user):
        raise Forbidden("queueing.not_your_window", _("该窗口由其他工作人员登录，您不能操作。"))
    return staff


def queues_for(user) -> QuerySet[Queue]:
    """The lines a user works: those of the centres in scope; for a
    department's staff, the lines their department's windows serve first."""
    if user is None or not user.is_authenticated:
        return Queue.objects.none()
    if sees_everything(user):
        return Queue.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Queue.objects.none()
    if staff.scope == Staff.Scope.DEPARTMENT:
        first_tier = WindowSkill.objects.filter(window__in=windows_for(user), order=1)
        return Queue.objects.filter(pk__in=first_tier.values("queue_id"))
    return Queue.objects.filter(centre__in=centres_for(user))


def tickets_for(user) -> QuerySet[Ticket]:
    """The tickets a user sees: those of the centres in scope; for a
    department's staff, those in the department's lines or called to its
    windows."""
    if user is None or not user.is_authenticated:
        return Ticket.objects.none()
    if sees_everything(user):
        return Ticket.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Ticket.objects.none()
    if staff.scope == Staff.Scope.DEPARTMENT:
        return Ticket.objects.filter(
            Q(queue__in=queues_for(user)) | Q(window__in=windows_for(user))
        )
    return Ticket.objects.filter(centre__in=centres_for(user))


def ticket_not_found() -> NotFound:
    return NotFound("queueing.ticket_not_found", _("没有找到该号。"))


def check_ticket_actor(user, queue: Queue) -> Staff:
    """A staff user may issue or check in a ticket in ``queue``: a ticket role
    (403 ``queueing.read_only``) and a line in scope (403
    ``queueing.not_your_queue``)."""
    staff = staff_or_403(user, TICKET_ROLES)
    if not queues_for(user).filter(pk=queue.pk).exists():
        raise Forbidden("queueing.not_your_queue", _("该业务不属于您负责的范围，不能为其取号。"))
    return staff
