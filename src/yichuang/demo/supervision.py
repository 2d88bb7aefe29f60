"""Demo step: supervision in the demo county.

The county runs the improvement campaign from the first month of its
history: three phases with tasks per department and township, monthly
progress reports and three good practices (one adopted elsewhere). The
supervision office visits every centre twice a month (open and covert in
turn) and checks each hall's environment monthly, failing a realistic share
of lines; the worker's ingestion turns the history's substantiated bad
ratings, closed complaints, red cards and peak alerts into ledger rows; most
rows are rectified on time, some late, some still open. Three stories run
through it: a township whose rating pad keeps breaking (the third time
escalated to the director), a county-hall window whose clerks go without
badges twice, and a forbidden phrase heard once on a covert visit.

Everything goes through the product's actions with the times it happened
(they take ``now``), so the ledger's events, deadlines and recurrence links
are what the product would have written; only the campaign's tasks,
reports and practices are bulk-inserted.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable

from django.utils import timezone

from yichuang.accounts.models import User
from yichuang.org.models import Centre, Department, Staff, Window
from yichuang.supervision.actions import (
    FindingInput,
    campaign_create,
    inspection_publish,
    inspection_record,
    problem_open,
    problem_plan,
    problem_reject,
    problem_submit,
    problem_verify,
    problems_ingest,
)
from yichuang.supervision.defaults import ensure_checklists
from yichuang.supervision.models import (
    Adoption,
    Campaign,
    CampaignTask,
    Checklist,
    GoodPractice,
    Problem,
    ProgressReport,
)

from .base import DemoRun

TZ = dt.timezone(dt.timedelta(hours=8))
FAIL_SHARE = 0.07
# The story of the broken rating pad: days before yesterday of each visit.
PAD_STORY = (75, 40, 5)
BADGE_STORY = (60, 20)
PHRASE_STORY = 30


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=TZ)


def _users(*names: str) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__in=names)}


class Ledger:
    """Who does what in the demo's ledger: the unit's rectifier (its
    department lead, or the centre's director) and the inspector."""

    def __init__(self, rng: random.Random, today: dt.date) -> None:
        self.rng = rng
        self.today = today
        self.inspector = User.objects.get(username="inspector")
        self.director = User.objects.get(username="director")
        self.leads = {
            u.username.removeprefix("dept_"): u
            for u in User.objects.filter(username__startswith="dept_")
        }
        self.town_directors = {
            u.username.removeprefix("director_"): u
            for u in User.objects.filter(username__startswith="director_")
        }

    def rectifier(self, p: Problem) -> User:
        if p.department_id and p.department.code in self.leads:
            return self.leads[p.department.code]
        return self.town_directors.get(p.centre.code, self.director)

    def work(self, p: Problem, fate: str | None = None) -> None:
        """Take ``p`` through the flow with past times: ``on_time``,
        ``late``, ``rejected`` (sent back once, then verified), ``planned``, ``open``
        (left alone: overdue once its deadline passes). A row whose closing
        day has not come yet is left planned, or submitted and waiting for
        the inspector."""
        rng, today = self.rng, self.today
        start = p.found_on
        if p.inspection_id and p.inspection.published_at:
            # A covert visit's rows are worked once they were published.
            start = max(start, timezone.localdate(p.inspection.published_at))
        if p.due_date is None or start >= today - dt.timedelta(days=2):
            return
        weights = [78, 10, 6, 6]
        fate = fate or rng.choices(["on_time", "late", "rejected", "open"], weights=weights)[0]
        if fate == "planned":
            self._plan(p, start + dt.timedelta(days=1))
            return
        if fate == "open":
            if rng.random() < 0.5:
                self._plan(p, start + dt.timedelta(days=1))
            return
        span = max(1, (p.due_date - start).days)
        if fate == "late":
            close = p.due_date + dt.timedelta(days=rng.randint(1, 6))
        else:
            close = start + dt.timedelta(days=rng.randint(1, span))
        who = self.rectifier(p)
        if close >= today:
            self._plan(p, start + dt.timedelta(days=1))
            if rng.random() < 0.5:
                evidence = self._evidence(p)
                later = start + dt.timedelta(days=1)
                problem_submit(problem=p, actor=who, evidence=evidence, now=at(later, 17))
            return
        self._plan(p, start + dt.timedelta(days=min(1, (close - start).days)))
        problem_submit(problem=p, actor=who, evidence=self._evidence(p), now=at(close, 11))
        if fate == "rejected":
            problem_reject(
                problem=p,
                actor=self.inspector,
                note="佐证材料不足，请补充整改前后对比照片",
                now=at(close, 15),
            )
            self._plan(p, close, hour=16)
            problem_submit(
                problem=p, actor=who, evidence="已补充整改前后对比照片", now=at(close, 17)
            )
        problem_verify(problem=p, actor=self.inspector, note="经核查，整改到位", now=at(close, 18))

    def _plan(self, p: Problem, day: dt.date, hour: int = 9) -> None:
        problem_plan(
            problem=p,
            actor=self.rectifier(p),
            measure=self._measure(p),
            now=at(min(day, self.today), hour),
        )

    MEASURES = {
        "appearance": "重申着装和佩戴工作证要求，每日班前检查",
        "at_post": "落实离岗登记和AB岗顶岗，主任每日巡查",
        "language": "组织文明用语培训，当事人作书面检查",
        "environment": "报修并落实专人每日巡检设施设备",
        "queueing": "高峰时段增开弹性窗口，引导群众预约",
        "efficiency": "梳理超时原因，压实审批环节时限",
        "attitude": "约谈当事人，开展服务礼仪培训",
    }

    def _measure(self, p: Problem) -> str:
        return self.MEASURES.get(p.category, "制定整改方案，明确责任人和完成时限")

    def _evidence(self, p: Problem) -> str:
        return f"已按措施完成整改：{self._measure(p)}；附整改记录和现场照片。"


def build(run: DemoRun) -> None:
    ensure_checklists()
    rng = random.Random(run.seed + 19)
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    first = (yesterday - dt.timedelta(days=int(run.months * 30.4))).replace(day=1)
    ledger = Ledger(rng, today)
    campaign = campaign_create(
        name="全县社会事务窗口服务提升行动",
        starts_on=first,
        actor=ledger.director,
        description="按照全县社会事务窗口服务提升工作推进会部署，分排查整改、规范提升、巩固拓展三个阶段推进。",
    )
    # The stories first: their recurrence chains are exactly theirs.
    n_visits = _stories(ledger, yesterday)
    n_visits += _inspections(rng, ledger, first, yesterday)
    _hand_rows(rng, ledger, first, yesterday)
    _sources(first, yesterday)
    # Everything the history holds is written: every row is settled.
    ingested = problems_ingest(settle=None)
    for p in _unworked():
        ledger.work(p)
    _campaign_work(rng, campaign, today)
    rows = Problem.objects.count()
    run.say(
        f"监督检查：{n_visits} 次检查，问题台账 {rows} 条（自动读取 {ingested or '无'}），"
        f"反复出现 {Problem.objects.recurring().count()} 条；提升行动自 {first} 起"
    )


# --- inspections ----------------------------------------------------------------------------


def _days(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    """Two visiting days a month per centre: around the 8th and the 22nd."""
    month = first
    while month <= last:
        for day in (8, 22):
            d = month.replace(day=day)
            if first <= d <= last:
                yield d
        month = (month + dt.timedelta(days=32)).replace(day=1)


def _weekday(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d -= dt.timedelta(days=1)
    return d


def _windows(centre: Centre) -> list[Window]:
    return list(Window.objects.filter(centre=centre, is_active=True).order_by("number"))


def _checklist(code: str) -> Checklist:
    return Checklist.objects.get(code=code, is_current=True)


def _findings(
    rng: random.Random,
    checklist: Checklist,
    windows: list[Window],
    skip: set[str],
    spare: dict[str, set[int]],
    recent: dict[tuple, dt.date],
    day: dt.date,
) -> list[FindingInput]:
    """Each line passed or, now and then, failed at a random window. Lines in
    ``skip`` always pass; a line of a category in ``spare`` fails only at a
    window not listed there (the stories keep their units to themselves), and
    a unit fails a category at most once in 120 days (``recent``: the
    stories are the county's recurring problems)."""
    out = []
    for line in checklist.lines.all():
        window = rng.choice(windows) if checklist.kind != "environment" and windows else None
        spared = window.pk if window else 0
        centre = windows[0].centre_id if windows else 0
        unit = (centre, window.department_id if window else None, line.category)
        failed = (
            line.code not in skip
            and spared not in spare.get(line.category, set())
            and (unit not in recent or (day - recent[unit]).days > 120)
            and rng.random() < FAIL_SHARE
        )
        if failed:
            recent[unit] = day
        out.append(
            FindingInput(
                line=line.code,
                result="fail" if failed else "pass",
                window=window.pk if window else None,
                note=_note(line.code) if failed else "",
            )
        )
    return out


NOTES = {
    "P1": "9:10 仍未到岗",
    "P2": "工作时间低头看手机视频",
    "A1": "未穿工作服",
    "A2": "未佩戴工作证",
    "V1": "窗口空岗约 15 分钟",
    "V3": "未佩戴工作证，台面无工作牌",
    "E1": "等候区地面有纸屑",
    "E3": "老花镜缺失",
    "E7": "叫号屏黑屏",
    "E8": "评价器无法点击",
}


def _note(code: str) -> str:
    return NOTES.get(code, "现场发现不符合要求")


def _inspections(rng: random.Random, ledger: Ledger, first: dt.date, last: dt.date) -> int:
    """Twice a month per centre, open and covert in turn; the environment
    checklist on the first visit of each month. Covert visits are published
    the next working day (the latest one perhaps not yet)."""
    centres = list(Centre.objects.filter(is_active=True).order_by("kind", "code"))
    pad_town = centres[-1]
    # The badge story's department at the county hall keeps its own chain.
    spare = {
        "appearance": set(
            Window.objects.filter(centre__code="county-hall", department__code="rs").values_list(
                "pk", flat=True
            )
        )
    }
    environment = _checklist("environment")
    recent: dict[tuple, dt.date] = {}
    n = 0
    for i, day in enumerate(_days(first, last)):
        for k, centre in enumerate(centres):
            visit_day = _weekday(day - dt.timedelta(days=k % 3))
            if visit_day < first:
                continue
            windows = _windows(centre)
            covert = (i + k) % 2 == 1
            checklist = _checklist("covert-visit" if covert else "open-visit")
            inspection = inspection_record(
                centre=centre,
                kind="covert" if covert else "open",
                checklist=checklist,
                inspector=ledger.inspector,
                visited_at=at(visit_day, 9 + k % 6, 15),
                findings=_findings(rng, checklist, windows, {"L2", "V5"}, spare, recent, visit_day),
                now=at(visit_day, 16),
            )
            n += 1
            if covert:
                publish = _weekday(visit_day + dt.timedelta(days=3))
                if publish < ledger.today:
                    inspection_publish(
                        inspection=inspection, actor=ledger.inspector, now=at(publish, 9)
                    )
            visits = [inspection]
            if day.day == 8:
                # The pad story's township: its environment rows are the story's.
                skip = (
                    {line.code for line in environment.lines.all()} if centre == pad_town else set()
                )
                visits.append(
                    inspection_record(
                        centre=centre,
                        kind="open",
                        checklist=environment,
                        inspector=ledger.inspector,
                        visited_at=at(visit_day, 14, 30),
                        findings=_findings(
                            rng, environment, windows, skip, spare, recent, visit_day
                        ),
                        now=at(visit_day, 16, 30),
                    )
                )
                n += 1
            for visit in visits:
                for p in _rows_of(visit):
                    ledger.work(p)
    return n


def _rows_of(inspection) -> list[Problem]:
    return list(
        inspection.problems.filter(hidden_until_published=False).select_related(
            "centre", "department", "inspection"
        )
    )


def _stories(ledger: Ledger, yesterday: dt.date) -> int:
    """The broken pad at the last township (three times, the third
    escalated), the badges at the county hall's 人社 window (twice), the
    forbidden phrase heard once at the 医保 window."""
    centres = list(Centre.objects.filter(is_active=True).order_by("kind", "code"))
    town = centres[-1]
    hall = Centre.objects.get(code="county-hall")
    n = 0
    for i, days in enumerate(PAD_STORY):
        day = _weekday(yesterday - dt.timedelta(days=days))
        inspection = inspection_record(
            centre=town,
            kind="open",
            checklist=_checklist("environment"),
            inspector=ledger.inspector,
            visited_at=at(day, 10, 40),
            findings=[FindingInput(line="E8", result="fail", note="评价器触屏失灵，群众无法评价")],
            notes="评价器故障",
            now=at(day, 11),
        )
        n += 1
        last = i == len(PAD_STORY) - 1
        ledger.work(_rows_of(inspection)[0], fate="planned" if last else "on_time")
    rs_window = Window.objects.filter(centre=hall, department__code="rs").order_by("number").first()
    yb_window = Window.objects.filter(centre=hall, department__code="yb").order_by("number").first()
    for i, days in enumerate(BADGE_STORY):
        day = _weekday(yesterday - dt.timedelta(days=days))
        inspection = inspection_record(
            centre=hall,
            kind="open",
            checklist=_checklist("open-visit"),
            inspector=ledger.inspector,
            visited_at=at(day, 15, 10),
            findings=[
                FindingInput(
                    line="A2", result="fail", window=rs_window.pk, note="两名工作人员未佩戴工作证"
                ),
                FindingInput(line="P1", result="pass", window=rs_window.pk),
            ],
            now=at(day, 15, 40),
        )
        n += 1
        ledger.work(_rows_of(inspection)[0], fate="on_time" if i == 0 else "planned")
    day = _weekday(yesterday - dt.timedelta(days=PHRASE_STORY))
    inspection = inspection_record(
        centre=hall,
        kind="covert",
        checklist=_checklist("covert-visit"),
        inspector=ledger.inspector,
        visited_at=at(day, 10, 5),
        findings=[
            FindingInput(
                line="V5", result="fail", window=yb_window.pk, note="群众询问时答“这不归我管”"
            ),
            FindingInput(line="V1", result="pass", window=yb_window.pk),
        ],
        now=at(day, 12),
    )
    publish = _weekday(day + dt.timedelta(days=3))
    inspection_publish(inspection=inspection, actor=ledger.inspector, now=at(publish, 9))
    ledger.work(_rows_of(inspection)[0], fate="on_time")
    return n + 1


def _hand_rows(rng: random.Random, ledger: Ledger, first: dt.date, last: dt.date) -> None:
    """Each department's self-check in the campaign's first weeks, and two
    leadership instructions."""
    hall = Centre.objects.get(code="county-hall")
    day = min(first + dt.timedelta(days=10), last)
    texts = [
        ("one_notice", "general", "部分事项一次性告知单未及时更新，与办事指南不一致"),
        ("first_ask", "general", "非本窗口业务咨询时指引不清，群众多跑一个窗口"),
        ("at_post", "major", "午间轮岗衔接不紧，12:00–12:20 出现空岗"),
    ]
    for code, lead in sorted(ledger.leads.items()):
        category, severity, text = texts[rng.randrange(len(texts))]
        problem_open(
            source="self_check",
            centre=hall,
            department=Department.objects.get(code=code),
            category=category,
            severity=severity,
            description=f"自查发现：{text}",
            actor=lead,
            found_on=day,
            now=at(day, 16),
        )
    for days, (category, text) in zip(
        (12, 45),
        [
            ("queueing", "县领导督导时指出：医保缴费高峰期排队过长，须增开窗口、推广预约"),
            ("environment", "县领导交办：各便民服务中心无障碍通道和母婴室须于本月底前整改到位"),
        ],
        strict=True,
    ):
        d = max(first, last - dt.timedelta(days=days))
        problem_open(
            source="leadership",
            centre=hall,
            category=category,
            severity="major",
            description=text,
            actor=ledger.inspector,
            found_on=d,
            now=at(d, 17),
        )


def _sources(first: dt.date, last: dt.date) -> None:
    """What the other apps' history lacks for the ledger: the worker's card
    pass (cases past their limits get their red cards) and the county hall's
    three worst peaks, when the busiest queue's wait passed its line."""
    from django.db.models import Count

    from yichuang.cases.tasks import cards_refresh
    from yichuang.queueing.models import Queue, QueueAlert, Ticket

    cards_refresh()
    hall = Centre.objects.get(code="county-hall")
    queue = (
        Queue.objects.filter(centre=hall, alert_wait_minutes__gt=0)
        .annotate(n=Count("tickets"))
        .order_by("-n", "id")
        .first()
    )
    if queue is None:
        return
    busiest = (
        Ticket.objects.filter(queue=queue, day__gte=first, day__lte=last)
        .values("day")
        .annotate(n=Count("id"))
        .order_by("-n", "day")[:3]
    )
    for row in busiest:
        raised = at(row["day"], 9, 40)
        QueueAlert.objects.create(
            centre=hall,
            queue=queue,
            day=row["day"],
            raised_at=raised,
            waiting=queue.alert_waiting + 12,
            estimated_wait_minutes=queue.alert_wait_minutes + 18,
            open_windows=2,
            windows_needed=2,
            resolved_at=raised + dt.timedelta(minutes=50),
            action_taken="增开弹性窗口 2 个，引导群众预约下午时段",
            handled_by=User.objects.get(username="director"),
        )


def _unworked() -> list[Problem]:
    """Rows nobody has worked yet (no plan), oldest first."""
    return list(
        Problem.objects.filter(status=Problem.Status.OPEN, hidden_until_published=False)
        .exclude(events__type="planned")
        .select_related("centre", "department", "inspection")
        .order_by("found_on", "id")
    )


# --- the campaign's work ----------------------------------------------------------------------

TASKS = {
    1: [
        ("全面排查窗口服务问题，建立问题清单", 30, "问题清单"),
        ("逐项制定整改措施，明确责任人和整改时限", 60, "整改台账"),
    ],
    2: [
        ("修订窗口服务规范和首问负责、一次性告知制度", 45, "制度文件"),
        ("开展政策业务和服务礼仪轮训", 75, "培训签到表和考试成绩"),
    ],
    3: [
        ("总结提炼经验做法，形成长效机制", 120, "经验材料"),
    ],
}
PRACTICES = [
    (
        "yb",
        "医保窗口“一张告知单”",
        "把高频医保事项的材料、时限和常见退件原因印在一张告知单上，群众取号时就能拿到，"
        "补件率由一成多降到三个百分点。",
    ),
    (
        "chengguan",
        "午间“不打烊”轮值",
        "午间保留一个综合窗口，由AB岗轮值，提前一天排班公示，上班族中午也能办事。",
    ),
    (
        "rs",
        "AB岗交接清单",
        "A岗请假前按清单交接在办件、待回访差评和预约，B岗签字确认，杜绝“人走事停”。",
    ),
]


def _campaign_work(rng: random.Random, campaign: Campaign, today: dt.date) -> None:
    departments = list(Department.objects.order_by("code"))
    townships = list(Centre.objects.filter(kind="township").order_by("code"))
    leads = {
        s.department_id: s
        for s in Staff.objects.filter(user__username__startswith="dept_").order_by("pk")
    }
    heads = {
        s.centre_id: s
        for s in Staff.objects.filter(user__username__startswith="director_").order_by("pk")
    }
    tasks = []
    for phase in campaign.phases.order_by("number"):
        for title, offset, deliverable in TASKS[phase.number]:
            due = min(phase.starts_on + dt.timedelta(days=offset), phase.ends_on)
            units = [(None, d, leads.get(d.pk)) for d in departments]
            if phase.number == 1:
                units += [(c, None, heads.get(c.pk)) for c in townships]
            for centre, department, lead in units:
                status, done_at = CampaignTask.Status.TODO, None
                if due < today and rng.random() < 0.9:
                    late = rng.random() < 0.15
                    day = due + dt.timedelta(
                        days=rng.randint(1, 10) if late else -rng.randint(0, 10)
                    )
                    if day < today:
                        status, done_at = (
                            CampaignTask.Status.DONE,
                            at(max(day, phase.starts_on), 17),
                        )
                elif phase.starts_on <= today:
                    status = CampaignTask.Status.DOING
                tasks.append(
                    CampaignTask(
                        phase=phase,
                        title=title,
                        centre=centre,
                        department=department,
                        lead=lead,
                        due_date=due,
                        deliverable=deliverable,
                        status=status,
                        done_at=done_at,
                    )
                )
    CampaignTask.objects.bulk_create(tasks)
    _reports(rng, campaign, today, departments, townships)
    _practices(campaign, today)


def _reports(rng, campaign, today, departments, townships) -> None:
    authors = {u.username: u for u in User.objects.filter(username__startswith="d")}
    reports = []
    month = campaign.starts_on.replace(day=1)
    this_month = today.replace(day=1)
    while month < this_month:
        for unit in [*departments, *townships]:
            if rng.random() < 0.12:  # a unit that did not report that month
                continue
            is_dept = isinstance(unit, Department)
            author = authors.get(f"dept_{unit.code}" if is_dept else f"director_{unit.code}")
            if author is None:
                continue
            reports.append(
                ProgressReport(
                    campaign=campaign,
                    month=month,
                    department=unit if is_dept else None,
                    centre=None if is_dept else unit,
                    done=f"{month.month}月：完成窗口服务问题自查，整改台账问题按期销号；组织业务学习2次。",
                    problems="高峰时段人手仍然偏紧，个别问题整改佐证不够充分。",
                    next_steps="下月推行预约分流，完善整改佐证材料，迎接县督查室回头看。",
                    author=author,
                )
            )
        month = (month + dt.timedelta(days=32)).replace(day=1)
    ProgressReport.objects.bulk_create(reports)


def _practices(campaign: Campaign, today: dt.date) -> None:
    made = []
    for i, (code, title, body) in enumerate(PRACTICES):
        department = Department.objects.filter(code=code).first()
        centre = None if department else Centre.objects.get(code=code)
        author_name = f"dept_{code}" if department else f"director_{code}"
        made.append(
            GoodPractice.objects.create(
                campaign=campaign,
                department=department,
                centre=centre,
                title=title,
                body=body,
                author=User.objects.get(username=author_name),
                published_at=at(
                    max(campaign.starts_on, today - dt.timedelta(days=50 - 15 * i)), 10
                ),
            )
        )
    # The 医保 window's notice sheet, taken up by the 人社 department.
    Adoption.objects.create(
        practice=made[0],
        department=Department.objects.get(code="rs"),
        by=User.objects.get(username="dept_rs"),
        at=at(max(campaign.starts_on, today - dt.timedelta(days=20)), 15),
        note="参照制作社保高频事项告知单",
    )
