"""The demo step: the campaign from the history's first month, visits to
every centre, rows from every source worked through the flow, and the
stories — the township pad broken three times (the third escalated), the
county hall's badges twice, a forbidden phrase once."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.demo import supervision as demo_supervision
from yichuang.demo.base import DemoRun
from yichuang.supervision.models import (
    Adoption,
    Campaign,
    CampaignTask,
    GoodPractice,
    Inspection,
    Problem,
    ProgressReport,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(hall, frozen):
    demo_supervision.build(DemoRun(seed=5, months=2))


def test_the_campaign_runs_from_the_first_month(demo):
    campaign = Campaign.objects.get()
    assert campaign.starts_on == dt.date(2026, 1, 1)  # 15 March − 2 months, its month's first day
    assert [p.name for p in campaign.phases.order_by("number")] == [
        "排查整改",
        "规范提升",
        "巩固拓展",
    ]
    phase1 = CampaignTask.objects.filter(phase__number=1)
    assert phase1.filter(department__isnull=False).exists()
    assert phase1.filter(centre__kind="township").exists()
    assert ProgressReport.objects.filter(month=dt.date(2026, 2, 1)).count() > 5
    assert GoodPractice.objects.count() == 3 and Adoption.objects.count() == 1


def test_every_centre_is_visited_open_and_covert(demo, county):
    from yichuang.org.models import Centre

    visited = set(Inspection.objects.values_list("centre_id", flat=True))
    assert visited == set(Centre.objects.values_list("pk", flat=True))
    assert set(Inspection.objects.values_list("kind", flat=True)) == {"open", "covert"}
    assert Inspection.objects.filter(checklist__code="environment").exists()


def test_the_rows_are_in_every_state_with_most_closed_on_time(demo):
    rows = Problem.objects.all()
    states = set(rows.values_list("status", flat=True))
    assert {"verified", "planned"} <= states
    verified = rows.filter(status="verified")
    assert verified.filter(on_time=True).count() > verified.count() / 2
    # (The ingested sources need the history's ratings, complaints, cards
    # and alerts: tests/supervision/test_ingestion.py.)
    assert set(rows.values_list("source", flat=True)) >= {"inspection", "self_check", "leadership"}


def test_the_stories(demo):
    escalated = Problem.objects.get(escalated=True)
    assert escalated.recurrence == 2 and escalated.category == "environment"
    assert escalated.centre.kind == "township" and escalated.status != "verified"
    badges = Problem.objects.get(category="appearance", recurrence=1, department__code="rs")
    assert badges.centre.code == "county-hall"
    assert Problem.objects.filter(category="language", severity="severe").count() == 1
