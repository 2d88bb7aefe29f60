"""Overdue rectifications and complaints are flagged to the director (a notice
on the board, "逾期" first) and SMSed to the handler: once per item and stage,
idempotent, audited. The clock is fixed: Monday 16 March 2026, 10:00."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from yichuang.accounts.models import User
from yichuang.feedback import actions
from yichuang.feedback.models import FeedbackEvent, OverdueNotice, Rectification, StaffPhone
from yichuang.lib.audit import AuditEntry
from yichuang.lib.sms import MemoryBackend

from .helpers import rate

pytestmark = pytest.mark.django_db


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    settings.PUBLIC_URL = "https://zwfw.example.gov.cn"
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


@pytest.fixture
def handler(county):
    user = User.objects.get(username="clerk_county")
    StaffPhone.objects.create(user=user, phone="13700001111")
    return user


@pytest.fixture
def rect(served, frozen):
    rating = rate(served(1, phone="13912345678"), 1)
    return Rectification.objects.get(rating=rating)


def flag_and_send() -> tuple[int, int]:
    return actions.overdue_flag(), actions.overdue_sms_send()


def test_nothing_is_flagged_before_the_deadline(rect, outbox, frozen):
    frozen.shift(dt.timedelta(days=1))  # Tuesday: the call-back is due today
    assert flag_and_send() == (0, 0)
    assert not OverdueNotice.objects.exists() and outbox == []


def test_a_late_call_back_is_flagged_once_and_smsed_to_the_handler(
    rect, county, handler, outbox, frozen
):
    actions.rectification_assign(rectification=rect, handler=handler, actor=county.director)
    frozen.shift(dt.timedelta(days=2))  # Wednesday: the call-back was due Tuesday
    assert flag_and_send() == (1, 1)
    notice = OverdueNotice.objects.get()
    assert (notice.stage, notice.rectification, notice.due_date) == (
        "callback",
        rect,
        dt.date(2026, 3, 17),
    )
    assert notice.handler == handler and notice.sms_status == "sent"
    phone, text = outbox[0]
    assert phone == "13700001111"
    assert f"https://zwfw.example.gov.cn/feedback/rectifications/{rect.pk}" in text
    assert "回访超期" in text
    # Again, and again the next day: nothing new, no second SMS.
    assert flag_and_send() == (0, 0)
    frozen.shift(dt.timedelta(days=1))
    assert flag_and_send() == (0, 0)
    assert OverdueNotice.objects.count() == 1 and len(outbox) == 1
    # Audited, and on the rectification's timeline.
    entry = AuditEntry.objects.get(event="feedback.overdue")
    assert entry.object_id == str(rect.pk) and entry.detail["stage"] == "callback"
    assert FeedbackEvent.objects.filter(rectification=rect, type="rectification.overdue").count()


def test_each_stage_is_flagged_on_its_own(rect, county, handler, outbox, frozen):
    actions.rectification_assign(rectification=rect, handler=handler, actor=county.director)
    frozen.shift(dt.timedelta(days=2))
    flag_and_send()
    actions.rectification_call_back(rectification=rect, note="已回访", actor=handler)
    # 15 working days from Monday 16 March, over the 清明 holiday: Tuesday 7 April.
    rect.refresh_from_db()
    assert rect.rectify_due == dt.date(2026, 4, 7)
    frozen.move_to(dt.datetime(2026, 4, 7, 18, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert flag_and_send() == (0, 0)
    frozen.move_to(dt.datetime(2026, 4, 8, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert flag_and_send() == (1, 1)
    stages = sorted(OverdueNotice.objects.values_list("stage", flat=True))
    assert stages == ["callback", "rectify"]
    # The call-back notice is history now; the rectify one is still open.
    assert list(OverdueNotice.objects.open().values_list("stage", flat=True)) == ["rectify"]


def test_an_unassigned_item_is_flagged_without_sms(rect, outbox, frozen):
    frozen.shift(dt.timedelta(days=2))
    assert flag_and_send() == (1, 0)
    notice = OverdueNotice.objects.get()
    assert notice.handler is None and notice.sms_status == "none"
    assert outbox == []


def test_a_failed_sms_is_retried_then_given_up(rect, county, handler, settings, frozen):
    settings.SMS_BACKEND = "tests.feedback.test_overdue.BrokenBackend"
    actions.rectification_assign(rectification=rect, handler=handler, actor=county.director)
    frozen.shift(dt.timedelta(days=2))
    assert flag_and_send() == (1, 0)
    notice = OverdueNotice.objects.get()
    assert (notice.sms_status, notice.sms_attempts) == ("pending", 1)
    actions.overdue_sms_send()
    actions.overdue_sms_send()
    notice.refresh_from_db()
    assert (notice.sms_status, notice.sms_attempts) == ("failed", 3)
    assert actions.overdue_sms_send() == 0


class BrokenBackend:
    def send(self, phone: str, text: str) -> None:
        raise OSError("gateway down")


def test_complaints_late_in_reply_and_reasons_and_again_after_reopening(
    hall, county, handler, outbox, frozen
):
    c = actions.complaint_submit(
        kind="unsolved", channel="mobile", description="跑了三次没办成", centre=hall
    )
    c = actions.complaint_assign(complaint=c, handler=handler, actor=county.director)
    # Reasons were due Thursday 19 March; on Friday only they are late.
    frozen.move_to(dt.datetime(2026, 3, 20, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert flag_and_send() == (1, 1)
    assert OverdueNotice.objects.get().stage == "reasons"
    assert c.reference in outbox[-1][1] and f"/feedback/complaints/{c.pk}" in outbox[-1][1]
    # The reply was due Monday 23 March.
    frozen.move_to(dt.datetime(2026, 3, 24, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert flag_and_send() == (1, 1)
    c = actions.complaint_reply(complaint=c, reply="已协调办结", actor=handler, verdict="partly")
    assert not OverdueNotice.objects.open().exists()
    # Not satisfied: reopened with a fresh deadline, which is late again later.
    c = actions.complaint_rate(track_code=c.track_code, satisfaction="unsatisfied")
    frozen.move_to(dt.datetime(2026, 4, 10, 9, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    assert flag_and_send() == (2, 2)
    assert set(OverdueNotice.objects.filter(round=1).values_list("stage", flat=True)) == {
        "reply",
        "reasons",
    }
    assert flag_and_send() == (0, 0)


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_board_and_desk_show_open_notices_first(rect, county, handler, outbox, frozen):
    actions.rectification_assign(rectification=rect, handler=handler, actor=county.director)
    frozen.shift(dt.timedelta(days=2))
    flag_and_send()
    html = login(county.director).get("/feedback/").content.decode()
    assert 'id="overdue"' in html and "回访超期" in html
    assert html.index('id="overdue"') < html.index('id="rates"')
    desk = login(handler).get("/feedback/desk/").content.decode()
    assert 'id="overdue"' in desk and f"/feedback/rectifications/{rect.pk}" in desk
    # The township centre's director sees none of the county hall's.
    assert not actions.notices_for(county.outsider).exists()


def test_the_worker_runs_the_overdue_task():
    from yichuang.lib.management.commands.worker import discover_tasks

    assert "feedback.overdue" in [name for name, _every, _fn in discover_tasks()]
