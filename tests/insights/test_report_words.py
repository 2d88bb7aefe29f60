"""The report's words: 总体情况, 存在问题, 下步措施 drafted from the figures,
环比 and 同比, rankings; the director edits and saves them per month and scope."""

from __future__ import annotations

import datetime as dt
import io
import subprocess

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from tests.conftest import login_client

from yichuang.insights import kpis as k
from yichuang.insights.models import ReportText
from yichuang.insights.report import report_data
from yichuang.insights.report_text import comparisons, problems_found
from yichuang.lib.audit import AuditEntry


@pytest.fixture
def rolled(history):
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115


def _figures(**over):
    base = {
        "tickets": 100,
        "cases": 10,
        "satisfaction_rate": 0.96,
        "on_time_rate": 0.99,
        "one_visit_share_cases": 0.9,
        "avg_wait_minutes": 5.0,
        "no_show_rate": 0.02,
        "yellow_cards": 0,
        "red_cards": 0,
        "ratings": 200,
        "ratings_small_sample": False,
        "committed_compression": 0.35,
        "one_visit_coverage": 0.95,
        "rectifications": {"open_overdue": 0},
        "targets": dict(k.TARGETS),
    }
    return {**base, **over}


def _held(p90=20):
    return {
        "windows_lowest_satisfaction": [{"name": "5号 社保参保", "satisfaction_rate": 0.8819}],
        "departments_most_red_cards": [{"name": "县人社局"}],
        "queues_longest_peak_p90": [{"name": "B 社保业务", "p90_wait_minutes": p90}],
    }


def test_the_draft_names_each_missed_target_and_its_measure():
    fine = problems_found({"k": _figures(), "held": _held()})
    assert fine == []
    bad = _figures(
        satisfaction_rate=0.9496,
        red_cards=3,
        yellow_cards=5,
        on_time_rate=0.9,
        committed_compression=0.27,
    )
    found = dict(problems_found({"k": bad, "held": _held(p90=48)}))
    assert set(found) == {"satisfaction", "cards", "on_time", "compression", "waits"}
    assert "48 分钟" in found["waits"]
    # The words use the display rule: 94.96 % is 94.9 %, never "95.0 %".
    assert "94.9%" in found["satisfaction"] and "5号 社保参保（88.1%）" in found["satisfaction"]
    assert "红牌 3 张" in found["cards"] and "县人社局" in found["cards"]


def test_month_on_month_and_year_on_year_compare_shown_values():
    rows = {
        r["label"]: r
        for r in comparisons(
            _figures(tickets=110, satisfaction_rate=0.9689),
            _figures(tickets=100, satisfaction_rate=0.9519),
            _figures(tickets=0, satisfaction_rate=None),
        )
    }
    assert rows["取号（个）"]["mom"] == "+10.0%"
    assert rows["取号（个）"]["yoy"] == "—"
    assert rows["群众满意率"]["mom"] == "+1.7 个百分点"  # 96.8 − 95.1
    assert rows["群众满意率"]["yoy"] == "—"


def test_the_pdf_and_workbook_carry_the_words_and_the_rankings(rolled, tmp_path, world):
    data = report_data(k.system_scope("county"), dt.date(2026, 3, 1))
    assert data["ranks"]["windows"] and data["ranks"]["clerks"]
    client = login_client(world.director)
    pdf = client.get("/dashboard/report/?scope=county&month=2026-03&format=pdf").content
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    for words in (
        "一、总体情况",
        "二、存在问题",
        "三、下步措施",
        "环比与同比",
        "七、窗口与工作人员排名",
    ):
        assert words in text, words
    flat = "".join(text.split())
    assert "".join(data["words"]["overall"].split())[:40] in flat
    assert "尚未经中心负责人审定" in text
    wb = load_workbook(
        io.BytesIO(client.get("/dashboard/report/?scope=county&month=2026-03&format=xlsx").content)
    )
    assert wb["总体情况与措施"]["B2"].value == data["words"]["overall"]
    assert wb["窗口排名"]["B2"].value == data["ranks"]["windows"][0]["name"]


def test_the_director_saves_the_words_and_the_report_prints_them(rolled, world, tmp_path):
    client = login_client(world.director)
    page = client.get("/dashboard/report/text/?scope=county&month=2026-03")
    assert page.status_code == 200
    assert "总体情况" in page.content.decode() and "保存审定文字" in page.content.decode()
    resp = client.post(
        "/dashboard/report/text/",
        {
            "scope": "county",
            "month": "2026-03",
            "overall": "三月全县大厅运行平稳，经审定。",
            "problems": "",
            "measures": "一、加强高峰时段窗口调度。",
        },
    )
    assert resp.status_code == 302
    saved = ReportText.objects.get(scope_key="county", month=dt.date(2026, 3, 1))
    assert saved.edited_by == world.director
    assert AuditEntry.objects.filter(event="insights.report_text_save").count() == 1
    pdf = client.get("/dashboard/report/?scope=county&month=2026-03&format=pdf").content
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    assert "三月全县大厅运行平稳，经审定。" in text
    assert "加强高峰时段窗口调度" in text
    assert "尚未经中心负责人审定" not in text
    # The empty part keeps the draft.
    assert "二、存在问题" in text


def test_it_refuses_others_and_other_scopes_and_changes_nothing(rolled, world):
    form = {
        "scope": "county",
        "month": "2026-03",
        "overall": "篡改",
        "problems": "",
        "measures": "",
    }
    # A window clerk may read the dashboard of the hall but signs no report.
    resp = login_client(world.clerk).post(
        "/dashboard/report/text/", {**form, "scope": "centre:county-hall"}
    )
    assert resp.status_code == 403
    # A township clerk may not even name the county.
    resp = login_client(world.outsider).post("/dashboard/report/text/", form)
    assert resp.status_code == 403
    resp = login_client(world.director).post(
        "/dashboard/report/text/", {**form, "month": "2026-13"}
    )
    assert resp.status_code == 422
    assert not ReportText.objects.exists()
    assert not AuditEntry.objects.filter(event="insights.report_text_save").exists()
