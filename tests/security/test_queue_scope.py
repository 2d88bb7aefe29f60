"""Department scope on the hall queue (issue 17, item 3).

The attack: ``dept_rs`` (the 人社 lead) opened a 医保 window and a township
window, issued tickets at a township and cancelled a county-hall ticket; the
inspector opened window 21 on the console and got the calling console. The
rule: a department lead works his department's windows and the lines they
serve first; windows of no department belong to the centre's director;
inspectors only read; the system, security and audit administrators have
no place in the halls at all (三权分立: 404, as for an outsider)."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.accounts.models import User
from yichuang.org.models import Window
from yichuang.queueing.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db

POST = {"content_type": "application/json"}


def snapshot():
    return (
        list(Ticket.objects.values_list("id", "status", "window_id").order_by("id")),
        list(TicketEvent.objects.values_list("id", flat=True).order_by("id")),
        list(Window.objects.values_list("id", "state", "clerk_id").order_by("id")),
    )


def window(centre: str, number: int) -> Window:
    return Window.objects.get(centre__code=centre, number=number)


def user(name: str) -> User:
    return User.objects.get(username=name)


def kiosk_ticket(centre: str, queue: str) -> Ticket:
    from yichuang.org.models import Centre
    from yichuang.queueing.actions import ticket_issue

    return ticket_issue(centre=Centre.objects.get(code=centre), queue_code=queue, channel="kiosk")


def refused(resp, status: int, code: str) -> bool:
    return (resp.status_code, resp.json().get("code")) == (status, code)


# --- the attack, as it came ------------------------------------------------------------


def test_a_department_lead_cannot_open_another_department_or_a_township_window(hall, api):
    client = api(user("dept_rs"))
    yb, township = window("county-hall", 9), window("chengguan", 1)
    before = snapshot()
    for w in (yb, township):
        resp = client.post(f"/api/v1/windows/{w.pk}/open", **POST)
        assert refused(resp, 404, "org.window_not_found"), resp.content
    assert snapshot() == before
    own = client.post(f"/api/v1/windows/{window('county-hall', 5).pk}/open", **POST)
    assert (own.status_code, own.json()["state"]) == (200, "open")


def test_a_department_lead_cannot_work_a_comprehensive_window(hall, api):
    comprehensive = window("county-hall", 1)
    before = snapshot()
    for action in ("open", "call-next", "finish", "close"):
        resp = api(user("dept_rs")).post(f"/api/v1/windows/{comprehensive.pk}/{action}", **POST)
        assert refused(resp, 404, "org.window_not_found")
    assert snapshot() == before
    resp = api(user("director")).post(f"/api/v1/windows/{comprehensive.pk}/open", **POST)
    assert resp.status_code == 200


def test_a_department_lead_cannot_issue_tickets_outside_his_department_lines(hall, api):
    client = api(user("dept_rs"))
    before = snapshot()
    for centre, queue in (
        ("chengguan", "general"),
        ("chengguan", "social"),
        ("county-hall", "medical"),
    ):
        resp = client.post(f"/api/v1/centres/{centre}/tickets", {"queue": queue}, **POST)
        assert refused(resp, 403, "queueing.not_your_queue"), (centre, queue)
    assert snapshot() == before
    resp = client.post("/api/v1/centres/county-hall/tickets", {"queue": "social"}, **POST)
    assert (resp.status_code, resp.json()["number"]) == (201, "B001")


def test_a_department_lead_cannot_cancel_or_read_a_ticket_of_another_line(hall, api):
    client = api(user("dept_rs"))
    general = kiosk_ticket("county-hall", "general")
    before = snapshot()
    assert refused(
        client.post(f"/api/v1/tickets/{general.pk}/cancel", **POST),
        404,
        "queueing.ticket_not_found",
    )
    assert refused(client.get(f"/api/v1/tickets/{general.pk}"), 404, "queueing.ticket_not_found")
    assert snapshot() == before
    social = kiosk_ticket("county-hall", "social")
    resp = client.post(f"/api/v1/tickets/{social.pk}/cancel", **POST)
    assert (resp.status_code, resp.json()["status"]) == (200, "cancelled")


def test_the_inspector_gets_no_calling_console(hall):
    client = Client()
    client.force_login(user("inspector"))
    page = client.get("/console/").content.decode()
    w21 = window("county-hall", 21)
    assert "只能查看" in page and f'"window": "{w21.pk}"' not in page
    before = snapshot()
    html = client.post("/console/act/open", {"window": w21.pk}).content.decode()
    assert "queueing.read_only" in html and "/console/act/call-next" not in html
    assert snapshot() == before
    html = client.post("/console/act/call-next").content.decode()
    assert "queueing.no_window" in html
    assert snapshot() == before


def test_the_inspector_reads_the_hall_but_changes_nothing(hall, api):
    client = api(user("inspector"))
    w21 = window("county-hall", 21)
    ticket = kiosk_ticket("county-hall", "general")
    # the clerk's ticket at window 1, so the clerk steps have something to act on
    api(user("clerk_w01")).post(f"/api/v1/windows/{window('county-hall', 1).pk}/open", **POST)
    api(user("clerk_w01")).post(f"/api/v1/windows/{window('county-hall', 1).pk}/call-next", **POST)
    assert client.get(f"/api/v1/windows/{w21.pk}/current").status_code == 200
    assert client.get(f"/api/v1/tickets/{ticket.pk}").status_code == 200
    before = snapshot()
    writes = [
        (f"/api/v1/windows/{w21.pk}/open", {}),
        (f"/api/v1/windows/{window('county-hall', 1).pk}/finish", {}),
        (f"/api/v1/windows/{window('county-hall', 1).pk}/no-show", {}),
        ("/api/v1/centres/county-hall/tickets", {"queue": "general"}),
        (f"/api/v1/tickets/{ticket.pk}/cancel", {}),
    ]
    for path, body in writes:
        resp = client.post(path, body, **POST)
        assert refused(resp, 403, "queueing.read_only"), (path, resp.content)
    assert snapshot() == before


@pytest.mark.parametrize("name", ["admin", "auditor", "security"])
def test_the_administrators_neither_read_nor_work_the_hall(hall, api, name):
    client = api(user(name))
    w1 = window("county-hall", 1)
    ticket = kiosk_ticket("county-hall", "general")
    before = snapshot()
    assert refused(client.get(f"/api/v1/windows/{w1.pk}/current"), 404, "org.window_not_found")
    assert refused(client.get(f"/api/v1/tickets/{ticket.pk}"), 404, "queueing.ticket_not_found")
    resp = client.post(f"/api/v1/tickets/{ticket.pk}/cancel", **POST)
    assert refused(resp, 404, "queueing.ticket_not_found")
    resp = client.post(f"/api/v1/windows/{w1.pk}/open", **POST)
    assert refused(resp, 404, "org.window_not_found")
    assert snapshot() == before


# --- persona × window and persona × line --------------------------------------------

HALL_1, HALL_5, HALL_9 = ("county-hall", 1), ("county-hall", 5), ("county-hall", 9)
TOWN_1 = ("chengguan", 1)
OK, RO, OUT = 200, (403, "queueing.read_only"), (404, "org.window_not_found")

# Who may open which window: comprehensive hall window 1, 人社 window 5,
# 医保 window 9, the first window of the 城关 township.
OPEN = {
    "admin": (OUT, OUT, OUT, OUT),
    "countyadmin": (OK, OK, OK, OK),
    "director": (OK, OK, OK, OK),
    "dept_rs": (OUT, OK, OUT, OUT),
    "dept_yb": (OUT, OUT, OK, OUT),
    "director_chengguan": (OUT, OUT, OUT, OK),
    "clerk_county": (OK, OK, OK, OUT),
    "clerk_town": (OUT, OUT, OUT, OK),
    "greeter": (RO, RO, RO, OUT),
    "inspector": (RO, RO, RO, RO),
    "auditor": (OUT, OUT, OUT, OUT),
    "security": (OUT, OUT, OUT, OUT),
}


@pytest.mark.parametrize("name", sorted(OPEN))
def test_each_persona_opens_exactly_the_windows_of_the_rule(hall, api, name):
    client = api(user(name))
    wrong = []
    for spot, expected in zip((HALL_1, HALL_5, HALL_9, TOWN_1), OPEN[name], strict=True):
        w = window(*spot)
        before = snapshot()
        resp = client.post(f"/api/v1/windows/{w.pk}/open", **POST)
        if expected == OK:
            if resp.status_code != 200:
                wrong.append((spot, resp.status_code))
            client.post(f"/api/v1/windows/{w.pk}/close", **POST)
        elif not refused(resp, *expected) or snapshot() != before:
            wrong.append((spot, resp.status_code, resp.json().get("code")))
    assert wrong == []


ISSUED = 201
NOT_MINE = (403, "queueing.not_your_queue")
NO_CENTRE = (404, "org.centre_not_found")
TICKET_RO = (403, "queueing.read_only")
LINES = (("county-hall", "social"), ("county-hall", "medical"), ("chengguan", "general"))
ISSUE = {
    "admin": (NO_CENTRE, NO_CENTRE, NO_CENTRE),
    "countyadmin": (ISSUED, ISSUED, ISSUED),
    "director": (ISSUED, ISSUED, ISSUED),
    "dept_rs": (ISSUED, NOT_MINE, NOT_MINE),
    "dept_yb": (NOT_MINE, ISSUED, NOT_MINE),
    "greeter": (ISSUED, ISSUED, NO_CENTRE),
    "clerk_county": (ISSUED, ISSUED, NO_CENTRE),
    "clerk_town": (NO_CENTRE, NO_CENTRE, ISSUED),
    "inspector": (TICKET_RO, TICKET_RO, TICKET_RO),
    "auditor": (NO_CENTRE, NO_CENTRE, NO_CENTRE),
    "security": (NO_CENTRE, NO_CENTRE, NO_CENTRE),
}


@pytest.mark.parametrize("name", sorted(ISSUE))
def test_each_persona_issues_exactly_in_the_lines_of_the_rule(hall, api, name):
    client = api(user(name))
    wrong = []
    for (centre, queue), expected in zip(LINES, ISSUE[name], strict=True):
        before = snapshot()
        resp = client.post(f"/api/v1/centres/{centre}/tickets", {"queue": queue}, **POST)
        if expected == ISSUED:
            if resp.status_code != 201:
                wrong.append((centre, queue, resp.status_code))
        elif not refused(resp, *expected) or snapshot() != before:
            wrong.append((centre, queue, resp.status_code, resp.json().get("code")))
    assert wrong == []


def test_a_department_lead_reads_the_peak_alerts_of_his_lines_only(hall, api):
    from yichuang.queueing.models import Queue

    Queue.objects.filter(centre=hall, code__in=["social", "medical"]).update(alert_waiting=1)
    kiosk_ticket("county-hall", "social")
    kiosk_ticket("county-hall", "medical")
    listed = {
        name: sorted(
            a["queue"] for a in api(user(name)).get("/api/v1/centres/county-hall/alerts").json()
        )
        for name in ("director", "dept_rs", "dept_yb")
    }
    assert listed["director"] == ["medical", "social"]
    assert (listed["dept_rs"], listed["dept_yb"]) == (["social"], ["medical"])
