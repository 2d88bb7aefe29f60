"""Links in SMS messages start with the public base URL (YICHUANG_PUBLIC_URL),
never a hard-coded host."""

from __future__ import annotations

import pytest

from yichuang.feedback import actions
from yichuang.feedback.apps import public_url_check
from yichuang.feedback.models import Rectification
from yichuang.lib.sms import MemoryBackend, public_link

from .helpers import rate

pytestmark = pytest.mark.django_db

BASE = "https://zwfw.example.gov.cn"


@pytest.fixture
def outbox(settings):
    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    settings.PUBLIC_URL = BASE
    MemoryBackend.outbox.clear()
    return MemoryBackend.outbox


def test_public_link_joins_base_and_path(settings):
    settings.PUBLIC_URL = BASE + "/"
    assert public_link("/m/complaints/abc") == f"{BASE}/m/complaints/abc"
    settings.PUBLIC_URL = BASE + "/hall"
    assert public_link("m/rate/x") == f"{BASE}/hall/m/rate/x"


def test_the_complaint_reply_sms_links_to_the_tracking_page(
    hall, county, outbox, frozen, django_capture_on_commit_callbacks
):
    c = actions.complaint_submit(
        kind="complaint", channel="mobile", description="等了很久", phone="13600001234"
    )
    c = actions.complaint_assign(complaint=c, handler=county.clerk, actor=county.director)
    with django_capture_on_commit_callbacks(execute=True):
        actions.complaint_reply(
            complaint=c, reply="已增开窗口", actor=county.clerk, verdict="substantiated"
        )
    assert outbox[-1] == (
        "13600001234",
        f"【一窗】您的诉求 {c.reference} 已答复，请查看并评价：{BASE}/m/complaints/{c.track_code}",
    )


def test_the_rectification_feedback_sms_links_to_the_follow_up_rating(
    served, county, outbox, frozen, django_capture_on_commit_callbacks
):
    rect = Rectification.objects.get(rating=rate(served(1, phone="13912345678"), 1))
    h = county.clerk
    actions.rectification_assign(rectification=rect, handler=h, actor=county.director)
    actions.rectification_call_back(rectification=rect, note="已回访", actor=h)
    actions.rectification_verify(
        rectification=rect, verdict="substantiated", finding="属实", actor=h
    )
    actions.rectification_rectify(rectification=rect, measures="培训", actor=h)
    with django_capture_on_commit_callbacks(execute=True):
        actions.rectification_give_feedback(rectification=rect, note="已整改", actor=h)
    phone, text = outbox[-1]
    assert phone == "13912345678"
    assert text.endswith(f"{BASE}/m/rate/followup/{rect.followup_code}")


def test_a_missing_public_url_is_a_warning(settings):
    settings.PUBLIC_URL = ""
    assert [w.id for w in public_url_check()] == ["feedback.W001"]
    settings.PUBLIC_URL = BASE
    assert public_url_check() == []
    # The development default is fine in development, not in production.
    settings.PUBLIC_URL = "http://127.0.0.1:8000"
    assert public_url_check() == []
    settings.PRODUCTION = True
    assert [w.id for w in public_url_check()] == ["feedback.W001"]
