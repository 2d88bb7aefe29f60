"""Complaints: deadlines by kind (5 working days; 办不成事 5 / 10 / 3), routing,
reply, the citizen's satisfaction, reopen, and the 12345 import."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.feedback import actions
from yichuang.feedback.imports import import_work_orders
from yichuang.feedback.models import Complaint
from yichuang.lib.errors import DomainError
from yichuang.org.models import Window

pytestmark = pytest.mark.django_db


def submit(**kw):
    kw.setdefault("kind", "complaint")
    kw.setdefault("channel", "mobile")
    kw.setdefault("description", "等了两个小时")
    return actions.complaint_submit(**kw)


def test_deadlines_by_kind(hall, frozen):
    # Monday 16 March 2026.
    assert submit().due_date == dt.date(2026, 3, 23)
    assert submit(kind="praise").due_date is None
    unsolved = submit(kind="unsolved")
    assert (unsolved.due_date, unsolved.reasons_due) == (dt.date(2026, 3, 23), dt.date(2026, 3, 19))


def test_a_complex_unsolved_request_gets_10_working_days(hall, county, frozen):
    c = submit(kind="unsolved")
    c = actions.complaint_mark_complex(complaint=c, note="涉及三个部门", actor=county.director)
    assert c.due_date == dt.date(2026, 3, 30) and c.is_complex
    with pytest.raises(DomainError):
        actions.complaint_mark_complex(complaint=submit(), note="x", actor=county.director)


def test_routing_follows_the_window(hall, frozen):
    window = Window.objects.filter(centre=hall, department__isnull=False).first()
    c = submit(window=window)
    assert c.centre == hall and c.department == window.department


def test_reply_satisfaction_and_reopen(
    hall, county, frozen, settings, django_capture_on_commit_callbacks
):
    from yichuang.lib.sms import MemoryBackend

    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    c = submit(centre=hall, phone="13600001234")
    c = actions.complaint_assign(complaint=c, handler=county.clerk, actor=county.director)
    with django_capture_on_commit_callbacks(execute=True):
        c = actions.complaint_reply(
            complaint=c, reply="已增开窗口", actor=county.clerk, verdict="unfounded"
        )
    assert c.status == "replied" and MemoryBackend.outbox[-1][0] == "13600001234"
    assert (c.verdict, c.verdict_by) == ("unfounded", county.clerk)
    frozen.shift(dt.timedelta(days=2))
    c = actions.complaint_rate(track_code=c.track_code, satisfaction="unsatisfied")
    assert c.status == "assigned" and c.reopen_count == 1
    assert c.due_date == dt.date(2026, 3, 25)
    assert c.verdict == "unfounded"  # kept until the next reply gives it again
    c = actions.complaint_reply(
        complaint=c,
        reply="已落实弹性窗口",
        actor=county.clerk,
        verdict="substantiated",
        verdict_note="高峰时段窗口不足属实",
    )
    assert (c.verdict, c.verdict_note) == ("substantiated", "高峰时段窗口不足属实")
    c = actions.complaint_rate(track_code=c.track_code, satisfaction="satisfied")
    assert c.status == "closed" and c.closed_at
    replies = c.events.filter(type="complaint.replied").order_by("id")
    assert [e.note for e in replies] == ["【不属实】已增开窗口", "【属实】已落实弹性窗口"]
    types = list(c.events.values_list("type", flat=True))
    assert types == [
        "complaint.received",
        "complaint.assigned",
        "complaint.replied",
        "complaint.reopened",
        "complaint.replied",
        "complaint.closed",
    ]


def test_refusals(hall, county, frozen):
    with pytest.raises(DomainError) as exc:
        submit(channel="phone")  # phone complaints are entered by staff
    assert exc.value.code == "feedback.staff_only"
    with pytest.raises(DomainError):
        submit(kind="rant")
    with pytest.raises(DomainError):
        submit(description="  ")
    c = submit()
    with pytest.raises(DomainError) as exc:
        actions.complaint_reply(complaint=c, reply="x", actor=county.outsider)
    assert exc.value.code == "feedback.not_handler"
    with pytest.raises(DomainError):
        actions.complaint_rate(track_code=c.track_code, satisfaction="satisfied")
    assert Complaint.objects.count() == 1


CSV = (
    "工单编号,受理时间,诉求类型,诉求类别,标题,诉求内容,联系人,联系电话,服务中心,窗口号,承办部门\n"
    "GD20260316001,2026-03-16 09:12:00,投诉,服务态度,窗口态度,工作人员态度差,"
    "王五,13500001111,county-hall,5,\n"
    "GD20260316002,2026-03-16 09:30,办不成事,,落户难,新生儿落户跑三次,"
    "赵六,13500002222,云溪县政务服务中心,,公安户政\n"
)


def test_the_12345_import(hall, county, frozen):
    result = import_work_orders(CSV.encode("utf-8-sig"), filename="a.csv", actor=county.director)
    assert result.ok and result.created == 2
    first = Complaint.objects.get(external_ref="GD20260316001")
    assert first.channel == "hotline" and first.window.number == 5
    assert first.received_at == dt.datetime(2026, 3, 16, 1, 12, tzinfo=dt.UTC)
    second = Complaint.objects.get(external_ref="GD20260316002")
    assert second.kind == "unsolved" and second.department.code == "ga"
    again = import_work_orders(CSV.encode(), filename="a.csv", actor=county.director)
    assert not again.ok and again.created == 0
    assert "已导入" in again.errors[0]["reason"]
    assert Complaint.objects.count() == 2


def test_the_12345_import_is_all_or_nothing(hall, county, frozen):
    bad = CSV + (
        "GD3,2026-13-01 00:00,投诉,,x,y,,,,,\n"
        "GD4,2030-01-01 00:00,投诉,,x,y,,,,,\n"
        "GD5,2026-03-16 08:00,吐槽,,x,y,,,,,\n"
        "GD6,2026-03-16 08:00,投诉,,x,y,,,火星中心,,\n"
    )
    result = import_work_orders(bad.encode(), filename="b.csv", actor=county.director)
    assert not result.ok and result.created == 0
    assert [e["row"] for e in result.errors] == [4, 5, 6, 7]
    assert Complaint.objects.count() == 0
    missing = import_work_orders("工单编号,诉求内容\nX,Y\n".encode(), filename="c.csv")
    assert not missing.ok and "缺少列" in missing.errors[0]["reason"]


def test_the_12345_import_reads_excel(hall, county, frozen):
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for line in CSV.strip().splitlines():
        ws.append(line.split(","))
    buf = io.BytesIO()
    wb.save(buf)
    result = import_work_orders(buf.getvalue(), filename="a.xlsx", actor=county.director)
    assert result.ok and result.created == 2


def test_pending_deadlines_are_filled_once_the_calendar_is_loaded(hall, county):
    import time_machine

    from yichuang.org.models import CalendarYear

    year = max(CalendarYear.objects.values_list("year", flat=True)) + 1
    when = dt.datetime(year, 6, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    with time_machine.travel(when, tick=False):
        c = submit()
        assert c.due_date is None
        assert actions.deadlines_fill_pending() == 0
        from yichuang.org.calendar import calendar_load_provisional

        calendar_load_provisional(year=year)
        assert actions.deadlines_fill_pending() == 1
        c.refresh_from_db()
        assert c.due_date is not None


def test_the_worker_finds_the_feedback_tasks():
    from yichuang.lib.management.commands.worker import discover_tasks

    names = [name for name, _every, _fn in discover_tasks()]
    assert {"feedback.default_ratings", "feedback.pending_deadlines"} <= set(names)
