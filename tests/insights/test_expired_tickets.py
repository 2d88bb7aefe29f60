"""Tickets expired at closing in the figures: never served, counted as the
hall's failure to serve (过期未办, per ticket taken) in the KPIs, the
dashboard and the monthly report alike; a 过号 ticket that expired stays a
no-show, so the expiry moves no other figure."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import time_machine
from django.core.management import call_command
from openpyxl import load_workbook
from tests.conftest import login_client

from yichuang.accounts.models import User
from yichuang.insights import kpis as k
from yichuang.insights.rollups import rollup_tick
from yichuang.insights.templatetags.insights import pct_text
from yichuang.org.models import Window
from yichuang.queueing.actions import (
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    tickets_expire,
    window_open,
)

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY = dt.date(2026, 3, 16)
MON_10 = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SH)
AFTER_CLOSING = dt.datetime(2026, 3, 16, 17, 31, tzinfo=SH)
KEPT = (
    "tickets",
    "tickets_called",
    "tickets_served",
    "avg_wait_minutes",
    "avg_service_minutes",
    "no_show_rate",
    "no_shows",
)


def _figures() -> dict:
    rollup_tick(settle=0)
    return k.kpis(k.system_scope("centre:county-hall"), MONDAY, MONDAY)


@pytest.fixture
def day(world):
    """Monday in the county hall: one ticket served, one 过号 (may rejoin),
    one called and not served, one waiting — at closing three are open."""
    hall = world.hall
    hall.always_open = False
    hall.opening_hours = {}
    hall.save()
    clerk1, clerk2 = (User.objects.get(username=f"clerk_w0{n}") for n in (1, 2))
    with time_machine.travel(MON_10, tick=False):
        w1 = window_open(window=Window.objects.get(centre=hall, number=1), actor=clerk1)
        w2 = window_open(window=Window.objects.get(centre=hall, number=2), actor=clerk2)

        def take(minutes):
            return ticket_issue(
                centre=hall,
                queue_code="general",
                channel="kiosk",
                now=MON_10 + dt.timedelta(minutes=minutes),
            )

        take(0)
        ticket_call_next(window=w1, actor=clerk1, now=MON_10 + dt.timedelta(minutes=5))
        ticket_finish(window=w1, actor=clerk1, now=MON_10 + dt.timedelta(minutes=12))
        take(1)
        ticket_call_next(window=w1, actor=clerk1, now=MON_10 + dt.timedelta(minutes=13))
        ticket_no_show(window=w1, actor=clerk1, now=MON_10 + dt.timedelta(minutes=15))
        take(2)
        ticket_call_next(window=w2, actor=clerk2, now=MON_10 + dt.timedelta(minutes=20))
        take(3)
    return hall


def test_expired_tickets_count_apart_and_move_no_other_figure(day):
    before = _figures()
    assert before["tickets"] == 4 and before["tickets_served"] == 1
    assert before["tickets_expired"] == 0 and before["expired_rate"] == 0
    assert len(tickets_expire(centre=day, day=MONDAY, now=AFTER_CLOSING)) == 3
    after = _figures()
    assert {key: after[key] for key in KEPT} == {key: before[key] for key in KEPT}
    assert after["no_shows"] == 1  # the 过号 ticket that expired is still a no-show
    # the called one and the waiting one: the hall did not serve them
    assert after["tickets_expired"] == 2
    assert after["expired_rate"] == 0.5
    # a rebuild from scratch gives the same figures as the worker's roll-ups
    call_command("rebuild_rollups", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert k.kpis(k.system_scope("centre:county-hall"), MONDAY, MONDAY) == after


def test_the_dashboard_and_the_report_show_the_same_figure(day, world, tmp_path):
    tickets_expire(centre=day, day=MONDAY, now=AFTER_CLOSING)
    figures = _figures()
    client = login_client(world.county_admin)
    resp = client.get("/dashboard/?scope=centre:county-hall&from=2026-03-16&to=2026-03-16")
    assert resp.status_code == 200
    html = resp.content.decode()
    box = html.split('id="kpi-expired"')[1].split("</div>")[0]
    assert pct_text(figures["expired_rate"]) in box and "2 个" in box
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
    summary = {row[0]: row[1] for row in wb["概要"].iter_rows(min_row=2, values_only=True)}
    month = k.kpis(k.system_scope("centre:county-hall"), dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert month["tickets_expired"] == 2
    assert summary["过期未办（个）"] == 2
    assert summary["过期未办率"] == math.floor(month["expired_rate"] * 1000) / 1000
