"""The improvement campaign's pages per role: the phases from the start date,
tasks set by the office and done by the unit's lead, monthly progress
reports, good practices and adoptions, the leadership's page (late units),
the refusals, and the phase evaluation (page and PDF)."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest
import time_machine
from tests.conftest import login_client
from tests.insights.conftest import history, world  # noqa: F401  (fixtures)

from yichuang.accounts.models import User
from yichuang.lib.audit import AuditEntry
from yichuang.lib.errors import Conflict
from yichuang.org.models import Centre, Department, Staff
from yichuang.supervision.actions.campaign import progress_report_save
from yichuang.supervision.actions.campaigns import campaign_create
from yichuang.supervision.models import (
    Adoption,
    CampaignTask,
    GoodPractice,
    PhaseEvaluation,
    ProgressReport,
)

CST = dt.timezone(dt.timedelta(hours=8))


def moment(y: int, m: int, d: int) -> dt.datetime:
    return dt.datetime(y, m, d, 10, 0, tzinfo=CST)


@pytest.fixture
def campaign(county):
    """A campaign that started on 1 January 2026; it is 20 February."""
    with time_machine.travel(moment(2026, 2, 20), tick=False) as traveller:
        item = campaign_create(
            name="提升行动", starts_on=dt.date(2026, 1, 1), actor=county.director
        )
        item.traveller = traveller
        yield item


def rs() -> Department:
    return Department.objects.get(code="rs")


def yb_lead() -> User:
    return User.objects.get(username="dept_yb")


def task_for(campaign, department: Department | None = None, centre: Centre | None = None, **kw):
    from yichuang.supervision.actions.campaign import campaign_task_create

    phase = campaign.phases.get(number=kw.pop("phase", 1))
    return campaign_task_create(
        phase=phase,
        title=kw.pop("title", "排查本部门窗口服务问题"),
        due_date=kw.pop("due_date", dt.date(2026, 3, 31)),
        actor=User.objects.get(username="director"),
        department=department,
        centre=centre,
        deliverable="问题清单",
    )


def snapshot() -> tuple:
    return (
        list(CampaignTask.objects.order_by("id").values_list("id", "status", "title", "due_date")),
        list(ProgressReport.objects.order_by("id").values_list("id", "done")),
        GoodPractice.objects.count(),
        Adoption.objects.count(),
        PhaseEvaluation.objects.count(),
        AuditEntry.objects.filter(event__startswith="supervision.").count(),
    )


def assert_refused(resp, status: int, code: str, before: tuple) -> None:
    assert resp.status_code == status, resp.content[:500]
    assert code.encode() in resp.content
    assert snapshot() == before


def test_the_three_phases_run_from_the_start_date(campaign):
    phases = [(p.number, p.starts_on, p.ends_on) for p in campaign.phases.order_by("number")]
    assert phases == [
        (1, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (2, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (3, dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ]


def test_the_office_sets_a_task_and_the_lead_marks_it_done(county, campaign):
    director = login_client(county.director)
    lead_staff = Staff.objects.get(user=county.dept_lead)
    phase = campaign.phases.get(number=1)
    resp = director.post(
        "/supervision/campaign/tasks/new/",
        {
            "phase": phase.pk,
            "unit": f"department:{rs().pk}",
            "lead": lead_staff.pk,
            "title": "梳理社保业务办事指南",
            "due_date": "2026-03-15",
            "deliverable": "办事指南汇编",
        },
    )
    assert resp.status_code == 302, resp.content[:400]
    task = CampaignTask.objects.get(title="梳理社保业务办事指南")
    assert (task.department, task.lead, task.status) == (rs(), lead_staff, "todo")

    lead = login_client(county.dept_lead)
    assert "梳理社保业务办事指南" in lead.get("/supervision/campaign/tasks/").content.decode()
    before = snapshot()
    assert_refused(
        lead.post(f"/supervision/campaign/tasks/{task.pk}/done/", {"deliverable": " "}),
        422,
        "supervision.deliverable_required",
        before,
    )
    lead.post(
        f"/supervision/campaign/tasks/{task.pk}/done/", {"deliverable": "办事指南汇编（定稿）"}
    )
    task.refresh_from_db()
    assert task.status == "done" and task.deliverable == "办事指南汇编（定稿）"
    assert task.done_at is not None and not task.is_late()
    assert AuditEntry.objects.filter(event="supervision.task_done", object_id=str(task.pk)).exists()
    # The office changes the deadline; the lead may not.
    director.post(
        f"/supervision/campaign/tasks/{task.pk}/edit/",
        {
            "unit": f"department:{rs().pk}",
            "title": task.title,
            "due_date": "2026-03-20",
            "deliverable": task.deliverable,
            "status": "done",
        },
    )
    task.refresh_from_db()
    assert task.due_date == dt.date(2026, 3, 20) and task.status == "done"


def test_outsiders_and_readers_are_refused(county, campaign):
    task = task_for(campaign, department=rs())
    before = snapshot()
    other_lead = login_client(yb_lead())
    # Another department's lead: the task is not theirs to see.
    assert_refused(
        other_lead.get(f"/supervision/campaign/tasks/{task.pk}/"),
        404,
        "supervision.task_not_found",
        before,
    )
    assert_refused(
        other_lead.post(f"/supervision/campaign/tasks/{task.pk}/done/", {"deliverable": "x"}),
        404,
        "supervision.task_not_found",
        before,
    )
    assert "排查本部门" not in other_lead.get("/supervision/campaign/tasks/").content.decode()
    # The unit's lead reads and finishes, but does not set or change tasks.
    lead = login_client(county.dept_lead)
    assert_refused(
        lead.post(
            f"/supervision/campaign/tasks/{task.pk}/edit/",
            {"unit": f"department:{rs().pk}", "title": "改", "due_date": "2026-03-01"},
        ),
        403,
        "supervision.not_campaign_office",
        before,
    )
    assert_refused(
        lead.post(
            "/supervision/campaign/tasks/new/",
            {"phase": task.phase_id, "unit": f"department:{rs().pk}", "title": "新任务"},
        ),
        403,
        "supervision.not_campaign_office",
        before,
    )
    # A clerk reads good practices only.
    clerk = login_client(county.clerk)
    assert_refused(clerk.get("/supervision/campaign/"), 403, "supervision.not_allowed", before)
    assert_refused(
        clerk.get(f"/supervision/campaign/tasks/{task.pk}/"), 403, "supervision.not_allowed", before
    )
    assert clerk.get("/supervision/campaign/practices/").status_code == 200
    # The system administrator sees no hall records.
    assert_refused(
        login_client(county.admin).get("/supervision/campaign/"),
        403,
        "org.administrators_only",
        before,
    )
    # Bad input changes nothing.
    director = login_client(county.director)
    assert_refused(
        director.post(
            "/supervision/campaign/tasks/new/",
            {"phase": task.phase_id, "unit": "", "title": "无单位", "due_date": "2026-03-01"},
        ),
        422,
        "supervision.bad_unit",
        before,
    )
    assert_refused(
        director.post(
            "/supervision/campaign/tasks/new/",
            {
                "phase": task.phase_id,
                "unit": f"department:{rs().pk}",
                "title": "行动之后",
                "due_date": "2027-06-01",
            },
        ),
        422,
        "supervision.due_outside",
        before,
    )


def test_one_report_per_unit_and_month_editable_until_it_ends(county, campaign):
    lead = login_client(county.dept_lead)
    lead.post("/supervision/campaign/reports/save/", {"done": "完成问题排查", "problems": "无"})
    lead.post(
        "/supervision/campaign/reports/save/", {"done": "完成问题排查和清单", "next_steps": "整改"}
    )
    report = ProgressReport.objects.get()
    assert (report.department, report.month, report.done) == (
        rs(),
        dt.date(2026, 2, 1),
        "完成问题排查和清单",
    )
    assert report.next_steps == "整改" and report.problems == ""
    # In March, February's report is closed: a new one is March's.
    campaign.traveller.move_to(moment(2026, 3, 2))
    with pytest.raises(Conflict):
        progress_report_save(
            campaign=campaign, month=dt.date(2026, 2, 1), actor=county.dept_lead, done="补充"
        )
    lead = login_client(county.dept_lead)  # a new session: days have passed
    lead.post("/supervision/campaign/reports/save/", {"done": "三月完成整改"})
    assert ProgressReport.objects.count() == 2
    assert ProgressReport.objects.get(month=dt.date(2026, 2, 1)).done == "完成问题排查和清单"
    # The office reads every unit's; another lead only their own.
    assert (
        "三月完成整改"
        in login_client(county.director).get("/supervision/campaign/reports/").content.decode()
    )
    assert (
        "三月完成整改"
        not in login_client(yb_lead()).get("/supervision/campaign/reports/").content.decode()
    )
    before = snapshot()
    assert_refused(
        login_client(county.inspector).post("/supervision/campaign/reports/save/", {"done": "x"}),
        403,
        "supervision.not_unit_lead",
        before,
    )
    assert_refused(
        lead.post("/supervision/campaign/reports/save/", {"done": "  "}),
        422,
        "supervision.done_required",
        before,
    )


def test_good_practices_are_adopted_by_other_units(county, campaign):
    lead = login_client(county.dept_lead)
    lead.post("/supervision/campaign/practices/new/", {"title": "一窗通办清单", "body": "做法……"})
    practice = GoodPractice.objects.get()
    assert practice.department == rs()
    other = login_client(yb_lead())
    other.post(f"/supervision/campaign/practices/{practice.pk}/adopt/", {"note": "已推行"})
    assert [a.department.code for a in practice.adoptions.all()] == ["yb"]
    before = snapshot()
    assert_refused(
        other.post(f"/supervision/campaign/practices/{practice.pk}/adopt/"),
        409,
        "supervision.already_adopted",
        before,
    )
    assert_refused(
        lead.post(f"/supervision/campaign/practices/{practice.pk}/adopt/"),
        409,
        "supervision.own_practice",
        before,
    )
    clerk = login_client(county.clerk)
    assert "一窗通办清单" in clerk.get("/supervision/campaign/practices/").content.decode()
    assert_refused(
        clerk.post(f"/supervision/campaign/practices/{practice.pk}/adopt/"),
        403,
        "supervision.not_unit_lead",
        before,
    )
    assert_refused(
        clerk.post("/supervision/campaign/practices/new/", {"title": "x", "body": "y"}),
        403,
        "supervision.not_unit_lead",
        before,
    )
    # Listed by adoptions: the adopted one before a newer one without any.
    other.post("/supervision/campaign/practices/new/", {"title": "错峰提醒", "body": "做法……"})
    page = clerk.get("/supervision/campaign/practices/")
    assert [p.title for p in page.context["practices"]] == ["一窗通办清单", "错峰提醒"]


def test_the_leadership_page_shows_phases_and_late_units(county, campaign):
    late = task_for(campaign, department=rs(), due_date=dt.date(2026, 2, 10), title="逾期的任务")
    town = Centre.objects.get(code="chengguan")
    done = task_for(campaign, centre=town, due_date=dt.date(2026, 3, 10), title="完成的任务")
    login_client(User.objects.get(username="director_chengguan")).post(
        f"/supervision/campaign/tasks/{done.pk}/done/", {"deliverable": "设施排查表"}
    )
    login_client(User.objects.get(username="director_chengguan")).post(
        "/supervision/campaign/reports/save/", {"done": "二月进展"}
    )
    # Two ledger rows in the phase: one closed on time, one past its deadline.
    from yichuang.supervision.models import Problem

    rows = [
        Problem.objects.create(
            source="self_check",
            centre=town,
            category="environment",
            severity="general",
            description="评价器损坏",
            found_on=dt.date(2026, 2, 2),
            due_date=dt.date(2026, 2, 13),
            status="verified",
            verified_at=moment(2026, 2, 11),
            on_time=True,
        ),
        Problem.objects.create(
            source="self_check",
            centre=county.hall,
            department=rs(),
            category="appearance",
            severity="general",
            description="未佩戴工作牌",
            found_on=dt.date(2026, 2, 16),
            due_date=dt.date(2026, 3, 2),
        ),
    ]
    # In March, January's and February's reports are due; 城关 sent February's.
    campaign.traveller.move_to(moment(2026, 3, 5))
    for user in (county.director, county.dept_lead):
        page = login_client(user).get("/supervision/campaign/")
        assert page.status_code == 200
    ctx = login_client(county.director).get("/supervision/campaign/").context
    phase1 = ctx["phases"][0]
    assert (phase1["total"], phase1["done"], phase1["late"], phase1["percent"]) == (2, 1, 1, 50)
    late_units = {u["name"]: u for u in ctx["late_units"]}
    assert [t.pk for t in late_units[rs().name]["overdue"]] == [late.pk]
    assert late_units[rs().name]["report_missing"]
    assert town.name not in late_units
    assert [m["month"] for m in ctx["trend"]] == ["2026-01", "2026-02", "2026-03"]
    ledger = ctx["ledger"]
    assert (ledger["opened"], ledger["closed"], ledger["on_time"]) == (len(rows), 1, 1)
    assert ledger["overdue"] == 1 and ledger["on_time_rate"] == 1 / 2
    # A unit's lead sees the unit's own tasks and lateness only.
    own = login_client(county.dept_lead).get("/supervision/campaign/").context
    assert (own["phases"][0]["total"], own["phases"][0]["late"]) == (1, 1)
    assert [u["name"] for u in own["late_units"]] == [rs().name]
    assert (own["ledger"]["opened"], own["ledger"]["overdue"]) == (1, 1)


@pytest.fixture
def march_campaign(history, county):  # noqa: F811
    """The insights tests' history (2–13 March 2026) rolled up, and a
    campaign that started on 1 March; it is 16 March."""
    from django.core.management import call_command

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    with time_machine.travel(moment(2026, 3, 16), tick=False) as traveller:
        item = campaign_create(
            name="提升行动", starts_on=dt.date(2026, 3, 1), actor=county.director
        )
        item.traveller = traveller
        yield item


def test_the_evaluation_shows_the_dashboards_targets(county, march_campaign, api):
    phase = march_campaign.phases.get(number=1)
    page = login_client(county.director).get(f"/supervision/campaign/phases/{phase.pk}/")
    assert page.status_code == 200
    kpis = api(county.director).get("/api/v1/kpis?scope=county&from=2026-03-01&to=2026-03-16")
    assert kpis.status_code == 200
    k = kpis.json()
    e = page.context["e"]
    for key in ("satisfaction_rate", "committed_compression", "one_visit_coverage"):
        assert e["at_start"][key] == k[key]
        assert e["at_end"][key] == k[key]
    assert k["satisfaction_rate"] is not None  # the history has ratings
    rows = {t["key"]: t for t in page.context["targets"]}
    assert rows["satisfaction_rate"]["goal"] == 0.95
    # The dashboard page for the same dates shows the same figure.
    dash = login_client(county.director).get(
        "/dashboard/?scope=county&from=2026-03-01&to=2026-03-16"
    )
    assert dash.context["k"]["satisfaction_rate"] == e["at_end"]["satisfaction_rate"]


def test_the_evaluation_is_made_after_the_phase_and_printed(county, campaign, tmp_path):
    phase = campaign.phases.get(number=1)
    task_for(campaign, department=rs(), due_date=dt.date(2026, 2, 10), title="逾期的任务")
    director = login_client(county.director)
    before = snapshot()
    assert_refused(
        director.post(f"/supervision/campaign/phases/{phase.pk}/evaluate/"),
        409,
        "supervision.phase_running",
        before,
    )
    campaign.traveller.move_to(moment(2026, 4, 2))
    assert_refused(
        login_client(county.dept_lead).post(f"/supervision/campaign/phases/{phase.pk}/evaluate/"),
        403,
        "supervision.not_campaign_office",
        before,
    )
    director = login_client(county.director)  # a new session: weeks have passed
    director.post(f"/supervision/campaign/phases/{phase.pk}/evaluate/")
    evaluation = PhaseEvaluation.objects.get()
    assert evaluation.tasks["total"] == 1 and evaluation.tasks["late"] == 1
    assert evaluation.at_end["to"] == "2026-03-31"
    resp = director.get(f"/supervision/campaign/phases/{phase.pk}/pdf/")
    assert resp.content.startswith(b"%PDF")
    path = tmp_path / "evaluation.pdf"
    path.write_bytes(resp.content)
    text = "".join(
        subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout.split()
    )
    for words in ("第1阶段（排查整改）评估报告", "群众满意率", "逾期的任务"):
        assert words in text, words
    assert (
        login_client(county.dept_lead).get(f"/supervision/campaign/phases/{phase.pk}/").status_code
        == 200
    )


def test_the_office_starts_the_campaign_from_its_page(county):
    from yichuang.supervision.models import Campaign

    lead = login_client(county.dept_lead)
    page = lead.get("/supervision/campaign/")
    assert page.status_code == 200 and "尚未发起提升行动" in page.content.decode()
    before = snapshot()
    assert_refused(
        lead.post("/supervision/campaign/start/", {"name": "提升行动", "starts_on": "2026-01-01"}),
        403,
        "supervision.not_campaign_office",
        before,
    )
    assert not Campaign.objects.exists()
    assert_refused(
        login_client(county.director).post(
            "/supervision/campaign/start/", {"name": "提升行动", "starts_on": "2026-13-01"}
        ),
        422,
        "supervision.bad_date",
        before,
    )
    login_client(county.director).post(
        "/supervision/campaign/start/", {"name": "窗口服务提升行动", "starts_on": "2026-01-01"}
    )
    campaign = Campaign.objects.get()
    assert campaign.phases.count() == 3
    assert "窗口服务提升行动" in lead.get("/supervision/campaign/").content.decode()
