"""The campaign's and the bulletin's list pages cost a number of queries
that does not grow with their rows."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from tests.conftest import login_client

from yichuang.accounts.models import User
from yichuang.org.models import Centre, Department
from yichuang.supervision.actions.bulletin import bulletin_draft, bulletin_sign
from yichuang.supervision.actions.campaign import (
    campaign_task_create,
    good_practice_adopt,
    good_practice_write,
    progress_report_save,
)
from yichuang.supervision.actions.campaigns import campaign_create

PAGES = [
    "/supervision/campaign/",
    "/supervision/campaign/tasks/",
    "/supervision/campaign/reports/",
    "/supervision/campaign/practices/",
    "/supervision/bulletins/",
]


@pytest.fixture
def campaign(county):
    moment = dt.datetime(2026, 2, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(moment, tick=False):
        yield campaign_create(name="提升行动", starts_on=dt.date(2026, 1, 1), actor=county.director)


def add_rows(campaign, county, n: int) -> None:
    """``n`` tasks per department and township; each department's report of
    the month and a practice, adopted by the next department; ``n`` monthly
    bulletins, the first signed."""
    phase = campaign.phases.get(number=1)
    departments = list(Department.objects.order_by("code"))[:n]
    for d in departments:
        campaign_task_create(
            phase=phase,
            title=f"{d.name}的任务",
            due_date=dt.date(2026, 2, 10),
            actor=county.director,
            department=d,
        )
    for c in Centre.objects.filter(kind="township").order_by("code")[:n]:
        campaign_task_create(
            phase=phase,
            title=f"{c.name}的任务",
            due_date=dt.date(2026, 3, 10),
            actor=county.director,
            centre=c,
        )
    leads = [
        User.objects.filter(staff__department=d, roles__role="department_lead").first()
        for d in departments
    ]
    leads = [u for u in leads if u is not None]
    for lead in leads:
        progress_report_save(campaign=campaign, month=dt.date(2026, 2, 1), actor=lead, done="完成")
        practice = good_practice_write(campaign=campaign, actor=lead, title="做法", body="内容")
        for other in leads:
            if other != lead:
                good_practice_adopt(practice=practice, actor=other)
                break
    for month in range(1, n + 1):
        bulletin = bulletin_draft(month=dt.date(2025, month, 1), actor=county.director)
        if month == 1 and bulletin.status == "draft":
            bulletin_sign(bulletin=bulletin, actor=county.director)


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_the_pages_cost_the_same_with_more_rows(county, campaign):
    director = login_client(county.director)
    add_rows(campaign, county, 2)
    few = {url: queries(director, url) for url in PAGES}
    add_rows(campaign, county, 6)
    many = {url: queries(director, url) for url in PAGES}
    assert many == few
