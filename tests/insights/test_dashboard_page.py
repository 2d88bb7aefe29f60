"""/dashboard/: the three targets, drill-down, lists and live panel; query
counts that do not grow with history."""

from __future__ import annotations

import datetime as dt

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import login_client
from tests.insights.conftest import START

PERIOD = "from=2026-03-01&to=2026-03-31"


def _get(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    return resp, len(ctx.captured_queries)


def test_it_shows_the_three_targets_with_drill_down(world, history):
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = login_client(world.county_admin)
    resp = client.get(f"/dashboard/?{PERIOD}")
    assert resp.status_code == 200
    html = resp.content.decode()
    for text in (
        "群众满意率",
        "承诺时限压缩率",
        "最多跑一次",
        "差距在哪里",
        "大厅实况",
        "月度趋势",
    ):
        assert text in html
    assert "echarts.min.js" in html and 'id="dash-data"' in html
    assert "?scope=centre:county-hall&amp;by=department" in html
    resp = client.get(f"/dashboard/?scope=centre:county-hall&by=department&{PERIOD}")
    assert resp.status_code == 200
    assert "dept=rs&amp;by=window" in resp.content.decode()
    resp = client.get(f"/dashboard/?scope=centre:county-hall&dept=rs&by=window&{PERIOD}")
    assert resp.status_code == 200
    for by in ("clerk", "item", "queue"):
        assert client.get(f"/dashboard/?by={by}&{PERIOD}").status_code == 200


def test_it_costs_the_same_queries_with_more_history(world):
    from yichuang.demo.history import generate

    client = login_client(world.county_admin)
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.get(f"/dashboard/?{PERIOD}")  # warm the calendar cache and session
    _resp, empty = _get(client, f"/dashboard/?{PERIOD}")
    generate(start=START, days=10, seed=2, per_day=20)
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _resp, full = _get(client, f"/dashboard/?{PERIOD}")
    generate(start=START + dt.timedelta(days=10), days=10, seed=3, per_day=20)
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _resp, more = _get(client, f"/dashboard/?{PERIOD}")
    assert full == more
    assert full <= 51, full
    assert empty <= 51, empty


def test_it_keeps_a_township_clerk_in_his_centre(world):
    client = login_client(world.outsider)
    resp = client.get("/dashboard/")
    assert resp.status_code == 200
    assert "城关镇" in resp.content.decode()
    assert client.get("/dashboard/?scope=county").status_code == 403
    assert client.get("/dashboard/?scope=centre:county-hall").status_code == 404


def test_it_sends_anonymous_visitors_to_sign_in(world):
    from django.test import Client

    resp = Client().get("/dashboard/")
    assert resp.status_code == 302


def test_it_refreshes_the_live_panel(world):
    client = login_client(world.director)
    resp = client.get("/dashboard/live/")
    assert resp.status_code == 200
    assert "大厅实况" in resp.content.decode()
    assert "<html" not in resp.content.decode()


def test_each_window_row_leads_to_that_windows_page(world, history):
    import json
    import re

    from yichuang.org.models import Window

    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client = login_client(world.county_admin)
    resp = client.get(f"/dashboard/?scope=centre:county-hall&by=window&{PERIOD}")
    html = resp.content.decode()
    links = set(re.findall(r'href="/dashboard/window/(\d+)/', html))
    assert len(links) > 1, "every window row links to its own page"
    # The chart names the window as the hall does ("5号 …"), not its centre.
    names = json.loads(re.search(r'id="dash-data"[^>]*>(.*?)</script>', html, re.S).group(1))
    labels = names["breakdown"]["names"]
    assert labels and not any("政务服务" in n for n in labels if "号" in n), labels
    assert any(re.match(r"\d+号 ", n) for n in labels), labels
    # Cases are not kept by window: no empty case columns there, but the
    # centre table keeps its 红牌 column.
    assert "<th>一次办结</th><th>红牌</th>" not in html
    centres = client.get(f"/dashboard/?by=centre&{PERIOD}").content.decode()
    assert "<th>一次办结</th><th>红牌</th>" in centres
    window = Window.objects.get(id=int(sorted(links)[0]))
    page = client.get(f"/dashboard/window/{window.id}/?{PERIOD}")
    assert page.status_code == 200
    text = page.content.decode()
    assert f"{window.number}号 {window.name}" in text
    assert "按工作人员" in text and "按队列" in text


def test_a_window_outside_the_scope_is_not_found(world):
    from yichuang.org.models import Window

    hall_window = Window.objects.filter(centre__code="county-hall").first()
    client = login_client(world.outsider)
    resp = client.get(f"/dashboard/window/{hall_window.id}/")
    assert resp.status_code == 404
    assert client.get("/dashboard/window/999999/").status_code == 404


def test_county_wide_window_labels_name_the_place(world, history):
    """Two centres' 4号 windows must not read alike in the county's chart."""
    from yichuang.insights.kpis import short_names
    from yichuang.org.models import Window

    fours = list(Window.objects.filter(number=4).select_related("centre"))
    assert len({w.centre_id for w in fours}) > 1
    labels = short_names("window", [w.id for w in fours])
    assert len(set(labels.values())) == len(fours), labels
    town = next(w for w in fours if w.centre.name.endswith("便民服务中心"))
    assert labels[town.id] == f"{town.centre.name.removesuffix('便民服务中心')} 4号 {town.name}"
    hall_only = [w.id for w in Window.objects.filter(centre__code="county-hall")[:3]]
    assert all(not v.startswith("云溪县") for v in short_names("window", hall_only).values())
