"""The 好差评 board keeps its KPIs above the overdue panel, which shows ten
rows with a link to all, and says why no SMS went (issue 18, item 21)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from yichuang.feedback import actions
from yichuang.feedback.models import OverdueNotice

from .helpers import rate

pytestmark = pytest.mark.django_db


def _rows(html: str) -> int:
    panel = re.search(r'<section class="card warn-card" id="overdue">(.*?)</section>', html, re.S)
    return panel.group(1).count('<tr class="overdue">')


def test_the_overdue_panel_sits_under_the_kpis_ten_rows_at_a_time(served, county, frozen):
    for _ in range(12):
        rate(served(1), 1)
    frozen.shift(dt.timedelta(days=2))
    actions.overdue_flag()
    assert OverdueNotice.objects.count() == 12
    client = Client()
    client.force_login(county.director)
    html = client.get("/feedback/").content.decode()
    assert html.index('id="kpi-rate"') < html.index('id="overdue"') < html.index('id="rates"')
    assert _rows(html) == 10
    link = re.search(r'<a id="overdue-all" href="([^"]+)">([^<]+)</a>', html)
    assert link.group(2) == "查看全部 12 项"
    everything = client.get("/feedback/" + link.group(1).replace("&amp;", "&")).content.decode()
    assert _rows(everything) == 12 and 'id="overdue-all"' not in everything
    # No SMS went because nobody is assigned yet: the panel says so.
    assert "不发短信" not in html and "未发（待分派）" in html
