"""The clerk's window endpoints: open/close/pause/resume, call-next (200/204),
recall/start/finish/no-show, transfer, call-specific; outsiders get 404 and
change nothing."""

import pytest

from yichuang.org.models import Window
from yichuang.queueing.models import Ticket, TicketEvent

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", **headers)


def snapshot():
    return (
        list(Ticket.objects.values_list("id", "status", "window_id").order_by("id")),
        TicketEvent.objects.count(),
        list(Window.objects.values_list("id", "state", "clerk_id").order_by("id")),
    )


@pytest.fixture
def w1(hall):
    return window_of(hall, 1)


@pytest.fixture
def clerk(api):
    return api(clerk_user(1))


def url(window, action):
    return f"/api/v1/windows/{window.pk}/{action}"


def test_it_runs_a_whole_service_through_http(clerk, w1, issue):
    assert post(clerk, url(w1, "open")).json()["state"] == "open"
    assert post(clerk, url(w1, "call-next")).status_code == 204
    issue("general")
    resp = post(clerk, url(w1, "call-next"))
    assert resp.status_code == 200
    ticket = resp.json()["ticket"]
    assert (ticket["number"], ticket["status"], ticket["window"]) == ("A001", "called", 1)
    assert post(clerk, url(w1, "recall")).json()["status"] == "called"
    assert post(clerk, url(w1, "start")).json()["status"] == "serving"
    done = post(clerk, url(w1, "finish")).json()
    assert done["status"] == "done" and done["rating_code"]
    assert Ticket.objects.get(pk=ticket["id"]).rating_code == done["rating_code"]
    assert post(clerk, url(w1, "pause")).json()["state"] == "paused"
    assert post(clerk, url(w1, "resume")).json()["state"] == "open"
    assert post(clerk, url(w1, "close")).json()["state"] == "closed"


@pytest.mark.parametrize(
    ("setup", "action", "status", "code"),
    [
        ("closed", "call-next", 409, "queueing.window_not_open"),
        ("open", "finish", 409, "queueing.no_current_ticket"),
        ("open", "start", 409, "queueing.no_current_ticket"),
        ("called", "call-next", 409, "queueing.window_busy"),
        ("called", "close", 409, "queueing.window_busy"),
        ("serving", "no-show", 409, "queueing.already_serving"),
        ("open", "resume", 409, "queueing.window_not_paused"),
    ],
)
def test_it_refuses_steps_out_of_order_and_changes_nothing(
    clerk, w1, issue, setup, action, status, code
):
    issue("general")
    issue("general")
    if setup != "closed":
        post(clerk, url(w1, "open"))
    if setup in ("called", "serving"):
        post(clerk, url(w1, "call-next"))
    if setup == "serving":
        post(clerk, url(w1, "start"))
    before = snapshot()
    resp = post(clerk, url(w1, action))
    assert (resp.status_code, resp.json()["code"]) == (status, code)
    assert snapshot() == before


def test_it_refuses_a_window_that_does_not_serve_the_transfer_queue(clerk, w1, issue, hall):
    issue("general")
    post(clerk, url(w1, "open"))
    post(clerk, url(w1, "call-next"))
    before = snapshot()
    resp = post(clerk, url(w1, "transfer"), {"queue": "nope"})
    assert (resp.status_code, resp.json()["code"]) == (422, "queueing.unknown_queue")
    resp = post(clerk, url(w1, "transfer"), {"window": 99})
    assert (resp.status_code, resp.json()["code"]) == (422, "queueing.bad_transfer_target")
    assert snapshot() == before
    moved = post(clerk, url(w1, "transfer"), {"queue": "social"})
    assert moved.status_code == 200
    assert (moved.json()["queue"], moved.json()["number"]) == ("social", "A001")


@pytest.mark.parametrize(
    "action",
    [
        "open",
        "close",
        "pause",
        "resume",
        "call-next",
        "recall",
        "start",
        "finish",
        "no-show",
        "transfer",
        "current",
    ],
)
def test_it_hides_another_centres_window_from_an_outsider(api, county, w1, issue, action):
    issue("general")
    post(api(clerk_user(1)), url(w1, "open"))
    post(api(clerk_user(1)), url(w1, "call-next"))
    before = snapshot()
    client = api(county.outsider)
    if action == "current":
        resp = client.get(url(w1, action))
    else:
        resp = post(client, url(w1, action), {"queue": "social"})
    assert (resp.status_code, resp.json()["code"]) == (404, "org.window_not_found")
    assert snapshot() == before


def test_it_lets_only_a_director_call_a_specific_ticket(api, county, w1, issue):
    issue("general")
    pick = issue("general")
    post(api(clerk_user(1)), url(w1, "open"))
    before = snapshot()
    resp = post(
        api(clerk_user(1)), url(w1, "call-specific"), {"ticket_id": pick.pk, "reason": "熟人"}
    )
    assert (resp.status_code, resp.json()["code"]) == (403, "queueing.call_specific_forbidden")
    assert snapshot() == before
    resp = post(
        api(county.director),
        url(w1, "call-specific"),
        {"ticket_id": pick.pk, "reason": "孕妇身体不适"},
    )
    assert resp.status_code == 200 and resp.json()["number"] == "A002"


def test_it_answers_a_replayed_call_next_with_409_and_calls_once(clerk, w1, issue):
    issue("general")
    issue("general")
    post(clerk, url(w1, "open"))
    first = post(clerk, url(w1, "call-next"), HTTP_IDEMPOTENCY_KEY="call-1")
    before = snapshot()
    again = post(clerk, url(w1, "call-next"), HTTP_IDEMPOTENCY_KEY="call-1")
    assert (again.status_code, again.json()["code"]) == (409, "queueing.replayed")
    assert again.json()["original"] == first.json()
    assert snapshot() == before


def test_it_lists_windows_with_their_queues(api, county, hall, w1):
    resp = api(county.clerk).get("/api/v1/centres/county-hall/windows")
    assert resp.status_code == 200
    by_number = {w["number"]: w for w in resp.json()}
    assert by_number[1]["queues"][0] == "general"
    assert by_number[5]["queues"] == ["social", "general"]
    assert set(by_number[1]) >= {"id", "number", "name", "kind", "queues", "state", "clerk"}


def test_a_county_director_works_a_township_window_a_department_lead_may_not(api, county, hall):
    """Regional scopes reach the township's windows (the scope is read with the
    window in the action's first query), but a department lead's windows are
    his department's only; only directors may work a window another clerk
    signed in to."""
    from yichuang.accounts.models import User
    from yichuang.queueing import actions

    window = Window.objects.filter(centre=county.town, skills__isnull=False).first()
    queue = window.skills.order_by("order").first().queue
    assert post(api(county.outsider), url(window, "open")).status_code == 200
    ticket = actions.ticket_issue(centre=county.town, queue_code=queue.code, channel="kiosk")
    colleague = User.objects.get(username="clerk_chengguan_2")
    before = snapshot()
    for action in ("call-next", "finish"):
        resp = post(api(county.dept_lead), url(window, action))
        assert (resp.status_code, resp.json()["code"]) == (404, "org.window_not_found")
        resp = post(api(colleague), url(window, action))
        assert (resp.status_code, resp.json()["code"]) == (403, "queueing.not_your_window")
    assert snapshot() == before
    called = post(api(county.director), url(window, "call-next"))
    assert (called.status_code, called.json()["ticket"]["id"]) == (200, ticket.pk)
    done = post(api(county.director), url(window, "finish"))
    assert (done.status_code, done.json()["status"]) == (200, "done")


def test_a_replayed_call_next_that_found_nobody_reports_its_204(clerk, w1):
    post(clerk, url(w1, "open"))
    first = post(clerk, url(w1, "call-next"), HTTP_IDEMPOTENCY_KEY="idle-1")
    assert first.status_code == 204
    again = post(clerk, url(w1, "call-next"), HTTP_IDEMPOTENCY_KEY="idle-1")
    body = again.json()
    assert (again.status_code, body["code"]) == (409, "queueing.replayed")
    assert (body["original_status"], body["original"]) == (204, {})
