"""Whose figures and over which days: the scope (the county, a centre, a
department, a department inside a centre) and the period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Forbidden, NotFound, Unprocessable
from yichuang.org.models import Centre, Department, Staff
from yichuang.org.permissions import sees_everything
from yichuang.org.scopes import centres_for, departments_for, staff_of

from ..models import Grain
from ..rollups import month_end, month_start


@dataclass(frozen=True)
class Scope:
    key: str
    name: str
    centres: tuple[int, ...] | None = None  # None: every centre
    department: int | None = None
    centre_code: str = ""
    department_code: str = ""

    def q(self) -> Q:
        """The scope's cells in the roll-up tables."""
        q = Q()
        if self.centres is not None:
            q &= Q(centre__in=self.centres)
        if self.department is not None:
            q &= Q(department=self.department)
        return q

    def rating_days_q(self, lo: dt.date, hi: dt.date) -> Q:
        """The scope's rows of the ratings' daily roll-up (``feedback.RatingDay``) in [lo, hi]."""
        q = Q(day__gte=lo, day__lte=hi)
        if self.centres is not None:
            q &= Q(centre_id_key__in=self.centres)
        if self.department is not None:
            q &= Q(department_id_key=self.department)
        return q

    def ratings_q(self, lo: dt.date, hi: dt.date) -> Q:
        """The scope's ratings (``feedback.Rating``) given in [lo, hi]."""
        q = Q(day__gte=lo, day__lte=hi)
        if self.centres is not None:
            q &= Q(centre_id__in=self.centres)
        if self.department is not None:
            q &= Q(department_id=self.department)
        return q

    def narrow(self, *, department: Department | None = None) -> Scope:
        """This scope limited to one department (a drill-down inside a centre)."""
        if department is None:
            return self
        return Scope(
            key=f"{self.key}/department:{department.code}",
            name=f"{self.name} · {department.name}",
            centres=self.centres,
            department=department.id,
            centre_code=self.centre_code,
            department_code=department.code,
        )


def county_wide(user) -> bool:
    """The user's figures may cover the whole county."""
    if sees_everything(user):
        return True
    staff = staff_of(user)
    return staff is not None and staff.scope == Staff.Scope.COUNTY


def resolve_scope(user, scope: str | None) -> Scope:
    """``county`` | ``centre:CODE`` | ``department:CODE``, within the user's own
    scope: outside it a centre or department is not found (404); the county is
    refused (403) to users who see only a centre or a department."""
    raw = (scope or "county").strip()
    staff = staff_of(user)
    by_dept = staff is not None and staff.scope == Staff.Scope.DEPARTMENT
    by_centre = staff is not None and staff.scope == Staff.Scope.CENTRE
    if raw == "county":
        if not county_wide(user):
            raise Forbidden(
                "insights.scope_forbidden", _("您的数据范围不包括全县，请选择本中心或本部门。")
            )
        return Scope(key="county", name=_("全县"), centres=None)
    kind, _sep, code = raw.partition(":")
    if kind == "centre" and code:
        centre = centres_for(user).filter(code=code).first() if not by_dept else None
        if centre is None:
            raise NotFound("insights.scope_not_found", _("没有找到该服务中心：%(c)s") % {"c": code})
        return Scope(key=raw, name=centre.name, centres=(centre.id,), centre_code=centre.code)
    if kind == "department" and code:
        dept = departments_for(user).filter(code=code).first()
        if dept is None:
            raise NotFound("insights.scope_not_found", _("没有找到该部门：%(c)s") % {"c": code})
        if by_centre:
            # A centre's staff see a department only inside their own centre.
            centre = staff.centre if staff else None
            return Scope(
                key=raw,
                name=f"{centre.name if centre else ''} · {dept.name}",
                centres=(centre.id,) if centre else (),
                department=dept.id,
                centre_code=centre.code if centre else "",
                department_code=dept.code,
            )
        return Scope(key=raw, name=dept.name, department=dept.id, department_code=dept.code)
    raise Unprocessable(
        "insights.scope_invalid", _("统计范围须为 county、centre:代码 或 department:代码。")
    )


def system_scope(scope: str = "county") -> Scope:
    """A scope resolved without a user (the CLI report)."""
    raw = (scope or "county").strip()
    if raw == "county":
        return Scope(key="county", name=_("全县"))
    kind, _sep, code = raw.partition(":")
    if kind == "centre":
        centre = Centre.objects.filter(code=code).first()
        if centre:
            return Scope(key=raw, name=centre.name, centres=(centre.id,), centre_code=code)
    if kind == "department":
        dept = Department.objects.filter(code=code).first()
        if dept:
            return Scope(key=raw, name=dept.name, department=dept.id, department_code=code)
    raise NotFound("insights.scope_not_found", _("没有找到统计范围：%(s)s") % {"s": raw})


def parse_period(date_from: str | None, date_to: str | None) -> tuple[dt.date, dt.date]:
    """Dates ``YYYY-MM-DD``; by default the current year up to today."""
    today = timezone.localdate()
    try:
        lo = dt.date.fromisoformat(date_from) if date_from else today.replace(month=1, day=1)
        hi = dt.date.fromisoformat(date_to) if date_to else today
    except ValueError as exc:
        raise Unprocessable(
            "insights.bad_date",
            _("日期格式应为“年-月-日”，例如 2026-03-01。"),
            value=f"{date_from}/{date_to}",
        ) from exc
    if lo > hi:
        raise Unprocessable("insights.bad_period", _("开始日期不能晚于结束日期。"))
    if (hi - lo).days > 3660:
        raise Unprocessable("insights.bad_period", _("统计期间不能超过十年。"))
    return lo, hi


def period_q(lo: dt.date, hi: dt.date, *, coarse: bool = False) -> Q:
    """Cells covering [lo, hi]: whole months from month rows, edges from day rows.
    ``coarse``: whole months from the coarse month rows (centre × department
    only), for figures that group by nothing finer than the department."""
    q = Q(pk__in=[])
    months = []
    m = month_start(lo)
    while m <= hi:
        end = month_end(m)
        if m >= lo and end <= hi:
            months.append(m)
        else:
            q |= Q(grain=Grain.DAY, start__gte=max(m, lo), start__lte=min(end, hi))
        m = end + dt.timedelta(days=1)
    if months:
        q |= Q(grain=Grain.COARSE if coarse else Grain.MONTH, start__in=months)
    return q


def months_of(lo: dt.date, hi: dt.date) -> list[dt.date]:
    """The first day of every month that [lo, hi] touches."""
    months = []
    m = month_start(lo)
    while m <= hi:
        months.append(m)
        m = month_end(m) + dt.timedelta(days=1)
    return months
