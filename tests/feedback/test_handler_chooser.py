"""The handler chooser on the rectification and complaint pages (issue 18,
item 21): people by name and window or title, grouped by centre and
department, none preselected, only those the assignment rule allows."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from yichuang.accounts.models import User
from yichuang.feedback.models import Rectification
from yichuang.feedback.permissions import handlers_in_scope
from yichuang.org.models import Window

pytestmark = pytest.mark.django_db


@pytest.fixture
def rs_rect(hall, frozen):
    from yichuang.feedback.actions import rating_submit
    from yichuang.queueing.actions import ticket_call_next, ticket_finish, ticket_issue, window_open

    w5 = Window.objects.get(centre=hall, number=5)
    clerk = User.objects.get(username="clerk_w05")
    window_open(window=w5, actor=clerk)
    ticket_issue(centre=hall, queue_code="social", channel="kiosk")
    ticket_call_next(window=w5, actor=clerk)
    ticket = ticket_finish(window=w5, actor=clerk)
    rating = rating_submit(
        rating_code=ticket.rating_code, level=1, channel="qr", reasons=["attitude"]
    )
    return Rectification.objects.get(rating=rating)


def _chooser(html: str) -> str:
    return re.search(r'<select name="handler" required>(.*?)</select>', html, re.S).group(1)


def test_the_chooser_groups_eligible_people_by_name_none_preselected(rs_rect, county):
    client = Client()
    client.force_login(county.director)
    chooser = _chooser(client.get(f"/feedback/rectifications/{rs_rect.pk}").content.decode())
    values = re.findall(r'<option value="([^"]+)">', chooser)
    labels = re.findall(r'<option value="[^"]+">([^<]+)<', chooser)
    eligible = handlers_in_scope(
        centre_id=rs_rect.centre_id, department_id=rs_rect.department_id, assigner=county.director
    ).exclude(pk=rs_rect.rating.clerk_id)
    assert set(values) == set(eligible.values_list("user__username", flat=True))
    assert "clerk_w05" not in values  # the clerk the rating is about
    # Shown by name, never by login name; grouped; the placeholder is chosen.
    assert not any(re.search(r"[a-z_]{4,}\d*", label) for label in labels), labels
    assert '<optgroup label="' in chooser
    assert re.search(r'<option value="" selected disabled>', chooser)
    assert chooser.count(" selected") == 1
    assert "（5 号窗口）" not in chooser and "号窗口）" in chooser
