"""The monthly report: PDF with embedded fonts, Excel with the same tables,
the CLI command and the download button."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook
from tests.conftest import login_client


@pytest.fixture
def month_history(history):
    from yichuang.insights.kpis import baseline_freeze

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    baseline_freeze(label="基线", date_from=dt.date(2026, 3, 1), date_to=dt.date(2026, 3, 6))


def test_it_writes_a_pdf_with_embedded_fonts(month_history, tmp_path):
    out = tmp_path / "report.pdf"
    call_command(
        "report",
        "--month",
        "2026-03",
        "--format",
        "pdf",
        "-o",
        str(out),
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    Path("var").mkdir(exist_ok=True)
    shutil.copy(out, "var/report-sample.pdf")
    fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True, check=True)
    lines = fonts.stdout.splitlines()[2:]
    assert lines, fonts.stdout
    assert all(line.split()[-5] == "yes" for line in lines), fonts.stdout  # emb column
    assert any("WenQuanYi" in line for line in lines)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    for words in ("政务服务月度报告", "三项目标完成情况", "差距清单", "差评整改情况", "附录"):
        assert words in text


def test_it_writes_excel_with_the_same_tables(month_history, tmp_path):
    out = tmp_path / "report.xlsx"
    call_command(
        "report",
        "--month",
        "2026-03",
        "--scope",
        "centre:county-hall",
        "--format",
        "xlsx",
        "-o",
        str(out),
        stdout=open("/dev/null", "w"),  # noqa: SIM115
    )
    wb = load_workbook(out)
    assert wb.sheetnames == [
        "概要",
        "月度趋势",
        "分中心",
        "分部门",
        "差距清单",
        "差评整改",
        "总体情况与措施",
        "环比同比",
        "窗口排名",
        "工作人员排名",
        "口径说明",
    ]
    summary = {row[0]: row[1] for row in wb["概要"].iter_rows(min_row=2, values_only=True)}
    from yichuang.insights import kpis as k

    figures = k.kpis(
        k.system_scope("centre:county-hall"), dt.date(2026, 3, 1), dt.date(2026, 3, 31)
    )
    # The cell holds the truncated rate under a 0.0% format: Excel shows what
    # the PDF shows, never a rate rounded up onto its target.
    assert summary["群众满意率"] == math.floor(figures["satisfaction_rate"] * 1000) / 1000
    assert summary["群众满意率"] != figures["satisfaction_rate"]
    rows = wb["概要"].iter_rows(min_row=2)
    rate_cell = next(row[1] for row in rows if row[0].value == "群众满意率")
    assert rate_cell.number_format == "0.0%"
    assert summary["取号（个）"] == figures["tickets"]


def test_it_rejects_a_bad_month_on_the_command_line(world, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"insights\.bad_month"):
        call_command("report", "--month", "2026-13", "-o", str(tmp_path / "x.pdf"))


def test_it_downloads_from_the_dashboard(month_history):
    client = login_client((month_history and None) or _admin())
    resp = client.get("/dashboard/report/?month=2026-03&format=xlsx&scope=county")
    assert resp.status_code == 200
    assert "attachment" in resp["Content-Disposition"]
    assert resp.content[:2] == b"PK"


def test_it_keeps_the_download_in_the_users_scope(world):
    client = login_client(world.outsider)
    resp = client.get("/dashboard/report/?month=2026-03&format=pdf&scope=county")
    assert resp.status_code == 403


def _admin():
    from yichuang.accounts.models import User

    return User.objects.get(username="countyadmin")
