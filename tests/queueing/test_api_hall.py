"""The hall state, queue list and the display's event feed."""

import pytest

from yichuang.queueing.actions import ticket_call_next, ticket_recall

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db


def test_it_lists_queues_with_waiting_counts_and_estimates(api, hall, issue, open_window):
    open_window(1)
    issue("general")
    issue("general")
    resp = api().get("/api/v1/centres/county-hall/queues")
    assert resp.status_code == 200
    general = next(q for q in resp.json() if q["code"] == "general")
    assert {"code", "name", "prefix", "waiting", "open_windows", "estimated_wait_minutes"} <= set(
        general
    )
    assert (general["prefix"], general["waiting"], general["open_windows"]) == ("A", 2, 1)


def test_it_shows_the_hall_without_clerk_names(api, hall, issue, open_window):
    open_window(1)
    issue("general")
    ticket_call_next(window=window_of(hall, 1), actor=clerk_user(1))
    body = api().get("/api/v1/centres/county-hall/hall").json()
    assert set(body) >= {"queues", "windows", "recent_calls"}
    w1 = next(w for w in body["windows"] if w["number"] == 1)
    assert (w1["state"], w1["ticket"], w1["clerk"]) == ("open", "A001", None)
    assert body["recent_calls"][0] == {
        **body["recent_calls"][0],
        "ticket_number": "A001",
        "window_number": 1,
        "type": "called",
    }


def test_it_feeds_displays_by_cursor_missing_nothing_and_repeating_nothing(
    api, hall, issue, open_window
):
    client = api()
    start = client.get("/api/v1/centres/county-hall/events").json()
    assert start["events"] == []
    open_window(1)
    issue("general")
    issue("general")
    w, u = window_of(hall, 1), clerk_user(1)
    ticket_call_next(window=w, actor=u)
    ticket_recall(window=w, actor=u)
    page = client.get(f"/api/v1/centres/county-hall/events?after={start['cursor']}").json()
    calls = [
        (e["type"], e["ticket_number"], e["window_number"])
        for e in page["events"]
        if e["type"] in ("called", "recalled")
    ]
    assert calls == [("called", "A001", 1), ("recalled", "A001", 1)]
    assert set(page["events"][0]) >= {"id", "type", "ticket_number", "window_number", "at"}
    again = client.get(f"/api/v1/centres/county-hall/events?after={page['cursor']}").json()
    assert again == {"cursor": page["cursor"], "events": []}


def test_it_refuses_a_display_token_of_another_centre(api, county, hall, device_token):
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {device_token('display', county.town)}"
    resp = client.get("/api/v1/centres/county-hall/events?after=0")
    assert (resp.status_code, resp.json()["code"]) == (403, "org.device_wrong_centre")
    assert client.get("/api/v1/centres/chengguan/events?after=0").status_code == 200


def test_it_answers_an_anonymous_feed_poll_in_one_query(hall, issue, django_assert_num_queries):
    from django.test import Client

    client = Client()
    cursor = client.get("/api/v1/centres/county-hall/events").json()["cursor"]
    issue("general")
    with django_assert_num_queries(1):
        page = client.get(f"/api/v1/centres/county-hall/events?after={cursor}").json()
    assert [e["type"] for e in page["events"]] == ["issued"]
    assert client.get("/api/v1/centres/nowhere/events?after=0").status_code == 404
    assert client.get("/api/v1/centres/nowhere/events").status_code == 404


def test_the_public_feed_carries_no_free_text(api, county, hall, issue, open_window):
    """A director's reason for calling a ticket by hand may name the citizen;
    the public feed shows that a call happened, never the reason."""
    from yichuang.queueing.actions import ticket_call_specific
    from yichuang.queueing.models import TicketEvent

    client = api()
    cursor = client.get("/api/v1/centres/county-hall/events").json()["cursor"]
    open_window(1)
    t = issue("general")
    reason = "老人王秀英 身份证110105194912310020 优先"
    ticket_call_specific(
        window=window_of(hall, 1), ticket_id=t.pk, actor=county.director, reason=reason
    )
    stored = "老人王秀英 身份证110105********0020 优先"  # the ID number masked at rest
    assert TicketEvent.objects.filter(ticket=t, type="called", reason=stored).exists()
    resp = client.get(f"/api/v1/centres/county-hall/events?after={cursor}")
    called = [e for e in resp.json()["events"] if e["type"] == "called"]
    assert [e["ticket_number"] for e in called] == [t.number]
    assert "王秀英" not in resp.content.decode() and "reason" not in called[0]


def test_the_feed_pages_only_through_today(api, hall, issue, at10):
    """``after=0`` must not page the centre's whole history."""
    import datetime as dt

    import time_machine

    yesterday = issue("general", at=at10() - dt.timedelta(days=1))
    with time_machine.travel(at10(), tick=False):
        today = issue("general", at=at10())
        body = api().get("/api/v1/centres/county-hall/events?after=0&limit=500").json()
    days = {e["at"][:10] for e in body["events"]}
    assert today.number in {e["ticket_number"] for e in body["events"]}
    assert yesterday.day < today.day and days == {today.day.isoformat()}
