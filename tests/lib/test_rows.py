"""lib.rows: hand-written SQL must read and write exactly what the ORM does, on
SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from yichuang.lib import rows
from yichuang.org.models import Centre, Window
from yichuang.queueing.models import Queue, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


@pytest.fixture
def queue(county) -> Queue:
    from yichuang.demo.queueing import build_structure

    build_structure()
    return Queue.objects.filter(centre=county.hall).first()


def _field_values(obj) -> dict:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def _new_ticket(queue: Queue, number: str) -> Ticket:
    now = timezone.now().replace(microsecond=123456)
    return Ticket(
        centre_id=queue.centre_id,
        queue=queue,
        day=timezone.localdate(now),
        seq=None,
        number=number,
        status="waiting",
        priority="elderly",
        channel="kiosk",
        issued_at=now,
        sort_at=now - dt.timedelta(minutes=3),
        appt_from=now,
    )


def test_cols_load_equals_the_orm(county):
    window = Window.objects.filter(department__isnull=False).first()
    cols_w, cols_c = rows.Cols(Window, "w"), rows.Cols(Centre, "c")
    row = rows.fetchone(
        f"SELECT {cols_w.sql}, {cols_c.sql} FROM org_window w JOIN org_centre c"
        " ON c.id = w.centre_id WHERE w.id = %s",
        [window.pk],
    )
    loaded = cols_w.load(row)
    centre = cols_c.load(row, cols_w.width)
    assert _field_values(loaded) == _field_values(Window.objects.get(pk=window.pk))
    assert _field_values(centre) == _field_values(Centre.objects.get(pk=window.centre_id))
    assert isinstance(centre.opening_hours, dict)  # JSON decoded as the ORM does
    assert isinstance(loaded.created_at, dt.datetime) and loaded.created_at.tzinfo is not None
    assert not loaded._state.adding


def test_a_missing_left_join_side_loads_as_none(county):
    window = Window.objects.filter(department__isnull=True).first() or Window.objects.first()
    cols_t = rows.Cols(Ticket, "t")
    row = rows.fetchone(
        f"SELECT w.id, {cols_t.sql} FROM org_window w LEFT JOIN queueing_ticket t"
        " ON t.window_id = w.id AND 1 = 0 WHERE w.id = %s",
        [window.pk],
    )
    assert cols_t.load(row, 1) is None


def test_insert_logged_writes_both_rows(queue):
    ticket = _new_ticket(queue, "Z901")
    rows.insert_logged(
        ticket,
        TicketEvent,
        {
            "centre_id": queue.centre_id,
            "type": "issued",
            "old_status": "",
            "new_status": "waiting",
            "actor_id": None,
            "device_id": None,
            "window_id": None,
            "ticket_number": "Z901",
            "window_number": None,
            "reason": "kiosk",
            "at": ticket.issued_at,
        },
        "ticket_id",
    )
    assert ticket.pk and not ticket._state.adding
    stored = Ticket.objects.get(pk=ticket.pk)
    assert _field_values(stored) == _field_values(ticket)
    event = TicketEvent.objects.get(ticket=stored)
    assert (event.type, event.new_status, event.at) == ("issued", "waiting", ticket.issued_at)


def test_update_logged_writes_nothing_when_the_condition_fails(queue):
    ticket = rows.insert_instance(_new_ticket(queue, "Z902"))
    log = {
        "centre_id": queue.centre_id,
        "type": "called",
        "old_status": "waiting",
        "new_status": "called",
        "ticket_number": "Z902",
        "reason": "",
        "at": timezone.now(),
    }
    done = rows.update_logged(
        Ticket,
        ticket.pk,
        {"status": "called"},
        TicketEvent,
        log,
        "ticket_id",
        where="status = %s",
        where_params=["serving"],
    )
    assert done is False
    assert Ticket.objects.get(pk=ticket.pk).status == "waiting"
    assert not TicketEvent.objects.filter(ticket_id=ticket.pk).exists()
    done = rows.update_logged(
        Ticket,
        ticket.pk,
        {"status": "called"},
        TicketEvent,
        log,
        "ticket_id",
        where="status = %s",
        where_params=["waiting"],
    )
    assert done is True
    assert Ticket.objects.get(pk=ticket.pk).status == "called"
    assert TicketEvent.objects.get(ticket_id=ticket.pk).type == "called"


def test_seconds_between_and_convert(queue):
    ticket = _new_ticket(queue, "Z903")
    ticket.called_at = ticket.issued_at
    ticket.finished_at = ticket.issued_at + dt.timedelta(minutes=7, seconds=30)
    rows.insert_instance(ticket)
    secs, called = rows.fetchone(
        f"SELECT {rows.seconds_between('called_at', 'finished_at')}, called_at"
        " FROM queueing_ticket WHERE id = %s",
        [ticket.pk],
    )
    assert float(secs) == pytest.approx(450, abs=0.01)
    assert rows.convert(Ticket, "called_at", called) == ticket.called_at
    assert rows.convert(Ticket, "called_at", None) is None


def test_a_loaded_ticket_behaves_as_the_orms(queue):
    """Cols.load builds instances without Model.__init__: the instance must be
    the ORM's in every way a caller relies on (values, saved state, related
    objects, save() as an UPDATE, refresh)."""
    ticket = rows.insert_instance(_new_ticket(queue, "Z904"))
    cols = rows.Cols(Ticket, "t")
    loaded = cols.load(
        rows.fetchone(f"SELECT {cols.sql} FROM queueing_ticket t WHERE t.id = %s", [ticket.pk])
    )
    orm = Ticket.objects.get(pk=ticket.pk)
    assert type(loaded) is Ticket
    assert _field_values(loaded) == _field_values(orm)
    assert loaded == orm and not loaded._state.adding and loaded._state.db == "default"
    assert loaded.queue == queue  # a foreign key resolves
    loaded.status = "cancelled"
    loaded.save(update_fields=["status"])
    assert Ticket.objects.count() == Ticket.objects.filter(pk__lte=ticket.pk).count()
    assert Ticket.objects.get(pk=ticket.pk).status == "cancelled"
    loaded.status = "waiting"
    loaded.refresh_from_db()
    assert loaded.status == "cancelled"


def test_a_model_with_an_init_listener_is_loaded_through_the_orm(county):
    from django.db.models.signals import post_init

    seen: list[int] = []

    def listener(sender, instance, **kwargs):
        seen.append(instance.pk)

    window = Window.objects.first()
    post_init.connect(listener, sender=Window)
    try:
        cols = rows.Cols(Window, "w")
        loaded = cols.load(
            rows.fetchone(f"SELECT {cols.sql} FROM org_window w WHERE w.id = %s", [window.pk])
        )
    finally:
        post_init.disconnect(listener, sender=Window)
    assert loaded == window
    assert seen == [window.pk]
