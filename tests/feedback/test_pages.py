"""The pages: the rating pad, the citizen's rating and complaint pages, the
director's board and the handler's desk."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.feedback.models import Complaint, Rating, Rectification

from .helpers import rate

pytestmark = pytest.mark.django_db


def test_the_pad_needs_its_own_device_token(client, served, pad, frozen):
    assert client.get("/pad/1").status_code == 403
    token = pad(2)
    window1 = served(1).window_id
    assert client.get(f"/pad/{window1}?token={token}").status_code == 403
    own = pad(1)
    resp = client.get(f"/pad/{window1}?token={own}")
    assert resp.status_code == 302 and resp.cookies["yc_pad"]["httponly"]
    page = client.get(f"/pad/{window1}")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'aria-checked="true"' not in html
    # no grey "照片" placeholder: the clerk's initial stands in a circle
    from yichuang.org.models import Window

    clerk = Window.objects.get(pk=window1).clerk
    assert "照片" not in html
    assert f'id="clerk-initial" aria-hidden="true">{clerk.name[0]}</div>' in html


def test_the_pad_shows_the_service_just_finished_and_takes_the_rating(client, served, pad, frozen):
    ticket = served(1)
    client.get(f"/pad/{ticket.window_id}?token={pad(1)}")
    state = client.get(f"/pad/{ticket.window_id}/state").json()
    assert state["state"] == "rate"
    assert state["ticket"]["number"] == ticket.number and state["clerk"]["name"]
    resp = client.post(
        f"/pad/{ticket.window_id}/rate",
        {"code": ticket.rating_code, "level": "2", "reasons": ["long_wait"]},
    )
    assert resp.status_code == 201
    assert Rating.objects.get().channel == "pad"
    assert client.get(f"/pad/{ticket.window_id}/state").json()["state"] == "idle"
    again = client.post(f"/pad/{ticket.window_id}/rate", {"code": ticket.rating_code, "level": "5"})
    assert again.status_code == 409


def test_the_mobile_rating_page_renders_comments_escaped(client, served, frozen):
    ticket = served(1)
    page = client.get(f"/m/rate/{ticket.rating_code}")
    assert page.status_code == 200 and " checked required" not in page.content.decode()
    resp = client.post(
        f"/m/rate/{ticket.rating_code}",
        {"level": "3", "comment": "<script>alert('x')</script>"},
    )
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert Rating.objects.get().comment == "<script>alert('x')</script>"
    assert client.get(f"/m/rate/{ticket.rating_code}").content.decode().count("已经评价过") == 1


def test_the_mobile_rating_page_refuses_staff_and_bad_input(client, served, county, frozen):
    ticket = served(1)
    resp = client.post(f"/m/rate/{ticket.rating_code}", {"level": "1"})
    assert resp.status_code == 422 and "原因" in resp.content.decode()
    staff = Client()
    staff.force_login(county.window_clerk)
    resp = staff.post(f"/m/rate/{ticket.rating_code}", {"level": "5"})
    assert resp.status_code == 403
    assert client.get("/m/rate/not-a-code").status_code == 404
    assert Rating.objects.count() == 0


def test_the_board_shows_rates_with_counts_and_bad_ratings_overdue_first(
    served, county, frozen, django_assert_max_num_queries
):
    import datetime as dt

    for level in (5, 5, 4, 1):
        rate(served(1), level)
    old_bad = rate(served(2), 2, reasons=["buck_passing"])
    frozen.shift(dt.timedelta(days=3))
    rate(served(3), 1, reasons=["attitude"], comment="<b>太慢</b>")
    client = Client()
    client.force_login(county.director)
    with django_assert_max_num_queries(30):
        resp = client.get("/feedback/?dim=window")
    assert resp.status_code == 200
    html = resp.content.decode()
    assert "75.0%" in html  # window 1: 3 of 4
    assert resp.context["real"] == {"n": 0, "called": 0, "done": 0}  # all anonymous
    assert "&lt;b&gt;太慢&lt;/b&gt;" in html and "推诿扯皮" in html
    rects = resp.context["rects"]
    assert rects[0].rating_id == old_bad.pk or rects[0].is_overdue()
    assert rects[0].is_overdue()
    for dim in ("centre", "department", "clerk", "item"):
        assert client.get(f"/feedback/?dim={dim}").status_code == 200


def test_the_board_is_for_overseers_only(county):
    clerk = Client()
    clerk.force_login(county.window_clerk)
    assert clerk.get("/feedback/").status_code == 403
    assert Client().get("/feedback/").status_code == 302


def test_the_outsider_gets_404_on_a_rectification_page(served, county, frozen):
    rating = rate(served(1), 1)
    rect = Rectification.objects.get(rating=rating)
    outsider = Client()
    outsider.force_login(county.outsider)
    assert outsider.get(f"/feedback/rectifications/{rect.pk}").status_code == 404
    resp = outsider.post(
        f"/feedback/rectifications/{rect.pk}", {"action": "assign", "handler": "clerk_town"}
    )
    assert resp.status_code == 404
    rect.refresh_from_db()
    assert rect.status == "new"


def test_the_handler_desk_and_rectification_page(served, county, frozen):
    rating = rate(served(1, phone="13700001111"), 2)
    rect = Rectification.objects.get(rating=rating)
    director = Client()
    director.force_login(county.director)
    resp = director.post(
        f"/feedback/rectifications/{rect.pk}", {"action": "assign", "handler": "clerk_county"}
    )
    assert resp.status_code == 200
    handler = Client()
    handler.force_login(county.clerk)
    desk = handler.get("/feedback/desk/")
    assert (
        desk.status_code == 200 and f"/feedback/rectifications/{rect.pk}" in desk.content.decode()
    )
    page = handler.post(f"/feedback/rectifications/{rect.pk}", {"action": "contact"})
    assert "13700001111" in page.content.decode()
    page = handler.post(
        f"/feedback/rectifications/{rect.pk}", {"action": "call_back", "note": "已致电致歉"}
    )
    rect.refresh_from_db()
    assert rect.status == "called_back"


def test_the_citizen_complaint_pages(client, county, hall, frozen):
    resp = client.post(
        "/m/complaints/",
        {
            "kind": "unsolved",
            "category": "unsolved",
            "centre": "county-hall",
            "window": "21",
            "description": "<i>跑了三次</i>没办成",
            "phone": "13600001111",
        },
    )
    assert resp.status_code == 302
    c = Complaint.objects.get()
    assert c.channel == "mobile" and c.kind == "unsolved" and c.window.number == 21
    page = client.get(resp["Location"])
    assert page.status_code == 200
    assert "&lt;i&gt;跑了三次&lt;/i&gt;" in page.content.decode()
    assert (
        client.post("/m/complaints/", {"kind": "complaint", "description": ""}).status_code == 422
    )


def test_staff_enter_desk_and_phone_complaints(county, hall, frozen):
    staff = Client()
    staff.force_login(county.clerk)
    resp = staff.post(
        "/feedback/complaints/new",
        {
            "channel": "phone",
            "kind": "suggestion",
            "centre": "county-hall",
            "description": "增加座椅",
        },
    )
    assert resp.status_code == 302
    assert Complaint.objects.get().channel == "phone"
