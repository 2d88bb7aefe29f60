"""Working-day deadlines and warning levels, with frozen time (docs/domain.md,
"Cases and the clock", "Working days")."""

import datetime as dt

import pytest
import time_machine

from yichuang.cases.actions import case_act
from yichuang.cases.tasks import deadlines_retry
from yichuang.lib.config import setting_set
from yichuang.lib.models import AuditEntry
from yichuang.org.calendar import calendar_load_provisional

from .conftest import user

TZ = dt.timezone(dt.timedelta(hours=8))
ONLY_ACCEPT = [{"kind": "accept", "department": "rs", "share": 100}]


def at(y, m, d, h=10):
    return dt.datetime(y, m, d, h, tzinfo=TZ)


@pytest.fixture
def accepted(intake, make_item):
    def make(when, **item_kw):
        item = make_item(item_kw.pop("code", "CLK-1"), **item_kw)
        with time_machine.travel(when, tick=False):
            return intake(item=item).case

    return make


def test_it_counts_national_day_and_its_make_up_saturday(accepted):
    case = accepted(at(2026, 9, 30), committed=5, legal=5, step_list=ONLY_ACCEPT)
    # 1–7 Oct off; Thu 8, Fri 9, Sat 10 (make-up), Mon 12, Tue 13
    assert case.due_date == dt.date(2026, 10, 13)


def test_it_counts_the_spring_festival_with_both_make_up_saturdays(accepted):
    case = accepted(at(2026, 2, 13), committed=3, legal=20, step_list=ONLY_ACCEPT)
    # Sat 14 Feb (make-up), 15–23 off, Tue 24, Wed 25
    assert case.due_date == dt.date(2026, 2, 25)


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (dt.date(2026, 3, 12), "normal"),  # 2 working days left
        (dt.date(2026, 3, 13), "notice"),  # 1 left (Fri; due Mon)
        (dt.date(2026, 3, 16), "notice"),  # due today, 0 left
        (dt.date(2026, 3, 17), "yellow"),  # limit exceeded
        (dt.date(2026, 3, 18), "yellow"),  # one working day after the yellow card
        (dt.date(2026, 3, 19), "red"),  # two working days after the yellow card
    ],
)
def test_it_derives_the_level_of_the_committed_limit(accepted, today, level):
    case = accepted(at(2026, 3, 2), committed=10, legal=30, step_list=ONLY_ACCEPT)
    assert case.due_date == dt.date(2026, 3, 16)
    assert case.warning_level(today=today) == level


def test_it_turns_red_when_the_statutory_limit_is_exceeded(accepted):
    case = accepted(at(2026, 3, 2), committed=10, legal=10, step_list=ONLY_ACCEPT)
    assert case.warning_level(today=dt.date(2026, 3, 17)) == "red"


def test_it_follows_the_notice_setting(accepted, county):
    case = accepted(at(2026, 3, 2), committed=10, legal=30, step_list=ONLY_ACCEPT)
    setting_set(key="case.notice_days_left", value=3, actor=county.admin)
    assert case.warning_level(today=dt.date(2026, 3, 11)) == "notice"


@pytest.mark.parametrize(
    ("today", "level"),
    [
        (dt.date(2026, 3, 5), "normal"),
        (dt.date(2026, 3, 6), "notice"),  # the review step is due Mon 9 Mar
        (dt.date(2026, 3, 10), "yellow"),  # the step's share is exceeded
        # Late by 3 working days, 2 left of the committed limit: still yellow.
        (dt.date(2026, 3, 12), "yellow"),
        (dt.date(2026, 3, 19), "red"),  # the committed limit's yellow, 2 days on
    ],
)
def test_it_warns_on_the_current_steps_share_of_the_limit(accepted, today, level):
    case = accepted(at(2026, 3, 2), committed=10, legal=30)
    assert case.current_step.kind == "review" and case.current_step.due_date == dt.date(2026, 3, 9)
    assert case.warning_level(today=today) == level


def test_it_shows_no_warning_while_the_clock_is_stopped_or_closed(accepted):
    case = accepted(at(2026, 3, 2), committed=10, legal=30)
    late = dt.date(2026, 4, 30)
    assert case.warning_level(today=late) == "red"
    case = case_act(case=case, actor=user("yb_review1"), action="suspend", note="暂缓")
    assert case.warning_level(today=late) == "normal"


def test_it_warns_on_day_four_of_an_application_not_yet_answered(accepted):
    case = accepted(at(2026, 3, 2), committed=10, legal=30)
    case.status, case.accepted_on = "received", None
    assert case.warning_level(today=dt.date(2026, 3, 5)) == "normal"
    assert case.warning_level(today=dt.date(2026, 3, 6)) == "notice"


def test_it_leaves_the_deadline_pending_past_the_calendar_and_computes_it_later(accepted):
    case = accepted(at(2027, 12, 24), committed=10, legal=20, step_list=ONLY_ACCEPT)
    assert case.deadline_pending and case.due_date is None
    assert case.warning_level(today=dt.date(2028, 3, 1)) == "normal"
    assert AuditEntry.objects.filter(
        event="cases.deadline_pending_calendar", object_id=str(case.pk)
    ).exists()
    assert deadlines_retry() == 0
    calendar_load_provisional(year=2028)
    assert deadlines_retry() == 1
    case.refresh_from_db()
    # 27–31 Dec, then 3–7 Jan 2028 (1 Jan is a fixed holiday, a Saturday)
    assert case.due_date == dt.date(2028, 1, 7) and not case.deadline_pending
    assert case.deadline_provisional
    assert case.events.filter(type="deadline_computed").count() == 1


def test_it_alerts_the_admin_on_the_admin_home_while_deadlines_wait(accepted, county):
    from django.test import Client

    c = Client()
    c.force_login(county.admin)
    assert "pendingcalendarcase" not in c.get("/admin/").content.decode()
    case = accepted(at(2027, 12, 24), committed=10, legal=20, step_list=ONLY_ACCEPT)
    home = c.get("/admin/").content.decode()
    assert "/admin/cases/pendingcalendarcase/" in home and "期限待定办件" in home
    page = c.get("/admin/cases/pendingcalendarcase/").content.decode()
    assert f"/admin/cases/pendingcalendarcase/{case.pk}/" in page
    assert "1 件办件期限待定" in page and "2028 年工作日历" in page
    calendar_load_provisional(year=2028)
    deadlines_retry()
    assert "pendingcalendarcase" not in c.get("/admin/").content.decode()


def test_it_reads_the_case_states_without_importing_the_models():
    """The models use the clock; the clock reads only the states (the models
    are named for type checking alone), so the two never import each other."""
    import ast
    import inspect

    from yichuang.cases import clock

    tree = ast.parse(inspect.getsource(clock))
    runtime = [n for n in tree.body if isinstance(n, ast.ImportFrom)]
    assert "models" not in {n.module for n in runtime if n.level == 1}
    assert "states" in {n.module for n in runtime if n.level == 1}
