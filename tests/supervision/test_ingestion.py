"""The worker's ingestion: substantiated bad ratings, substantiated closed complaints, red
cards and peak alerts past the wait limit open ledger rows with their
source's unit and default severity, each read exactly once after its
source's cursor (running the task twice opens nothing new)."""

from __future__ import annotations

import pytest

from yichuang.supervision.actions import problems_ingest
from yichuang.supervision.models import Problem, SourceCursor


@pytest.fixture
def bad_rating(county, hall, sup):
    """``bad_rating(verdict)``: a level-1 rating at the 人社 window, called
    back and verified with ``verdict``; returns the rating."""
    from yichuang.feedback.actions import (
        rating_submit,
        rectification_assign,
        rectification_call_back,
        rectification_verify,
    )
    from yichuang.feedback.models import Rectification
    from yichuang.org.models import Window
    from yichuang.queueing.actions import ticket_call_next, ticket_finish, ticket_issue, window_open
    from yichuang.queueing.models import WindowSkill

    def make(verdict: str):
        window = Window.objects.get(pk=sup.window.pk)
        if window.state != "open":
            window = window_open(window=window, actor=sup.window_user)
        queue = WindowSkill.objects.filter(window=window).order_by("order").first().queue
        ticket_issue(centre=hall, queue_code=queue.code, channel="kiosk", priority="normal")
        ticket_call_next(window=window, actor=sup.window_user)
        done = ticket_finish(window=window, actor=sup.window_user)
        rating = rating_submit(
            rating_code=done.rating_code, level=1, channel="qr", reasons=["attitude"]
        )
        rect = Rectification.objects.get(rating=rating)
        rectification_assign(rectification=rect, handler=county.dept_lead, actor=county.dept_lead)
        rectification_call_back(rectification=rect, note="已电话回访", actor=county.dept_lead)
        rectification_verify(
            rectification=rect, verdict=verdict, finding="调取录像核实", actor=county.dept_lead
        )
        return rating

    return make


@pytest.fixture
def closed_complaint(county, hall, sup):
    from yichuang.feedback.actions import (
        complaint_assign,
        complaint_close,
        complaint_reply,
        complaint_submit,
    )

    def make(kind: str = "complaint", verdict: str = "substantiated"):
        c = complaint_submit(
            kind=kind,
            channel="desk",
            description="窗口人员说话生硬",
            centre=hall,
            window=sup.window,
            actor=county.director,
        )
        complaint_assign(complaint=c, handler=county.director, actor=county.director)
        complaint_reply(
            complaint=c,
            reply="已约谈当事人",
            actor=county.director,
            verdict=verdict if c.needs_verdict else "",
        )
        return complaint_close(complaint=c, actor=county.director)

    return make


@pytest.fixture
def red_card(county, hall, sup):
    from yichuang.cases.models import Card, Case

    def make(level: str = "red"):
        case = Case.objects.create(
            centre=hall, title="城乡居民养老保险参保登记", department=sup.window.department
        )
        return Card.objects.create(
            case=case,
            level=level,
            rule="committed",
            reason="超过承诺办结时限",
            department=sup.window.department,
            staff=sup.post.a_staff,
        )

    return make


@pytest.fixture
def alert(hall):
    from yichuang.queueing.models import Queue, QueueAlert

    queue = Queue.objects.filter(centre=hall, alert_wait_minutes__gt=0).order_by("id").first()

    def make(minutes: int):
        return QueueAlert.objects.create(
            centre=hall,
            queue=queue,
            day=queue.created_at.date(),
            waiting=25,
            estimated_wait_minutes=minutes,
            open_windows=1,
            windows_needed=2,
        )

    return make


def rows(source: str) -> list[Problem]:
    return list(Problem.objects.filter(source=source).order_by("id"))


def test_each_source_opens_its_rows_once(
    county, sup, bad_rating, closed_complaint, red_card, alert
):
    rating = bad_rating("substantiated")
    bad_rating("unsubstantiated")
    complaint = closed_complaint()
    closed_complaint("suggestion")
    card = red_card()
    red_card("yellow")
    over = alert(minutes=50)
    alert(minutes=5)  # raised on the head count alone

    problems_ingest(settle=0)

    (r,) = rows("rating")
    assert (r.source_id, r.severity, r.category) == (rating.pk, "general", "attitude")
    assert (r.centre, r.window, r.department) == (county.hall, sup.window, sup.window.department)
    assert r.owner == sup.post.a_staff and r.due_date is not None
    (c,) = rows("complaint")
    assert (c.source_id, c.severity, c.window) == (complaint.pk, "major", sup.window)
    (k,) = rows("card")
    assert (k.source_id, k.severity, k.category, k.owner) == (
        card.pk,
        "major",
        "efficiency",
        sup.post.a_staff,
    )
    (a,) = rows("alert")
    assert (a.source_id, a.severity, a.category) == (over.pk, "general", "queueing")
    assert all(p.events.filter(type="opened").count() == 1 for p in Problem.objects.all())

    # Run again: nothing new is read, nothing is opened twice.
    before = Problem.objects.count()
    assert problems_ingest(settle=0) == ""
    assert Problem.objects.count() == before == 4


def test_the_cursor_reads_only_what_came_after_it(county, red_card):
    red_card()
    problems_ingest(settle=0)
    first = SourceCursor.objects.get(source="card").last_id
    assert problems_ingest(settle=0) == ""
    newer = red_card()
    assert problems_ingest(settle=0) == "card+1"
    assert SourceCursor.objects.get(source="card").last_id == newer.pk > first
    assert Problem.objects.filter(source="card").count() == 2


def test_rows_younger_than_the_settling_time_wait_for_the_next_pass(county, red_card):
    red_card()
    assert problems_ingest(settle=60) == ""
    assert not Problem.objects.filter(source="card").exists()
    assert problems_ingest(settle=0) == "card+1"


def test_a_row_already_in_the_ledger_is_not_opened_again(county, red_card):
    card = red_card()
    problems_ingest(settle=0)
    SourceCursor.objects.filter(source="card").update(last_id=0)  # a cursor set back
    problems_ingest(settle=0)
    assert Problem.objects.filter(source="card", source_id=card.pk).count() == 1


def test_only_a_complaint_found_substantiated_opens_a_row(county, sup, closed_complaint):
    """The verdict given with the reply decides: 属实 and 部分属实 open a 较重
    row when the complaint closes, 不属实 none."""
    full = closed_complaint("complaint", "substantiated")
    part = closed_complaint("unsolved", "partly")
    closed_complaint("complaint", "unfounded")
    closed_complaint("unsolved", "unfounded")

    problems_ingest(settle=0)

    got = [(p.source_id, p.severity, p.description) for p in rows("complaint")]
    assert got == [
        (full.pk, "major", "属实：窗口人员说话生硬"),
        (part.pk, "major", "部分属实：窗口人员说话生硬"),
    ]


def test_a_complaint_is_read_at_its_close_not_at_its_reply(county, hall, sup, closed_complaint):
    """A substantiated reply reopened by the citizen and replied again as
    不属实 opens nothing: the verdict the complaint closed with counts."""
    from yichuang.feedback.actions import (
        complaint_assign,
        complaint_rate,
        complaint_reply,
        complaint_submit,
    )

    c = complaint_submit(
        kind="complaint", channel="desk", description="推诿", centre=hall, actor=county.director
    )
    complaint_assign(complaint=c, handler=county.director, actor=county.director)
    complaint_reply(complaint=c, reply="已约谈", actor=county.director, verdict="substantiated")
    problems_ingest(settle=0)
    assert rows("complaint") == []  # replied, not yet closed
    complaint_rate(track_code=c.track_code, satisfaction="unsatisfied")
    complaint_reply(complaint=c, reply="经核查系误解", actor=county.director, verdict="unfounded")
    complaint_rate(track_code=c.track_code, satisfaction="satisfied")
    problems_ingest(settle=0)
    assert rows("complaint") == []


def test_complaints_closed_before_verdicts_are_neither_lost_nor_read_twice(
    county, sup, closed_complaint
):
    """Feedback's migration 0007 marks a complaint replied before verdicts
    existed 属实 (the old rule): one already in the ledger is not read again,
    one closed but not yet read still opens its row."""
    import importlib

    from django.apps import apps

    from yichuang.feedback.models import Complaint

    migration = importlib.import_module("yichuang.feedback.migrations.0007_complaint_verdict")
    read = closed_complaint()
    problems_ingest(settle=0)
    unread = closed_complaint()
    # both as they were before the verdict existed
    Complaint.objects.update(verdict="", verdict_note="", verdict_at=None, verdict_by=None)
    migration.legacy_verdicts(apps, None)

    problems_ingest(settle=0)

    assert [p.source_id for p in rows("complaint")] == [read.pk, unread.pk]
    assert Problem.objects.filter(source="complaint", source_id=read.pk).count() == 1
    assert problems_ingest(settle=0) == ""


def test_a_bad_rating_stands_when_the_reviewer_rejects_the_handlers_appeal(county, sup, bad_rating):
    """A 不属实 verdict files an appeal; the director's rejection overrules the
    handler, and the rating opens its row then (once); an upheld appeal opens none."""
    from yichuang.feedback.actions import appeal_decide
    from yichuang.feedback.models import Appeal

    overruled = bad_rating("unsubstantiated")
    excused = bad_rating("unsubstantiated")
    problems_ingest(settle=0)
    assert rows("rating") == []  # the handler's 不属实 alone opens nothing

    for rating, upheld in ((overruled, False), (excused, True)):
        appeal = Appeal.objects.get(rating=rating, status="pending")
        appeal_decide(appeal=appeal, upheld=upheld, note="录像显示确有推诿", actor=county.director)
    problems_ingest(settle=0)

    (r,) = rows("rating")
    assert (r.source_id, r.severity, r.window) == (overruled.pk, "general", sup.window)
    assert "申诉未获支持" in r.description and "录像显示确有推诿" in r.description
    assert problems_ingest(settle=0) == "" and len(rows("rating")) == 1
