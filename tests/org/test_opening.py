"""The hours a centre keeps on a day (org.opening, DOMAIN §5): make-up working
days open with Monday's hours (or the weekday the centre sets), holidays on a
weekday closed, dated exceptions applied; and the public API that tells."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.org.models import DEFAULT_OPENING_HOURS, Centre, OpeningException
from yichuang.org.opening import opening_for, slot_starts, spans_problem

pytestmark = pytest.mark.django_db

MAKEUP_SATURDAY = dt.date(2026, 2, 14)
HOLIDAY_MONDAY = dt.date(2026, 2, 16)
PLAIN_SATURDAY = dt.date(2026, 3, 21)
PLAIN_MONDAY = dt.date(2026, 3, 16)
MONDAY_HOURS = [["08:30", "12:00"], ["14:00", "17:30"]]


@pytest.fixture
def hall(county) -> Centre:
    """The county hall with office hours (the tests' county is open all day)."""
    hall = county.hall
    hall.always_open = False
    hall.opening_hours = {}
    hall.save()
    return hall


def test_every_2026_make_up_day_opens_with_mondays_hours(hall):
    for day in ["01-04", "02-14", "02-28", "05-09", "09-20", "10-10"]:
        opening = opening_for(hall, dt.date.fromisoformat(f"2026-{day}"))
        assert (opening.open, opening.hours, opening.reason) == (
            True,
            MONDAY_HOURS,
            "makeup_workday",
        ), day


def test_a_make_up_day_can_keep_another_weekdays_hours(hall):
    hall.opening_hours = {**DEFAULT_OPENING_HOURS, "fri": [["09:00", "12:00"]]}
    hall.makeup_hours_from = 4
    hall.save()
    assert opening_for(hall, MAKEUP_SATURDAY).hours == [["09:00", "12:00"]]


def test_a_holiday_on_a_weekday_and_an_ordinary_weekend_are_closed(hall):
    holiday = opening_for(hall, HOLIDAY_MONDAY)
    assert (holiday.open, holiday.reason) == (False, "holiday")
    rest = opening_for(hall, PLAIN_SATURDAY)
    assert (rest.open, rest.reason) == (False, "rest_day")
    assert opening_for(hall, PLAIN_MONDAY).reason == "workday"


def test_is_open_at_follows_the_calendar_not_the_weekday(hall):
    tz = dt.timezone(dt.timedelta(hours=8))
    assert hall.is_open_at(dt.datetime(2026, 2, 14, 10, 0, tzinfo=tz))
    assert not hall.is_open_at(dt.datetime(2026, 2, 14, 13, 0, tzinfo=tz))
    assert not hall.is_open_at(dt.datetime(2026, 2, 16, 10, 0, tzinfo=tz))


def _exception(hall, day, kind, spans=()):
    return OpeningException.objects.create(centre=hall, date=day, kind=kind, spans=list(spans))


def test_extended_hours_add_to_the_day(hall):
    _exception(hall, PLAIN_MONDAY, "extended", [["17:30", "19:00"]])
    opening = opening_for(hall, PLAIN_MONDAY)
    assert opening.hours == [["08:30", "12:00"], ["14:00", "19:00"]]
    assert opening.reason == "extended"


def test_staggered_hours_replace_the_day(hall):
    _exception(hall, PLAIN_MONDAY, "staggered", [["10:00", "13:00"], ["15:00", "19:00"]])
    assert opening_for(hall, PLAIN_MONDAY).hours == [["10:00", "13:00"], ["15:00", "19:00"]]


def test_weekend_duty_opens_a_rest_day(hall):
    _exception(hall, PLAIN_SATURDAY, "weekend_duty", [["09:00", "12:00"]])
    opening = opening_for(hall, PLAIN_SATURDAY)
    assert (opening.open, opening.hours, opening.reason) == (
        True,
        [["09:00", "12:00"]],
        "weekend_duty",
    )


def test_a_closure_closes_a_working_day(hall):
    _exception(hall, PLAIN_MONDAY, "closure")
    opening = opening_for(hall, PLAIN_MONDAY)
    assert (opening.open, opening.reason) == (False, "closure")


def test_an_always_open_centre_is_open_every_day(county):
    opening = opening_for(county.hall, HOLIDAY_MONDAY)
    assert (opening.open, opening.hours, opening.reason) == (
        True,
        [["00:00", "24:00"]],
        "always_open",
    )


def test_spans_are_checked():
    assert spans_problem([["17:30", "19:00"]], empty_ok=False) is None
    assert spans_problem([], empty_ok=True) is None
    assert spans_problem([], empty_ok=False)
    assert spans_problem([["19:00", "17:30"]], empty_ok=False)
    assert spans_problem([["7:30", "9:00"]], empty_ok=False)
    assert spans_problem("08:00-09:00", empty_ok=False)
    assert spans_problem([["08:00", "09:00"]], empty_ok=True)


def test_slots_are_cut_from_the_days_hours(hall):
    starts = slot_starts(opening_for(hall, MAKEUP_SATURDAY), 30)
    assert starts[0] == (dt.time(8, 30), dt.time(9, 0))
    assert (dt.time(11, 30), dt.time(12, 0)) in starts
    assert (dt.time(12, 0), dt.time(12, 30)) not in starts
    assert starts[-1] == (dt.time(17, 0), dt.time(17, 30))
    assert len(starts) == 14
    assert slot_starts(opening_for(hall, HOLIDAY_MONDAY), 30) == []


def test_the_api_answers_the_hours_of_a_make_up_day(hall, client):
    resp = client.get("/api/v1/centres/county-hall/opening?date=2026-02-14")
    assert resp.status_code == 200
    assert resp.json() == {
        "date": "2026-02-14",
        "open": True,
        "hours": MONDAY_HOURS,
        "reason": "makeup_workday",
    }
    closed = client.get("/api/v1/centres/county-hall/opening?date=2026-02-16").json()
    assert (closed["open"], closed["hours"], closed["reason"]) == (False, [], "holiday")


def test_the_api_answers_an_always_open_centre_and_refuses_unknowns(county, client):
    body = client.get("/api/v1/centres/county-hall/opening?date=2026-02-16").json()
    assert (body["open"], body["reason"]) == (True, "always_open")
    missing = client.get("/api/v1/centres/nowhere/opening?date=2026-02-16")
    assert (missing.status_code, missing.json()["code"]) == (404, "org.centre_not_found")
    bad = client.get("/api/v1/centres/county-hall/opening?date=2026-02-30")
    assert bad.status_code == 422


def test_the_system_admin_edits_exceptions_in_the_admin_site(hall, county):
    from tests.conftest import login_client

    admin = login_client(county.admin)
    resp = admin.post(
        "/admin/org/openingexception/add/",
        {
            "centre": hall.pk,
            "date": "2026-03-21",
            "kind": "weekend_duty",
            "spans": '[["09:00", "12:00"]]',
            "note": "周末轮值",
        },
    )
    assert resp.status_code == 302, resp.content.decode()[:2000]
    assert opening_for(hall, PLAIN_SATURDAY).hours == [["09:00", "12:00"]]
    bad = admin.post(
        "/admin/org/openingexception/add/",
        {"centre": hall.pk, "date": "2026-03-22", "kind": "extended", "spans": "[]"},
    )
    assert bad.status_code == 200
    assert not OpeningException.objects.filter(date="2026-03-22").exists()
    clerk = login_client(county.clerk)
    assert clerk.get("/admin/org/openingexception/").status_code in (302, 403)
