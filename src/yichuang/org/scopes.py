"""Who may see what. Every query of a protected object goes through these.

A user's scope comes from the user's staff record: the whole county (county
admins, the county hall director, inspectors), one centre (a township
director, clerks), or one department across the county (department leads:
every centre's records of that department, and only that department's
windows).
The system, security and audit administrators see none of it (三权分立).
"""

from __future__ import annotations

from typing import NoReturn, cast

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yichuang.lib.errors import NotFound

from .models import Centre, Department, Region, Staff, Window
from .permissions import only_administers, sees_everything

_MISSING = object()


def staff_of(user) -> Staff | None:
    if user is None or not user.is_authenticated:
        return None
    # request.user is a lazy proxy: look the cache up with getattr (its __dict__
    # is the proxy's own), so one request reads the staff record once.
    cached = getattr(user, "_staff_cache", _MISSING)
    if cached is _MISSING:
        cached = (
            Staff.objects.select_related("region", "centre", "department").filter(user=user).first()
        )
        user._staff_cache = cached
    if cached is not None and only_administers(user):
        # 三权分立: an account holding only administrator roles has no place in
        # the halls (whoever filled the cache), so no scope gives it their records.
        return None
    return cast("Staff | None", cached)


def region_q(region: Region | int, prefix: str = "region") -> Q:
    """Rows whose region is ``region`` or lies below it (three levels deep)."""
    return (
        Q(**{prefix: region})
        | Q(**{f"{prefix}__parent": region})
        | Q(**{f"{prefix}__parent__parent": region})
    )


def centres_for(user) -> QuerySet[Centre]:
    if user is None or not user.is_authenticated:
        return Centre.objects.none()
    if sees_everything(user):
        return Centre.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Centre.objects.none()
    if staff.scope == Staff.Scope.CENTRE:
        return Centre.objects.filter(pk=staff.centre_id)
    return Centre.objects.filter(region_q(staff.region_id))


def departments_for(user) -> QuerySet[Department]:
    if user is None or not user.is_authenticated:
        return Department.objects.none()
    if sees_everything(user):
        return Department.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Department.objects.none()
    if staff.scope == Staff.Scope.DEPARTMENT:
        return Department.objects.filter(pk=staff.department_id)
    county = staff.region.county() or staff.region
    return Department.objects.filter(region_q(county))


def get_centre_for(user, code: str) -> Centre:
    centre = centres_for(user).filter(code=code).first()
    if centre is None:
        raise NotFound("org.centre_not_found", _("没有找到该服务中心：%(c)s") % {"c": code})
    return centre


def windows_for(user) -> QuerySet[Window]:
    """The windows a user sees, as one condition on the window row (no
    subquery): the hall's clerk actions start here.

    The windows of the centres ``centres_for(user)`` gives, except for a
    department's staff: their windows are their department's windows in the
    region of their staff record. Windows of no department (comprehensive,
    green channel, flexible) belong to the centre and its director."""
    if user is None or not user.is_authenticated:
        return Window.objects.none()
    if sees_everything(user):
        return Window.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Window.objects.none()
    if staff.scope == Staff.Scope.CENTRE:
        return Window.objects.filter(centre_id=staff.centre_id)
    in_region = Window.objects.filter(region_q(staff.region_id, "centre__region"))
    if staff.scope == Staff.Scope.DEPARTMENT:
        if staff.department_id is None:
            return Window.objects.none()
        return in_region.filter(department_id=staff.department_id)
    return in_region


def window_not_found() -> NoReturn:
    raise NotFound("org.window_not_found", _("没有找到该窗口。"))


def get_window_for(user, window_id: int) -> Window:
    """The window (with its centre and department) if it lies in the user's
    scope; 404 ``org.window_not_found`` otherwise."""
    window = (
        windows_for(user).select_related("centre", "department").filter(pk=int(window_id)).first()
    )
    if window is None:
        window_not_found()
    return window


def user_scope_label(user) -> str:
    staff = staff_of(user)
    if staff is None:
        return _("全部") if sees_everything(user) else ""
    if staff.scope == Staff.Scope.CENTRE and staff.centre:
        return staff.centre.name
    if staff.scope == Staff.Scope.DEPARTMENT and staff.department:
        return f"{staff.region.name} · {staff.department.name}"
    return staff.region.name
