"""POST /api/v1/ratings: one rating per service, refusals, and the rate limit."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from django.db import connection
from django.test import Client

from yichuang.feedback.models import Rating, RatingDay, Rectification, Throttle

pytestmark = pytest.mark.django_db


def post(client: Client, body: dict, **headers):
    return client.post(
        "/api/v1/ratings", json.dumps(body), content_type="application/json", **headers
    )


def test_it_accepts_a_good_rating_and_attributes_it(served, frozen):
    ticket = served(1)
    resp = post(Client(), {"rating_code": ticket.rating_code, "level": 5, "channel": "qr"})
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert body["level"] == 5 and body["created_at"].endswith("+08:00")
    rating = Rating.objects.get(pk=body["id"])
    assert rating.ticket == ticket
    assert rating.window_id == ticket.window_id
    assert rating.clerk_id == ticket.clerk_id
    assert rating.centre_id == ticket.centre_id
    assert rating.department_id == ticket.window.department_id
    assert rating.queue_id == ticket.queue_id
    assert (
        not hasattr(rating, "rectification")
        or not Rectification.objects.filter(rating=rating).exists()
    )
    assert RatingDay.objects.get(window_id_key=ticket.window_id).n5 == 1


def test_it_refuses_a_second_rating_of_the_same_service(served, frozen):
    code = served(1).rating_code
    assert post(Client(), {"rating_code": code, "level": 4, "channel": "qr"}).status_code == 201
    resp = post(Client(), {"rating_code": code, "level": 1, "channel": "qr", "reasons": ["other"]})
    assert resp.status_code == 409
    assert resp.json()["code"] == "feedback.already_rated"
    assert Rating.objects.count() == 1
    assert Rectification.objects.count() == 0


def test_it_refuses_a_staff_token_and_a_staff_session(served, api, county, frozen):
    code = served(1).rating_code
    resp = post(api(county.window_clerk), {"rating_code": code, "level": 5, "channel": "qr"})
    assert resp.status_code == 403
    assert resp.json()["code"] == "feedback.staff_cannot_rate"
    session = Client()
    session.force_login(county.director)
    resp = post(session, {"rating_code": code, "level": 5, "channel": "web"})
    assert resp.status_code == 403
    assert Rating.objects.count() == 0


def test_it_takes_a_pad_rating_only_for_its_own_window(served, pad, frozen):
    code = served(1).rating_code
    other = pad(2)
    resp = post(
        Client(),
        {"rating_code": code, "level": 5, "channel": "pad"},
        HTTP_AUTHORIZATION=f"Bearer {other}",
    )
    assert resp.status_code == 403
    assert resp.json()["code"] == "feedback.wrong_window"
    own = pad(1)
    resp = post(
        Client(),
        {"rating_code": code, "level": 5, "channel": "pad"},
        HTTP_AUTHORIZATION=f"Bearer {own}",
    )
    assert resp.status_code == 201
    assert Rating.objects.get().device.window.number == 1


def test_it_refuses_a_kiosk_device_token(served, pad, frozen):
    code = served(1).rating_code
    kiosk = pad(1, kind="kiosk")
    resp = post(
        Client(),
        {"rating_code": code, "level": 5, "channel": "pad"},
        HTTP_AUTHORIZATION=f"Bearer {kiosk}",
    )
    assert resp.status_code == 403
    assert resp.json()["code"] == "feedback.device_not_pad"


def test_it_refuses_an_invalid_bearer_token(served, frozen):
    code = served(1).rating_code
    resp = post(
        Client(),
        {"rating_code": code, "level": 5, "channel": "qr"},
        HTTP_AUTHORIZATION="Bearer dev_nonsense",
    )
    assert resp.status_code == 401


@pytest.mark.parametrize("code", ["", "nope", "x" * 33, "' OR 1=1 --"])
def test_it_refuses_an_unknown_code(hall, code, frozen):
    resp = post(Client(), {"rating_code": code, "level": 5, "channel": "qr"})
    assert resp.status_code == 404
    assert resp.json()["code"] == "feedback.unknown_code"
    assert Rating.objects.count() == 0


def test_it_refuses_the_code_of_an_unfinished_ticket(hall, frozen):
    from yichuang.queueing.actions import ticket_issue

    ticket = ticket_issue(centre=hall, queue_code="general", channel="kiosk", priority="normal")
    resp = post(Client(), {"rating_code": ticket.track_code, "level": 5, "channel": "qr"})
    assert resp.status_code == 404


@pytest.mark.parametrize("level", [0, 6, -1, 100])
def test_it_refuses_a_level_outside_1_to_5(served, level, frozen):
    code = served(1).rating_code
    resp = post(Client(), {"rating_code": code, "level": level, "channel": "qr"})
    assert resp.status_code == 422
    assert resp.json()["code"] == "feedback.bad_level"
    assert Rating.objects.count() == 0


def test_it_refuses_a_non_integer_level(served, frozen):
    code = served(1).rating_code
    resp = post(Client(), {"rating_code": code, "level": "five", "channel": "qr"})
    assert resp.status_code == 422
    assert Rating.objects.count() == 0


@pytest.mark.parametrize("level", [1, 2])
def test_it_requires_a_reason_for_a_bad_rating(served, level, frozen):
    code = served(1).rating_code
    resp = post(Client(), {"rating_code": code, "level": level, "channel": "qr"})
    assert resp.status_code == 422
    assert resp.json()["code"] == "feedback.reason_required"
    resp = post(
        Client(), {"rating_code": code, "level": level, "channel": "qr", "reasons": ["bogus"]}
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "feedback.unknown_reason"
    assert Rating.objects.count() == 0 and Rectification.objects.count() == 0


def test_it_refuses_a_bad_channel(served, frozen):
    code = served(1).rating_code
    for channel in ("sms", "default"):
        resp = post(Client(), {"rating_code": code, "level": 5, "channel": channel})
        assert resp.status_code == 422
        assert resp.json()["code"] == "feedback.bad_channel"


def test_a_bad_rating_opens_a_rectification_with_working_day_deadlines(served, frozen):
    code = served(1, phone="13800001234").rating_code
    resp = post(
        Client(),
        {"rating_code": code, "level": 2, "channel": "qr", "reasons": ["attitude", "long_wait"]},
    )
    assert resp.status_code == 201
    rect = Rectification.objects.get()
    assert rect.status == "new"
    assert rect.contact_phone == "13800001234"
    # Monday 16 March 2026: call back by Tuesday 17th; report back within 15
    # working days: 14 of them run to Friday 3 April, then 清明 (4-6 April).
    assert rect.callback_due == dt.date(2026, 3, 17)
    assert rect.rectify_due == dt.date(2026, 4, 7)
    assert rect.events.get().type == "rectification.opened"


def test_it_stores_a_long_html_comment_as_text(served, frozen):
    code = served(1).rating_code
    comment = "<script>alert(1)</script>" + "好" * (10_000 - 25)
    assert len(comment) == 10_000
    resp = post(Client(), {"rating_code": code, "level": 3, "channel": "qr", "comment": comment})
    assert resp.status_code == 201
    assert Rating.objects.get().comment == comment


def test_it_refuses_a_comment_over_10000_characters(served, frozen):
    code = served(1).rating_code
    resp = post(
        Client(), {"rating_code": code, "level": 3, "channel": "qr", "comment": "长" * 10_001}
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "feedback.comment_too_long"
    assert Rating.objects.count() == 0


def test_rating_codes_are_unguessable(served, frozen):
    codes = {served(1).rating_code for _ in range(5)}
    assert len(codes) == 5
    assert all(len(c) >= 12 for c in codes)


def test_it_rate_limits_guessing_per_client_address(hall, frozen):
    client = Client(REMOTE_ADDR="10.9.9.9")
    statuses = [
        post(client, {"rating_code": f"guess{i:04d}", "level": 5, "channel": "qr"}).status_code
        for i in range(25)
    ]
    assert statuses[:20] == [404] * 20
    assert statuses[20:] == [429] * 5
    # Another address is not affected.
    other = post(Client(REMOTE_ADDR="10.9.9.10"), {"rating_code": "x", "level": 5, "channel": "qr"})
    assert other.status_code == 404
    assert Throttle.objects.exists()


def test_it_rate_limits_attempts_per_minute(served, frozen):
    client = Client(REMOTE_ADDR="10.9.9.11")
    code = served(1).rating_code
    statuses = [
        post(client, {"rating_code": code, "level": 0, "channel": "qr"}).status_code
        for _ in range(32)
    ]
    assert statuses[:30] == [422] * 30
    assert statuses[30:] == [429, 429]


def test_ratings_are_append_only(served, frozen):
    code = served(1).rating_code
    post(Client(), {"rating_code": code, "level": 5, "channel": "qr"})
    rating = Rating.objects.get()
    rating.level = 1
    with pytest.raises(TypeError):
        rating.save()
    with pytest.raises(TypeError):
        rating.delete()
    with pytest.raises(TypeError):
        Rating.objects.all().update(level=1)
    with pytest.raises(TypeError):
        Rating.objects.all().delete()


def test_the_time_of_a_rating_is_the_servers(served, frozen):
    code = served(1).rating_code
    resp = post(
        Client(),
        {"rating_code": code, "level": 5, "channel": "qr", "created_at": "2020-01-01T00:00:00Z"},
    )
    assert resp.status_code == 201
    assert resp.json()["created_at"] == "2026-03-16T10:00:00+08:00"


@pytest.mark.django_db(transaction=True)
def test_concurrent_ratings_of_one_service_make_exactly_one(county):
    from yichuang.accounts.models import User
    from yichuang.demo.queueing import build_structure
    from yichuang.feedback.actions import ensure_defaults
    from yichuang.org.models import Window
    from yichuang.queueing.actions import ticket_call_next, ticket_finish, ticket_issue, window_open

    build_structure()
    ensure_defaults()
    window = Window.objects.get(centre=county.hall, number=1)
    user = User.objects.get(username="clerk_w01")
    window_open(window=window, actor=user)
    ticket_issue(centre=county.hall, queue_code="social", channel="kiosk", priority="normal")
    ticket_call_next(window=window, actor=user)
    code = ticket_finish(window=window, actor=user).rating_code

    results: list[int] = []
    barrier = threading.Barrier(6)

    def rate(i: int) -> None:
        try:
            barrier.wait()
            resp = post(
                Client(REMOTE_ADDR=f"10.1.0.{i}"),
                {"rating_code": code, "level": 5 - (i % 2), "channel": "qr"},
            )
            results.append(resp.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=rate, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409, 409, 409, 409, 409]
    assert Rating.objects.filter(rating_code=code).count() == 1
