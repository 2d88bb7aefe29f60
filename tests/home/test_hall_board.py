"""The director's home: a live hall board (every window with its ticket,
state and clerk; the longest wait per queue; open alerts; staff absent) and
one-click opening of a flexible window through ``window_open``."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from yichuang.org.models import Staff, Window
from yichuang.queueing.models import Queue, QueueAlert, Ticket, TicketEvent


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _waiting(hall, queue: Queue, minutes_ago: int, number: str) -> Ticket:
    now = timezone.now()
    at = now - dt.timedelta(minutes=minutes_ago)
    return Ticket.objects.create(
        centre=hall,
        queue=queue,
        day=timezone.localdate(),
        number=number,
        status=Ticket.Status.WAITING,
        channel="kiosk",
        issued_at=at,
        sort_at=at,
    )


def _board(client, code="county-hall"):
    resp = client.get("/")
    assert resp.status_code == 200
    return resp, next(h for h in resp.context["board"] if h["centre"].code == code)


def test_it_shows_every_window_the_queues_and_the_alerts(county):
    from yichuang.demo.queueing import build_structure

    build_structure()
    hall = county.hall
    windows = list(Window.objects.filter(centre=hall, is_active=True).order_by("number"))
    clerk = Staff.objects.filter(centre=hall).exclude(user=county.director).first()
    serving, paused = windows[0], windows[1]
    Window.objects.filter(pk=serving.pk).update(state="open", clerk=clerk)
    Window.objects.filter(pk=paused.pk).update(state="paused", clerk=clerk)
    queue = Queue.objects.filter(centre=hall).order_by("id").first()
    _waiting(hall, queue, 42, "A001")
    _waiting(hall, queue, 5, "A002")
    called = _waiting(hall, queue, 20, "A003")
    Ticket.objects.filter(pk=called.pk).update(
        status=Ticket.Status.SERVING, window=serving, called_at=timezone.now()
    )
    QueueAlert.objects.create(
        centre=hall,
        queue=queue,
        day=timezone.localdate(),
        waiting=18,
        estimated_wait_minutes=40,
        open_windows=1,
        windows_needed=2,
    )
    resp, board = _board(_client(county.director))
    rows = {w["window"].pk: w for w in board["windows"]}
    assert len(rows) == len(windows)
    assert (rows[serving.pk]["status"], rows[serving.pk]["ticket"]) == ("serving", "A003")
    assert rows[serving.pk]["clerk"] == clerk.name
    assert rows[paused.pk]["status"] == "paused"
    assert {w["status"] for w in rows.values()} >= {"serving", "paused", "closed"}
    assert board["queues"][0]["waiting"] == 2
    assert board["queues"][0]["longest_minutes"] >= 42
    assert len(board["alerts"]) == 1
    html = resp.content.decode()
    for text in ("大厅实况", "A003", "办理中", "暂停", "未开窗", "建议增开 2 个窗口"):
        assert text in html, text
    # The panel refreshes alone.
    panel = _client(county.director).get("/home/board/")
    assert panel.status_code == 200 and "<html" not in panel.content.decode()


def test_absent_counts_people_away_not_closed_windows(county):
    Staff.objects.filter(centre=county.hall).update(is_present=True)
    Window.objects.filter(centre=county.hall).update(state="closed", clerk=None)
    _resp, board = _board(_client(county.director))
    assert board["absent"] == 0
    assert board["open_windows"] == 0
    away = list(Staff.objects.filter(centre=county.hall).order_by("id")[:2])
    Staff.objects.filter(pk__in=[s.pk for s in away]).update(is_present=False)
    _resp, board = _board(_client(county.director))
    assert board["absent"] == 2


def _flexible(centre) -> Window:
    window = Window.objects.filter(centre=centre, kind=Window.Kind.FLEXIBLE, is_active=True).first()
    Window.objects.filter(pk=window.pk).update(state="closed", clerk=None)
    return window


def _unchanged(window: Window) -> tuple:
    window.refresh_from_db()
    return (window.state, window.clerk_id, TicketEvent.objects.count())


def test_the_director_opens_a_flexible_window_in_one_click(county):
    window = _flexible(county.hall)
    client = _client(county.director)
    _resp, board = _board(client)
    row = next(w for w in board["windows"] if w["window"].pk == window.pk)
    assert row["can_open"]
    resp = client.post(f"/home/windows/{window.pk}/open/")
    assert resp.status_code == 302
    window.refresh_from_db()
    assert window.state == "open"
    assert window.clerk_id == Staff.objects.get(user=county.director).pk
    assert TicketEvent.objects.filter(window=window, type="window_opened").exists()


def test_it_refuses_anyone_but_the_director_and_any_other_window(county):
    window = _flexible(county.hall)
    before = _unchanged(window)
    # An inspector oversees but does not staff windows.
    resp = _client(county.inspector).post(f"/home/windows/{window.pk}/open/")
    assert resp.status_code == 403
    assert _unchanged(window) == before
    # A dedicated window is opened by its clerk at the console, not from here.
    other = Window.objects.filter(centre=county.hall).exclude(kind=Window.Kind.FLEXIBLE).first()
    Window.objects.filter(pk=other.pk).update(state="closed", clerk=None)
    other_before = _unchanged(other)
    resp = _client(county.director).post(f"/home/windows/{other.pk}/open/")
    assert resp.status_code == 409
    assert _unchanged(other) == other_before
    # The county administrator oversees but staffs no window either.
    resp = _client(county.county_admin).post(f"/home/windows/{window.pk}/open/")
    assert resp.status_code == 403
    assert _unchanged(window) == before
    # A window that is not there (or not in scope) is not found.
    resp = _client(county.director).post("/home/windows/987654/open/")
    assert resp.status_code == 404
    assert _unchanged(window) == before
    # GET does nothing.
    assert _client(county.director).get(f"/home/windows/{window.pk}/open/").status_code == 405
    assert _unchanged(window) == before
