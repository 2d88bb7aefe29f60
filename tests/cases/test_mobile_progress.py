"""/m/progress/<code>: the step timeline 受理 → 审核 → 决定 → 办结 → 送达 with
the day each was reached, drawn from the case's dates and events (issue 18,
item 14)."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client

from yichuang.cases.actions import case_act

from .conftest import user

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def act(case, username, action, note="", **kw):
    return case_act(case=case, actor=user(username), action=action, note=note, **kw)


def _rows(case):
    html = Client().get(f"/m/progress/{case.receipt_code}").content.decode()
    found = re.findall(
        r'<li class="(\w*)" data-step="(\w+)"[^>]*>\s*<b>([^<]+)</b>\s*<span>([^<]+)</span>', html
    )
    return [(cls, key, label, when) for cls, key, label, when in found], html


def test_a_new_case_is_accepted_and_under_review(intake):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=TZ), tick=False):
        case = intake().case
    rows, html = _rows(case)
    assert [r[2] for r in rows] == ["受理", "审核", "决定", "办结", "送达"]
    assert rows[0][:2] == ("done", "accepted") and rows[0][3] == "2026-03-02"
    assert rows[1][0] == "now" and rows[1][3] == "进行中" and 'aria-current="step"' in html
    assert [r[3] for r in rows[2:]] == ["未开始"] * 3
    assert "医保" in html  # the review's steps name their departments


def test_each_milestone_gets_its_day(intake):
    with time_machine.travel(dt.datetime(2026, 3, 2, 9, tzinfo=TZ), tick=False):
        case = intake().case
    with time_machine.travel(dt.datetime(2026, 3, 4, 9, tzinfo=TZ), tick=False):
        case = act(case, "yb_review1", "request_supplement", "补充出生医学证明")
    with time_machine.travel(dt.datetime(2026, 3, 5, 9, tzinfo=TZ), tick=False):
        case = act(case, "yb_review1", "supplement", "已补齐")
        case = act(case, "yb_review1", "approve", "材料审查通过")
    with time_machine.travel(dt.datetime(2026, 3, 9, 10, tzinfo=TZ), tick=False):
        case = act(case, "rs_review1", "approve", "准予")
    with time_machine.travel(dt.datetime(2026, 3, 10, 10, tzinfo=TZ), tick=False):
        case = act(case, "rs_review1", "complete")
    rows, html = _rows(case)
    assert [(r[0], r[3]) for r in rows] == [
        ("done", "2026-03-02"),
        ("done", "2026-03-09"),
        ("done", "2026-03-09"),
        ("done", "2026-03-10"),
        ("now", "进行中"),
    ]
    assert "补齐补正 03-04" in html  # the stop is shown under the review
    with time_machine.travel(dt.datetime(2026, 3, 11, 10, tzinfo=TZ), tick=False):
        case = act(case, "clerk_county", "deliver", method="mail")
    rows, _ = _rows(case)
    assert rows[-1][:2] == ("done", "delivered") and rows[-1][3] == "2026-03-11"


def test_a_withdrawn_case_ends_the_timeline(intake):
    case = intake().case
    case = act(case, "yb_review1", "withdraw", "申请人撤回")
    rows, _ = _rows(case)
    assert rows[-1][1:3] == ("withdrawn", "已撤回") and rows[-1][0] == "done"
    assert not any(r[0] == "now" for r in rows[:-1])
