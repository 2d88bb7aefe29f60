"""The demo step: ratings mostly good with bad ones concentrated on a few
windows, a rectification for every bad rating in every state, complaints from
every channel, and a roll-up that agrees with the raw rows."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db.models import Sum

from yichuang.demo import feedback as demo_feedback
from yichuang.demo import queueing as demo_queueing
from yichuang.demo.base import DemoRun
from yichuang.feedback.actions import rates_of
from yichuang.feedback.models import Complaint, Rating, RatingDay, Rectification

pytestmark = pytest.mark.django_db


def test_the_demo_tells_a_story(hall):
    run = DemoRun(seed=11, months=2)
    demo_queueing.build_history(run, 2)
    demo_feedback.build(run)
    ratings = Rating.objects.all()
    assert ratings.count() > 1000
    rate = rates_of(ratings)["satisfaction_rate"]
    assert 0.95 < rate < 0.995
    bad_by_window = Counter(ratings.bad().values_list("window_id", flat=True))
    top3 = sum(n for _w, n in bad_by_window.most_common(3))
    assert top3 > 0.4 * sum(bad_by_window.values())
    assert Rectification.objects.count() == ratings.bad().count()
    assert set(Rectification.objects.values_list("status", flat=True)) == {
        s.value for s in Rectification.Status
    }
    assert set(Complaint.objects.values_list("channel", flat=True)) == {
        c.value for c in Complaint.Channel
    }
    assert set(Complaint.objects.values_list("kind", flat=True)) == {
        k.value for k in Complaint.Kind
    }
    totals = RatingDay.objects.aggregate(*(Sum(f"n{lv}") for lv in range(1, 6)))
    assert sum(v for v in totals.values()) == ratings.count()
    assert totals["n1__sum"] == ratings.filter(level=1).count()


def test_the_demo_complaints_carry_verdicts_and_reach_the_ledger(hall):
    """Replied 投诉 and 办不成事 have their 核实结论 — mostly 属实 or 部分属实,
    some 不属实 — so the ledger reads the substantiated closed ones only."""
    from yichuang.supervision.actions import problems_ingest
    from yichuang.supervision.models import Problem

    run = DemoRun(seed=11, months=2)
    demo_feedback.build(run)
    replied = Complaint.objects.filter(status__in=("replied", "closed"))
    verified = replied.filter(kind__in=Complaint.VERIFIED_KINDS)
    assert not verified.filter(verdict="").exists()
    assert not replied.exclude(kind__in=Complaint.VERIFIED_KINDS).exclude(verdict="").exists()
    counts = Counter(verified.values_list("verdict", flat=True))
    assert counts["unfounded"] > 0
    assert counts["substantiated"] + counts["partly"] > 2 * counts["unfounded"]
    assert not verified.filter(verdict_by__isnull=True).exists()

    problems_ingest(settle=None)

    substantiated = verified.filter(
        status="closed", verdict__in=Complaint.SUBSTANTIATED_VERDICTS, centre__isnull=False
    )
    ledger = set(Problem.objects.filter(source="complaint").values_list("source_id", flat=True))
    assert ledger and ledger == set(substantiated.values_list("pk", flat=True))
