"""The kiosk page sends an Idempotency-Key with every press and keeps it until an
answer arrives; the server issues one ticket per key (issue: a retry after a
lost answer issued a second ticket)."""

from __future__ import annotations

from yichuang.queueing.models import IdempotencyKey, Ticket

from .test_pages import device_client


def _press(client, key=None, **data):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key else {}
    return client.post("/kiosk/county-hall/issue", {"queue": "general", **data}, **headers)


def test_a_press_repeated_with_its_key_prints_the_same_ticket(hall, device_token):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    first = _press(client, "k-7f3a")
    assert first.status_code == 201 and "A001" in first.content.decode()
    again = _press(client, "k-7f3a")
    # the retry prints the ticket already issued, and issues nothing
    assert again.status_code == 200 and "A001" in again.content.decode()
    assert Ticket.objects.count() == 1
    other = _press(client, "k-19cc")
    assert other.status_code == 201 and "A002" in other.content.decode()
    assert Ticket.objects.count() == 2


def test_a_press_without_a_key_issues_each_time(hall, device_token):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    assert _press(client).status_code == 201 and _press(client).status_code == 201
    assert Ticket.objects.count() == 2 and not IdempotencyKey.objects.exists()


def test_a_refused_press_keeps_no_key_so_its_retry_runs_again(hall, device_token):
    client = device_client(device_token("kiosk"), "/kiosk/county-hall")
    refused = _press(client, "k-0001", queue="nope")
    assert refused.status_code == 422 and "没有这个业务队列" in refused.content.decode()
    assert not IdempotencyKey.objects.exists() and not Ticket.objects.exists()
    assert _press(client, "k-0001").status_code == 201
    assert Ticket.objects.count() == 1


def test_keys_belong_to_their_device(county, hall, device_token):
    one = device_client(device_token("kiosk"), "/kiosk/county-hall")
    two = device_client(device_token("kiosk"), "/kiosk/county-hall")
    assert _press(one, "same-key").status_code == 201
    # another kiosk's press with the same key is its own press, not a replay
    resp = _press(two, "same-key")
    assert resp.status_code == 201 and "A002" in resp.content.decode()
    assert Ticket.objects.count() == 2
