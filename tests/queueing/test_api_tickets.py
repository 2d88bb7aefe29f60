"""POST /centres/{code}/tickets, GET /tickets/{id}, /track/{code}: shapes,
device rules, bad input and replays — each refusal changes nothing."""

import pytest

from yichuang.queueing.models import IdempotencyKey, Queue, Ticket, TicketEvent

from .conftest import window_of

pytestmark = pytest.mark.django_db


def counts():
    return Ticket.objects.count(), TicketEvent.objects.count()


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", **headers)


def kiosk_client(api, token):
    client = api()
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def test_it_issues_a_ticket_from_the_kiosk_in_contract_shape(api, hall, device_token):
    client = kiosk_client(api, device_token("kiosk"))
    resp = post(
        client,
        "/api/v1/centres/county-hall/tickets",
        {"queue": "general", "channel": "kiosk", "priority": "elderly"},
    )
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert {
        "id",
        "number",
        "queue",
        "status",
        "waiting_ahead",
        "estimated_wait_minutes",
        "issued_at",
        "track_code",
    } <= set(body)
    assert (body["number"], body["queue"], body["status"]) == ("A001", "general", "waiting")
    assert body["issued_at"].endswith("+08:00")
    t = Ticket.objects.get(pk=body["id"])
    assert t.channel == "kiosk" and t.priority == "elderly"
    assert TicketEvent.objects.get(ticket=t).device.kind == "kiosk"


def test_it_counts_people_ahead_and_estimates_the_wait(api, hall, device_token, open_window):
    Queue.objects.filter(centre=hall, code="general").update(service_minutes=6)
    open_window(1)
    open_window(2)
    client = kiosk_client(api, device_token("kiosk"))
    bodies = [
        post(client, "/api/v1/centres/county-hall/tickets", {"queue": "general"}).json()
        for _ in range(5)
    ]
    last = bodies[-1]
    # 4 ahead, 6 minutes each, 2 + 3 windows serving general at order 1 or 2 (1, 2 open)
    assert last["waiting_ahead"] == 4
    assert last["estimated_wait_minutes"] == 12  # ceil(4 × 6 / 2)


def test_it_lets_a_greeter_issue_with_phone_as_the_greeter_channel(api, county, hall):
    resp = post(
        api(county.greeter),
        "/api/v1/centres/county-hall/tickets",
        {"queue": "social", "phone": "13800138000"},
    )
    assert resp.status_code == 201
    t = Ticket.objects.get(pk=resp.json()["id"])
    assert t.channel == "greeter" and t.first_ask.user == county.greeter
    assert "13800138000" not in resp.content.decode()


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"queue": "nope"}, 422, "queueing.unknown_queue"),
        ({"queue": "general", "priority": "vip"}, 422, "queueing.bad_priority"),
        ({"queue": "general", "phone": "123"}, 422, "queueing.bad_phone"),
        ({"queue": "general", "id_number": "110105194912310021"}, 422, "lib.invalid_id_number"),
        ({"priority": "normal"}, 422, "api.invalid_request"),
    ],
)
def test_it_refuses_bad_input_and_changes_nothing(api, hall, device_token, body, status, code):
    client = kiosk_client(api, device_token("kiosk"))
    before = counts()
    resp = post(client, "/api/v1/centres/county-hall/tickets", body)
    assert (resp.status_code, resp.json()["code"]) == (status, code)
    assert resp.json()["message"]
    assert counts() == before


def test_it_refuses_out_of_hours_and_a_reached_quota(api, hall, device_token):
    client = kiosk_client(api, device_token("kiosk"))
    Queue.objects.filter(centre=hall, code="general").update(daily_quota=1)
    assert (
        post(client, "/api/v1/centres/county-hall/tickets", {"queue": "general"}).status_code == 201
    )
    before = counts()
    resp = post(client, "/api/v1/centres/county-hall/tickets", {"queue": "general"})
    assert (resp.status_code, resp.json()["code"]) == (409, "queueing.quota_reached")
    hall.always_open = False
    hall.opening_hours = {d: [] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
    hall.save()
    resp = post(client, "/api/v1/centres/county-hall/tickets", {"queue": "social"})
    assert resp.status_code == 422
    assert resp.json()["code"] in ("queueing.out_of_hours", "queueing.centre_closed")
    assert counts() == before


def test_it_refuses_a_kiosk_token_of_another_centre(api, county, hall, device_token):
    client = kiosk_client(api, device_token("kiosk", centre=county.town))
    before = counts()
    resp = post(client, "/api/v1/centres/county-hall/tickets", {"queue": "general"})
    assert (resp.status_code, resp.json()["code"]) == (403, "org.device_wrong_centre")
    assert counts() == before


def test_it_refuses_display_and_pad_tokens_issuing_or_calling(api, hall, device_token, open_window):
    open_window(1)
    for kind in ("display", "pad"):
        client = kiosk_client(api, device_token(kind, window=window_of(hall, 1)))
        before = counts()
        r1 = post(client, "/api/v1/centres/county-hall/tickets", {"queue": "general"})
        r2 = post(client, f"/api/v1/windows/{window_of(hall, 1).pk}/call-next")
        assert [r1.status_code, r2.status_code] == [403, 403]
        assert r1.json()["code"] == r2.json()["code"] == "org.device_not_allowed"
        assert counts() == before


def test_it_refuses_an_outsider_issuing_at_another_centre(api, county, hall):
    before = counts()
    resp = post(api(county.outsider), "/api/v1/centres/county-hall/tickets", {"queue": "general"})
    assert resp.status_code == 404 and resp.json()["code"] == "org.centre_not_found"
    assert counts() == before


def test_it_answers_a_replayed_request_with_the_first_answer_only(api, hall, device_token):
    client = kiosk_client(api, device_token("kiosk"))
    first = post(
        client,
        "/api/v1/centres/county-hall/tickets",
        {"queue": "general"},
        HTTP_IDEMPOTENCY_KEY="k-123",
    )
    assert first.status_code == 201
    before = counts()
    again = post(
        client,
        "/api/v1/centres/county-hall/tickets",
        {"queue": "general"},
        HTTP_IDEMPOTENCY_KEY="k-123",
    )
    assert again.status_code == 409
    body = again.json()
    assert body["code"] == "queueing.replayed" and body["original"] == first.json()
    assert body["original_status"] == 201
    assert counts() == before
    assert IdempotencyKey.objects.count() == 1


def test_it_lets_a_key_be_retried_after_a_refusal(api, hall, device_token):
    client = kiosk_client(api, device_token("kiosk"))
    bad = post(
        client, "/api/v1/centres/county-hall/tickets", {"queue": "nope"}, HTTP_IDEMPOTENCY_KEY="k-9"
    )
    assert bad.status_code == 422 and not IdempotencyKey.objects.exists()
    ok = post(
        client,
        "/api/v1/centres/county-hall/tickets",
        {"queue": "general"},
        HTTP_IDEMPOTENCY_KEY="k-9",
    )
    assert ok.status_code == 201


def test_it_shows_a_ticket_to_staff_in_scope_only(api, county, hall, issue):
    t = issue("general")
    resp = api(county.clerk).get(f"/api/v1/tickets/{t.pk}")
    assert resp.status_code == 200 and resp.json()["number"] == "A001"
    assert {"id", "number", "queue", "status", "window", "waiting_ahead"} <= set(resp.json())
    resp = api(county.outsider).get(f"/api/v1/tickets/{t.pk}")
    assert resp.status_code == 404 and resp.json()["code"] == "queueing.ticket_not_found"


def test_it_tracks_a_ticket_publicly_by_code_through_transfers(api, hall, issue, open_window):
    from yichuang.queueing.actions import ticket_call_next, ticket_transfer

    from .conftest import clerk_user

    t = issue("general", phone="13800138000")
    open_window(1)
    ticket_call_next(window=window_of(hall, 1), actor=clerk_user(1))
    ticket_transfer(window=window_of(hall, 1), actor=clerk_user(1), queue_code="social")
    resp = api().get(f"/api/v1/track/{t.track_code}")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["number"], body["queue"], body["status"]) == ("A001", "social", "waiting")
    assert "13800138000" not in resp.content.decode() and "rating_code" not in body
    assert api().get("/api/v1/track/guess").status_code == 404
