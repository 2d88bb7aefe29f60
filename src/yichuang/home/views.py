"""The signed-in home page of each role: what the role does first, and for
those who oversee halls the organisation at a glance."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from yichuang.accounts.context import page_exists
from yichuang.accounts.models import Role
from yichuang.accounts.views import login_view
from yichuang.lib.errors import Conflict, Forbidden, NotFound
from yichuang.org.models import Window
from yichuang.org.permissions import hall_staff_required, holds, oversees
from yichuang.org.scopes import centres_for, user_scope_label, windows_for
from yichuang.org.selectors import centres_at_a_glance, uncovered_posts
from yichuang.queueing.actions.windows import window_open

from .selectors import hall_board

# What each role's home page offers first, in order: (role, title, url, hint).
HOME_CARDS = [
    (Role.CLERK, _("窗口工作台"), "/console/", _("开窗、叫号、受理、办结")),
    (Role.CLERK, _("办件"), "/cases/", _("我的待办与本部门办件")),
    (Role.GREETER, _("导办取号"), "/console/", _("为群众取号、指引窗口")),
    (Role.CENTRE_DIRECTOR, _("数据看板"), "/dashboard/", _("满意度、时限压缩、最多跑一次")),
    (Role.CENTRE_DIRECTOR, _("事项目录"), "/catalog/", _("事项、材料、时限、一件事")),
    (Role.CENTRE_DIRECTOR, _("问题整改台账"), "/supervision/", _("问题清单、整改期限、验收销号")),
    (Role.CENTRE_DIRECTOR, _("人员不在岗"), "/org/absences/", _("请假、培训、出差登记与AB岗")),
    (Role.COUNTY_ADMIN, _("事项目录"), "/catalog/", _("事项、材料、时限、一件事")),
    (Role.COUNTY_ADMIN, _("数据看板"), "/dashboard/", _("满意度、时限压缩、最多跑一次")),
    (Role.DEPARTMENT_LEAD, _("本部门办件"), "/cases/", _("待办、预警、黄牌红牌")),
    (Role.DEPARTMENT_LEAD, _("问题整改"), "/supervision/", _("本部门问题、整改措施、佐证")),
    (Role.DEPARTMENT_LEAD, _("事项目录"), "/catalog/", _("事项、材料、时限、一件事")),
    (Role.INSPECTOR, _("监督检查"), "/supervision/", _("登记检查、验收整改、回头看")),
    (Role.INSPECTOR, _("督查"), "/dashboard/", _("差评整改、超期办件")),
    (Role.INSPECTOR, _("失信记录"), "/cases/credit/", _("告知承诺不实的申请人记录")),
    (Role.SYSTEM_ADMIN, _("系统管理"), "/admin/", _("机构、窗口、工作日历、开放时间、参数")),
    (Role.SYSTEM_ADMIN, _("大厅设备"), "/org/devices/", _("取号机、叫号屏、评价器的设备令牌")),
    (Role.SECURITY_ADMIN, _("账号与安全"), "/admin/accounts/user/", _("账号、角色、解锁、口令")),
    (Role.AUDIT_ADMIN, _("审计记录"), "/admin/lib/auditentry/", _("登录、变更、敏感查看、导出")),
]


def home_cards(user) -> list[dict]:
    """The cards of the user's roles, each place once, in ``HOME_CARDS`` order."""
    roles = user.role_set
    cards, seen = [], set()
    for role, title, url, hint in HOME_CARDS:
        if (role in roles or user.is_superuser) and (str(title), url) not in seen:
            seen.add((str(title), url))
            cards.append({"title": title, "url": url, "hint": hint, "ready": page_exists(url)})
    return cards


def home(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return login_view(request)
    user = request.user
    context = {
        "cards": home_cards(user),
        "role_names": [Role(r).label for r in sorted(user.role_set)],
        "scope_label": user_scope_label(user),
    }
    if oversees(user):
        centres = centres_for(user)
        context["centres"] = centres_at_a_glance(centres)
        context["uncovered"] = uncovered_posts(centres)
        context["board"] = hall_board(centres)
        context["may_open"] = holds(user, Role.CENTRE_DIRECTOR)
    return render(request, "home/home.html", context)


@hall_staff_required
def hall_board_panel(request: HttpRequest) -> HttpResponse:
    """The live hall board alone, refreshed every few seconds on the home page."""
    if not oversees(request.user):
        raise Forbidden("home.overseers_only", gettext_now("大厅实况仅限中心负责人查看。"))
    return render(
        request,
        "home/home.html#board",
        {
            "board": hall_board(centres_for(request.user)),
            "may_open": holds(request.user, Role.CENTRE_DIRECTOR),
        },
    )


@require_POST
@hall_staff_required
def flexible_window_open(request: HttpRequest, window_id: int) -> HttpResponse:
    """The director opens a closed flexible window of a hall in scope and
    serves at it (``window_open``: the actor becomes the window's clerk)."""
    if not holds(request.user, Role.CENTRE_DIRECTOR):
        raise Forbidden("home.director_only", gettext_now("只有中心负责人可以在此开启弹性窗口。"))
    window = windows_for(request.user).filter(id=window_id).first()
    if window is None:
        raise NotFound("home.window_not_found", gettext_now("没有找到该窗口。"))
    if window.kind != Window.Kind.FLEXIBLE:
        raise Conflict("home.not_flexible", gettext_now("只能在此开启弹性窗口。"))
    window_open(window=window, actor=request.user)
    return redirect("/#hall-board")
