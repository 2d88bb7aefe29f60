"""Demo step: the county's improvement campaign (提升行动) from the first month
of the history — phase-1 tasks for every department and township centre
(most done on time, a few late), a few tasks of the later phases, monthly
progress reports (one unit late with last month's), and three good practices,
one of them adopted by another unit.

It writes through the supervision actions, as the county office and the
units' leads would, at the dates they would have."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yichuang.accounts.models import Role
from yichuang.insights.rollups import month_end, month_start
from yichuang.org.models import Centre, Department, Staff
from yichuang.supervision.actions.campaign import (
    campaign_task_create,
    campaign_task_done,
    good_practice_adopt,
    good_practice_write,
    progress_report_save,
)
from yichuang.supervision.actions.campaigns import campaign_create
from yichuang.supervision.models import Campaign

from .base import DemoRun

NAME = "云溪县社会事务窗口服务提升行动"

# Phase-1 tasks of each department: (title, deliverable, months after the start).
DEPARTMENT_TASKS = [
    ("全面排查本部门窗口服务问题，建立问题清单", "问题清单", 1),
    ("逐条制定整改措施，明确责任人和整改时限", "整改方案", 2),
    ("完成清单问题整改销号，开展自查“回头看”", "整改台账及佐证材料", 3),
]
TOWNSHIP_TASKS = [
    ("排查便民服务中心服务环境和设施（评价器、叫号屏、无障碍通道）", "设施排查表及照片", 1),
    ("规范窗口人员工作牌、着装和服务用语", "自查记录", 2),
]
LATER_TASKS = [
    (2, "完善首问负责、一次性告知、限时办结制度", "制度汇编", 5),
    (2, "组织全县窗口人员政策和服务礼仪轮训", "培训记录及考试成绩", 6),
    (3, "总结推广提升行动经验做法，建立长效机制", "经验做法汇编", 11),
]
PRACTICES = [
    (
        "department",
        "社保业务“一窗通办”清单制",
        "把社保参保、待遇领取等28项高频事项的材料、流程和时限整理成一张清单，"
        "窗口人员按清单一次性告知；实行以来，因材料不全退件减少约四成，群众平均跑动次数由1.6次降到1.1次。"
        "要点：清单随政策及时更新；清单张贴在窗口并可扫码查看。",
    ),
    (
        "township",
        "帮办代办“红马甲”服务队",
        "组建由村（社区）干部和志愿者组成的帮办代办队，老年人、残疾人办事可预约上门或全程陪同；"
        "每月公示帮办件数和群众评价。开展以来，中心差评数明显下降，群众满意率稳定在97%以上。",
    ),
    (
        "department",
        "高峰时段弹性窗口与叫号提醒",
        "每月初医保缴费高峰，提前两天根据取号数据开设弹性窗口，并通过短信提醒预约群众错峰办理；"
        "高峰日平均等候时间由38分钟缩短到17分钟。",
    ),
]


def _at(day: dt.date, hour: int = 10):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _add_months(day: dt.date, n: int) -> dt.date:
    y, m = divmod(day.month - 1 + n, 12)
    return dt.date(day.year + y, m + 1, 1)


def _lead_user(staff_qs):
    for staff in staff_qs.select_related("user"):
        if staff.user is not None and staff.user.has_role(
            Role.CENTRE_DIRECTOR, Role.DEPARTMENT_LEAD
        ):
            return staff
    return None


def build(run: DemoRun) -> None:
    if Campaign.objects.exists():
        return
    today = timezone.localdate()
    start = month_start(today - dt.timedelta(days=int(max(run.months, 1) * 30.4)))
    director = Staff.objects.select_related("user").get(user__username="director").user
    campaign = campaign_create(
        name=NAME,
        starts_on=start,
        actor=director,
        description="依据副县长在全县社会事务窗口服务提升工作推进会上的讲话部署，分三个阶段推进。",
    )
    phases = {p.number: p for p in campaign.phases.all()}
    rng = run.rng
    # Who answers for each unit: a department's lead, a township's director.
    units: list[tuple[Centre | None, Department | None, Staff | None, list]] = []
    for department in Department.objects.order_by("code"):
        lead = _lead_user(Staff.objects.filter(department=department, scope=Staff.Scope.DEPARTMENT))
        units.append((None, department, lead, DEPARTMENT_TASKS))
    for township in Centre.objects.filter(kind=Centre.Kind.TOWNSHIP).order_by("code"):
        lead = _lead_user(Staff.objects.filter(centre=township, scope=Staff.Scope.CENTRE))
        units.append((township, None, lead, TOWNSHIP_TASKS))
    tasks = 0
    late_unit = units[-1] if len(units) > 1 else None
    for unit in units:
        centre, dept, lead, plan = unit
        for title, deliverable, months in plan:
            due = min(_add_months(start, months) - dt.timedelta(days=1), phases[1].ends_on)
            task = campaign_task_create(
                phase=phases[1],
                title=title,
                due_date=due,
                actor=director,
                centre=centre,
                department=dept,
                lead=lead,
                deliverable=deliverable,
            )
            tasks += 1
            day = _done_day(rng, start, due, today, late=unit is late_unit)
            if day is not None and lead is not None and lead.user is not None:
                campaign_task_done(
                    task=task,
                    actor=lead.user,
                    deliverable=deliverable,
                    note="已完成并归档。",
                    now=_at(day, 16),
                )
    hall = Centre.objects.filter(kind=Centre.Kind.COUNTY).first()
    hall_lead = Staff.objects.filter(user__username="director").first()
    for number, title, deliverable, months in LATER_TASKS:
        campaign_task_create(
            phase=phases[number],
            title=title,
            due_date=min(_add_months(start, months) - dt.timedelta(days=1), phases[number].ends_on),
            actor=director,
            centre=hall,
            lead=hall_lead,
            deliverable=deliverable,
        )
        tasks += 1
    reports = _reports(run, campaign, units, late_unit, today)
    practices = _practices(campaign, units, today)
    counts = f"任务 {tasks} 项，进展报告 {reports} 份，经验做法 {practices} 篇"
    run.say(f"提升行动：{start:%Y-%m-%d} 起，{counts}")


def _done_day(rng, start: dt.date, due: dt.date, today: dt.date, late: bool) -> dt.date | None:
    """When the task was done: most a few days before the deadline; the late
    unit's not at all; nothing in the future."""
    if late:
        return None
    day = due - dt.timedelta(days=rng.randint(0, 12))
    if rng.random() < 0.1:
        day = due + dt.timedelta(days=rng.randint(2, 6))  # done, but late
    day = max(day, start + dt.timedelta(days=3))
    return day if day < today else None


def _reports(run: DemoRun, campaign: Campaign, units, late_unit, today: dt.date) -> int:
    """One report per unit and month, written in the month's last days; the
    late unit misses last month's; the running month is left to the units."""
    n = 0
    month = month_start(campaign.starts_on)
    while month_end(month) < today:
        last = _add_months(month, 1) > month_start(today) - dt.timedelta(days=1)
        for unit in units:
            centre, dept, lead, _plan = unit
            if lead is None or lead.user is None or (last and unit == late_unit):
                continue
            day = month_end(month) - dt.timedelta(days=run.rng.randint(0, 3))
            name = str(dept or centre)
            progress_report_save(
                campaign=campaign,
                month=month,
                actor=lead.user,
                done=f"{name}本月对照问题清单开展自查，完成整改{run.rng.randint(2, 9)}项，"
                f"组织窗口人员学习服务规范{run.rng.randint(1, 3)}次。",
                problems="个别窗口高峰时段等候较长；部分整改佐证材料不够完整。",
                next_steps="下月完成剩余问题整改销号，开展一次“回头看”自查。",
                today=day,
            )
            n += 1
        month = _add_months(month, 1)
    return n


def _practices(campaign: Campaign, units, today: dt.date) -> int:
    depts = [u for u in units if u[1] is not None and u[2] is not None]
    towns = [u for u in units if u[0] is not None and u[2] is not None]
    written = []
    day = max(campaign.starts_on + dt.timedelta(days=20), today - dt.timedelta(days=12))
    day = min(day, today)
    pool = {"department": list(depts), "township": list(towns)}
    for kind, title, body in PRACTICES:
        if not pool[kind]:
            continue
        _c, _d, lead, _p = pool[kind].pop(0)
        written.append(
            good_practice_write(
                campaign=campaign, actor=lead.user, title=title, body=body, now=_at(day, 11)
            )
        )
    # The township's red-vest helpers are taken up by another township.
    if len(written) > 1 and pool["township"]:
        _c, _d, lead, _p = pool["township"][0]
        good_practice_adopt(
            practice=written[1],
            actor=lead.user,
            note="已在本中心组建帮办代办队。",
            now=_at(min(day + dt.timedelta(days=3), today), 11),
        )
    return len(written)
