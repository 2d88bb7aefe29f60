"""The worker's card pass: every rule, exactly once, lifted only with a reason."""

import datetime as dt
import threading

import pytest
import time_machine
from django.db import connection

from yichuang.cases.actions import card_lift, card_record_breach
from yichuang.cases.models import Card
from yichuang.cases.tasks import cards_refresh
from yichuang.lib.errors import DomainError

TZ = dt.timezone(dt.timedelta(hours=8))
ONLY_ACCEPT = [{"kind": "accept", "department": "rs", "share": 100}]


@pytest.fixture
def late_case(intake, make_item):
    item = make_item("CARD-1", committed=10, legal=30)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
        return intake(item=item).case


def cards(case):
    return sorted(Card.objects.filter(case=case).values_list("level", "rule"))


def test_it_records_each_card_once_as_the_days_pass(late_case):
    assert cards_refresh(today=dt.date(2026, 3, 9)) == 0
    assert cards_refresh(today=dt.date(2026, 3, 10)) == 1
    assert cards(late_case) == [("yellow", "step:2")]
    assert cards_refresh(today=dt.date(2026, 3, 10)) == 0
    cards_refresh(today=dt.date(2026, 3, 12))
    # A step late for more than 2 working days stays yellow: the case has days left.
    assert cards(late_case) == [("yellow", "step:2")]
    cards_refresh(today=dt.date(2026, 3, 17))
    assert ("yellow", "committed") in cards(late_case)
    cards_refresh(today=dt.date(2026, 3, 19))
    assert ("red", "after_yellow") in cards(late_case)
    cards_refresh(today=dt.date(2026, 5, 29))
    assert ("red", "statutory") in cards(late_case)
    card = Card.objects.get(case=late_case, rule="committed")
    assert card.department.code == "yb" and card.post is not None
    assert card.staff == card.post.a_staff
    assert late_case.events.filter(type="card").count() == len(cards(late_case))
    logged = sorted((e.data["level"], e.data["rule"]) for e in late_case.events.filter(type="card"))
    assert logged == cards(late_case)


def test_it_gives_no_card_while_the_clock_is_stopped(late_case):
    from yichuang.cases.actions import case_act

    from .conftest import user

    case_act(case=late_case, actor=user("yb_review1"), action="suspend", note="暂缓")
    assert cards_refresh(today=dt.date(2026, 4, 30)) == 0


def test_it_lifts_a_card_only_with_a_reason_and_never_deletes_it(late_case, county):
    cards_refresh(today=dt.date(2026, 3, 10))
    card = Card.objects.get(case=late_case)
    with pytest.raises(DomainError) as exc:
        card_lift(card=card, actor=county.director, reason=" ")
    assert exc.value.code == "cases.reason_required"
    with pytest.raises(DomainError) as exc:
        card_lift(card=card, actor=county.clerk, reason="系统故障")
    assert exc.value.code == "cases.card_lift_forbidden"
    card = card_lift(card=card, actor=county.director, reason="系统停电导致无法办理")
    assert card.lifted_at and card.lift_reason == "系统停电导致无法办理"
    with pytest.raises(ValueError):
        card.delete()
    assert Card.objects.filter(pk=card.pk).exists()
    assert cards_refresh(today=dt.date(2026, 3, 10)) == 0  # a lifted card is not re-issued


def test_it_records_a_breach_as_a_red_card(late_case, county):
    card = card_record_breach(case=late_case, actor=county.inspector, reason="收取未公示费用")
    assert card.level == "red" and card.rule == "breach"
    late_case.open_breach = True
    assert late_case.warning_level(today=dt.date(2026, 3, 3)) == "red"


@pytest.mark.django_db(transaction=True)
def test_it_is_safe_with_several_workers(county, make_item, intake):
    item = make_item("CARD-2", committed=1, legal=30, step_list=ONLY_ACCEPT)
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=TZ), tick=False):
        made = [
            intake(item=item, applicant={"name": f"王{i}", "id_number": n}).case
            for i, n in enumerate(["11010519491231002X", "440524188001010014"])
        ]
    results = []

    def run():
        try:
            results.append(cards_refresh(today=dt.date(2026, 3, 10)))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for case in made:
        assert cards(case) == [("red", "after_yellow"), ("yellow", "committed")]
    assert Card.objects.count() == 4


def test_a_case_with_days_left_is_not_red_for_a_late_step(late_case):
    # 2026-03-16: step 2 is 4 working days late, the committed limit (10 days
    # from 03-02, due 03-16) not yet passed.
    from yichuang.cases.clock import warning_level
    from yichuang.org.calendar import get_calendar

    cards_refresh(today=dt.date(2026, 3, 16))
    assert all(level == "yellow" for level, _rule in cards(late_case))
    assert warning_level(late_case, today=dt.date(2026, 3, 16), cal=get_calendar()) == "yellow"


def test_a_card_goes_to_the_b_clerk_while_a_is_on_a_dated_absence(late_case):
    from yichuang.org.models import Staff, StaffAbsence

    Staff.objects.update(is_present=True)
    late_case.refresh_from_db()
    post = late_case.current_step.post
    assert post.a_staff is not None and post.b_staff is not None
    StaffAbsence.objects.create(
        staff=post.a_staff, start=dt.date(2026, 3, 9), end=dt.date(2026, 3, 10), kind="leave"
    )
    assert cards_refresh(today=dt.date(2026, 3, 10)) == 1
    assert Card.objects.get(case=late_case).staff == post.b_staff
    # The day after A is back: the next card is A's.
    cards_refresh(today=dt.date(2026, 3, 17))
    assert Card.objects.get(case=late_case, rule="committed").staff == post.a_staff
