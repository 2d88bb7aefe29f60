"""The hall opens on a make-up working day (调休上班日) and stays shut on a
holiday falling on a weekday (DOMAIN §5; issue 18, item 1): the kiosk, the
ticket rule and the appointment slots all follow the calendar."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from yichuang.queueing.models import AppointmentSlot, Ticket, TicketEvent

from .test_pages import device_client

pytestmark = pytest.mark.django_db

SH = dt.timezone(dt.timedelta(hours=8))
MAKEUP_SATURDAY_10 = dt.datetime(2026, 2, 14, 10, 0, tzinfo=SH)
HOLIDAY_MONDAY_10 = dt.datetime(2026, 2, 16, 10, 0, tzinfo=SH)


def test_the_kiosk_issues_a_ticket_on_a_make_up_saturday(office_hours, device_token):
    with time_machine.travel(MAKEUP_SATURDAY_10, tick=False):
        client = device_client(device_token("kiosk"), "/kiosk/county-hall")
        resp = client.post("/kiosk/county-hall/issue", {"queue": "general"})
    assert resp.status_code == 201, resp.content.decode()
    ticket = Ticket.objects.get()
    assert ticket.day == dt.date(2026, 2, 14) and ticket.number == "A001"


def test_the_kiosk_refuses_on_a_holiday_monday(office_hours, device_token):
    with time_machine.travel(HOLIDAY_MONDAY_10, tick=False):
        client = device_client(device_token("kiosk"), "/kiosk/county-hall")
        tickets, events = Ticket.objects.count(), TicketEvent.objects.count()
        resp = client.post("/kiosk/county-hall/issue", {"queue": "general"})
    assert resp.status_code == 422
    assert "休息日" in resp.content.decode()
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (tickets, events)


def test_the_api_refuses_on_a_holiday_with_the_calendars_reason(office_hours, api, county):
    with time_machine.travel(HOLIDAY_MONDAY_10, tick=False):
        resp = api(county.clerk).post(
            "/api/v1/centres/county-hall/tickets",
            {"queue": "general", "channel": "counter"},
            content_type="application/json",
        )
    assert resp.status_code == 422
    assert resp.json()["code"] == "queueing.centre_closed"
    assert not Ticket.objects.exists()


def test_slots_exist_on_the_make_up_saturday_and_not_on_the_holiday(office_hours):
    from yichuang.demo.queueing import build_slots

    with time_machine.travel(dt.datetime(2026, 2, 13, 8, 0, tzinfo=SH), tick=False):
        build_slots(days=3)
    days = set(AppointmentSlot.objects.values_list("day", flat=True))
    assert dt.date(2026, 2, 14) in days
    assert dt.date(2026, 2, 15) not in days and dt.date(2026, 2, 16) not in days
    starts = AppointmentSlot.objects.filter(
        queue__centre=office_hours, day=dt.date(2026, 2, 14)
    ).values_list("start", flat=True)
    assert min(starts) == dt.time(8, 30) and max(starts) == dt.time(17, 0)


def test_the_elderly_age_is_60_and_read_from_the_setting(hall, issue, office_hours):
    from yichuang.lib.config import setting_get, setting_set

    assert setting_get("priority.elderly_age") == 60
    at = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SH)
    # born 1966-03-16: 60 on the day; born 1966-03-17: still 59
    sixty = issue(id_number=_id("19660316"), at=at)
    fifty_nine = issue(id_number=_id("19660317"), at=at)
    assert (sixty.priority, fifty_nine.priority) == ("elderly", "normal")
    setting_set(key="priority.elderly_age", value=65)
    assert issue(id_number=_id("19660316"), at=at).priority == "normal"


def _id(birth: str) -> str:
    from yichuang.lib.idnumbers import id_check_char

    first17 = f"110105{birth}002"
    return first17 + id_check_char(first17)


def test_a_slot_on_a_day_closed_later_is_not_booked(office_hours):
    from yichuang.demo.queueing import build_slots
    from yichuang.lib.errors import DomainError
    from yichuang.org.models import OpeningException
    from yichuang.queueing.actions import appointment_book
    from yichuang.queueing.models import Appointment

    now = dt.datetime(2026, 3, 13, 9, 0, tzinfo=SH)
    with time_machine.travel(now, tick=False):
        build_slots(days=2)
    slot = AppointmentSlot.objects.filter(
        queue__centre=office_hours, day=dt.date(2026, 3, 16)
    ).first()
    assert slot is not None
    OpeningException.objects.create(centre=office_hours, date=slot.day, kind="closure")
    with pytest.raises(DomainError) as err:
        appointment_book(slot=slot, phone="13800138000", now=now)
    assert err.value.code == "queueing.centre_closed"
    assert not Appointment.objects.exists()
    slot.refresh_from_db()
    assert slot.booked == 0
