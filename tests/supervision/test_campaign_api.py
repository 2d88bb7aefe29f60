"""GET /api/v1/campaigns and /campaigns/{id}: the campaign, its three phases
(months 1–3, 4–6, 7–12) with their tasks, and its evaluations."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.lib.errors import DomainError
from yichuang.supervision.actions import campaign_create
from yichuang.supervision.models import CampaignTask


@pytest.fixture
def campaign(county):
    c = campaign_create(
        name="窗口服务提升行动", starts_on=dt.date(2026, 1, 1), actor=county.director
    )
    phase = c.phases.get(number=1)
    CampaignTask.objects.create(
        phase=phase,
        title="全面排查窗口服务问题，建立问题清单",
        department=county.dept_lead.staff.department,
        lead=county.dept_lead.staff,
        due_date=dt.date(2026, 2, 15),
        deliverable="问题清单",
    )
    return c


def test_the_phases_follow_the_start_date(campaign):
    spans = [(p.number, p.starts_on, p.ends_on) for p in campaign.phases.order_by("number")]
    assert spans == [
        (1, dt.date(2026, 1, 1), dt.date(2026, 3, 31)),
        (2, dt.date(2026, 4, 1), dt.date(2026, 6, 30)),
        (3, dt.date(2026, 7, 1), dt.date(2026, 12, 31)),
    ]


def test_the_campaign_through_the_api(api, county, campaign, frozen):
    client = api(county.clerk)
    listed = client.get("/api/v1/campaigns")
    assert listed.status_code == 200, listed.content
    assert [c["id"] for c in listed.json()] == [campaign.pk]
    resp = client.get(f"/api/v1/campaigns/{campaign.pk}")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert body["starts_on"] == "2026-01-01"
    assert [p["name"] for p in body["phases"]] == ["排查整改", "规范提升", "巩固拓展"]
    (task,) = body["phases"][0]["tasks"]
    assert task["status"] == "todo" and task["due_date"] == "2026-02-15"
    assert task["late"] is True  # not done by 15 February; today is 16 March
    assert body["evaluations"] == []


def test_unknown_campaigns_and_strangers(api, county, campaign):
    assert api(county.clerk).get("/api/v1/campaigns/999999").status_code == 404
    assert api(county.admin).get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert api().get("/api/v1/campaigns").status_code == 401


def test_only_the_county_starts_a_campaign(county):
    with pytest.raises(DomainError) as err:
        campaign_create(name="x", starts_on=dt.date(2026, 1, 1), actor=county.dept_lead)
    assert err.value.code == "supervision.not_allowed"
