"""The director's numbers are the same on the dashboard, in the report's PDF
text, in the Excel workbook and on the catalogue overview, for a month of
generated history (issue: 82.5 % vs 83 %, 98.4 % vs 98.5 %, cards 52/34 vs 0/0)."""

from __future__ import annotations

import datetime as dt
import io
import re
import subprocess

from django.core.management import call_command
from openpyxl import load_workbook
from tests.conftest import login_client

from yichuang.insights import kpis as k
from yichuang.lib.numbers import rate_display

MONTH = "2026-03"
PERIOD = "from=2026-03-01&to=2026-03-31"


def _excel_text(cell) -> str:
    """What Excel shows for a 0.0% cell (it rounds the stored value)."""
    assert cell.number_format == "0.0%", cell.number_format
    return f"{cell.value * 100:.1f}%"


def test_the_directors_numbers_agree_everywhere(history, tmp_path):
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    from yichuang.accounts.models import User

    client = login_client(User.objects.get(username="countyadmin"))
    figures = k.kpis(k.system_scope("county"), dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    shown = {
        key: rate_display(figures[key])
        for key in ("satisfaction_rate", "committed_compression", "one_visit_coverage")
    }
    cards = f"{figures['yellow_cards']} / {figures['red_cards']}"
    assert figures["satisfaction_rate"] is not None

    dash = client.get(f"/dashboard/?scope=county&{PERIOD}").content.decode()
    big = re.findall(r'<p class="big">([^<]+)</p>', dash)
    assert big == [
        shown["satisfaction_rate"],
        shown["committed_compression"],
        shown["one_visit_coverage"],
    ]
    assert f"<b>{cards}</b>" in dash

    pdf = client.get(f"/dashboard/report/?scope=county&month={MONTH}&format=pdf").content
    path = tmp_path / "r.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    for value in shown.values():
        assert value in text, value
    # The run figures' row ends with the yellow and the red cards.
    assert figures["yellow_cards"] and figures["red_cards"]
    run = text.split("运行指标", 1)[1].split("环比与同比", 1)[0].split()
    assert run[-2:] == [str(figures["yellow_cards"]), str(figures["red_cards"])], run

    xlsx = client.get(f"/dashboard/report/?scope=county&month={MONTH}&format=xlsx").content
    ws = load_workbook(io.BytesIO(xlsx))["概要"]
    cells = {row[0].value: row[1] for row in ws.iter_rows(min_row=2)}
    assert _excel_text(cells["群众满意率"]) == shown["satisfaction_rate"]
    assert _excel_text(cells["承诺时限压缩率"]) == shown["committed_compression"]
    assert _excel_text(cells["“最多跑一次”事项覆盖率"]) == shown["one_visit_coverage"]
    assert (cells["黄牌（张）"].value, cells["红牌（张）"].value) == (
        figures["yellow_cards"],
        figures["red_cards"],
    )
    # No raw float survives in a workbook cell: at most one decimal (of a %).
    for sheet in load_workbook(io.BytesIO(xlsx)).worksheets:
        for row in sheet.iter_rows(min_row=2, values_only=True):
            for value in row:
                if isinstance(value, float):
                    assert len(repr(value).split(".")[1]) <= 4, (sheet.title, value)

    catalogue = client.get("/catalog/overview/?scope=county").content.decode()
    assert f'<b id="coverage">{shown["one_visit_coverage"]}</b>' in catalogue
    assert f"<b>{shown['committed_compression']}</b>" in catalogue
