"""The worker marks bookings whose slot ended unchecked as no-shows."""

import datetime as dt

import pytest

from yichuang.lib.management.commands.worker import discover_tasks
from yichuang.queueing.models import Appointment, AppointmentSlot, Queue

pytestmark = pytest.mark.django_db


def test_it_offers_the_no_show_task_to_the_worker():
    assert "queueing.appointment_no_shows" in [name for name, _every, _fn in discover_tasks()]


def test_it_marks_ended_unchecked_bookings_as_no_shows(hall, at10):
    (fn,) = [fn for name, _e, fn in discover_tasks() if name == "queueing.appointment_no_shows"]
    queue = Queue.objects.get(centre=hall, code="social")
    today = at10().date()
    ended = AppointmentSlot.objects.create(
        queue=queue, day=today, start=dt.time(8, 30), end=dt.time(9, 0)
    )
    later = AppointmentSlot.objects.create(
        queue=queue, day=today, start=dt.time(15, 0), end=dt.time(15, 30)
    )
    gone = Appointment.objects.create(slot=ended, phone="13800138000", phone_hash="a")
    checked = Appointment.objects.create(
        slot=ended, phone="13800138001", phone_hash="b", status="checked_in"
    )
    pending = Appointment.objects.create(slot=later, phone="13800138002", phone_hash="c")
    assert fn() == 1
    assert fn() == 0
    statuses = {a.pk: a.status for a in Appointment.objects.all()}
    assert statuses == {gone.pk: "no_show", checked.pk: "checked_in", pending.pk: "booked"}
