"""Navigation per role: each role sees only the places of its job."""

from functools import cache

from django.urls import Resolver404, resolve
from django.utils.translation import gettext_lazy as _

from .models import Role

# (label, url, roles that see it; empty = every signed-in user)
NAV = [
    (_("首页"), "/", ()),
    (_("窗口工作台"), "/console/", (Role.CLERK, Role.CENTRE_DIRECTOR)),
    (_("办件"), "/cases/", (Role.CLERK, Role.DEPARTMENT_LEAD, Role.CENTRE_DIRECTOR)),
    (
        _("事项目录"),
        "/catalog/",
        (Role.COUNTY_ADMIN, Role.DEPARTMENT_LEAD, Role.CENTRE_DIRECTOR, Role.CLERK, Role.INSPECTOR),
    ),
    (
        _("知识库"),
        "/knowledge/",
        (Role.COUNTY_ADMIN, Role.DEPARTMENT_LEAD, Role.CENTRE_DIRECTOR, Role.CLERK, Role.INSPECTOR),
    ),
    (
        _("好差评"),
        "/feedback/",
        (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.DEPARTMENT_LEAD, Role.INSPECTOR),
    ),
    (
        _("整改与投诉"),
        "/feedback/desk/",
        (Role.CLERK, Role.DEPARTMENT_LEAD, Role.CENTRE_DIRECTOR, Role.INSPECTOR),
    ),
    (
        _("数据看板"),
        "/dashboard/",
        (Role.COUNTY_ADMIN, Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD, Role.INSPECTOR),
    ),
    (
        _("监督检查"),
        "/supervision/",
        (
            Role.INSPECTOR,
            Role.CENTRE_DIRECTOR,
            Role.DEPARTMENT_LEAD,
            Role.COUNTY_ADMIN,
            Role.CLERK,
        ),
    ),
    (_("人员不在岗"), "/org/absences/", (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN)),
    (_("大厅设备"), "/org/devices/", (Role.SYSTEM_ADMIN,)),
    # Not the county administrator: the admin site only shows him the
    # catalogue read-only, which he reads and edits on /catalog/.
    (_("系统管理"), "/admin/", (Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN)),
]


@cache
def page_exists(url: str) -> bool:
    """Pages appear in the menu once their app serves them."""
    try:
        resolve(url)
    except Resolver404:
        return False
    return True


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": []}
    roles = user.role_set
    items = [
        {"label": label, "url": url, "active": False}
        for label, url, needed in NAV
        if page_exists(url) and (not needed or user.is_superuser or roles.intersection(needed))
    ]
    # The entry with the longest URL that the current path lies under is active.
    matches = [
        i
        for i in items
        if request.path == i["url"] or (i["url"] != "/" and request.path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return {"nav": items}
