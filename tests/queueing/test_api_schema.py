"""The queue's API documents what it answers: every operation declares a schema
for each status it may give, the enumerations in the schemas are the models'
choices, and the answers that bypass ninja's validation (the idempotent steps
and the booking) still have exactly the declared fields, in order."""

from __future__ import annotations

from typing import get_args

import pytest

from yichuang.org.models import Window
from yichuang.queueing import schemas
from yichuang.queueing.models import (
    Appointment,
    AppointmentSlot,
    Channel,
    Priority,
    Queue,
    Ticket,
    TicketEvent,
)

from .conftest import clerk_user, window_of

pytestmark = pytest.mark.django_db


def post(client, path, body=None, **headers):
    return client.post(path, body or {}, content_type="application/json", **headers)


def queue_operations(spec):
    return [
        (f"{method.upper()} {path}", op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if "queue" in op.get("tags", [])
    ]


def test_every_queue_operation_declares_a_schema_for_each_status(client):
    spec = client.get("/api/v1/openapi.json").json()
    operations = queue_operations(spec)
    assert len(operations) == 27
    for name, op in operations:
        responses = op["responses"]
        assert any(s.startswith("2") for s in responses), name
        for status, response in responses.items():
            if status == "204":
                continue
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            assert schema and schema != {"type": "object"}, (name, status)


def test_the_window_and_ticket_steps_keep_their_operation_ids(client):
    spec = client.get("/api/v1/openapi.json").json()
    ids = {name: op["operationId"] for name, op in queue_operations(spec)}
    for step in ("open", "close", "pause", "resume"):
        assert ids[f"POST /api/v1/windows/{{window_id}}/{step}"] == f"window_{step}"
    for step in ("recall", "start", "finish", "no-show"):
        assert ids[f"POST /api/v1/windows/{{window_id}}/{step}"] == (
            f"ticket_{step.replace('-', '_')}"
        )


@pytest.mark.parametrize(
    ("literal", "values"),
    [
        (schemas.TicketStatus, Ticket.Status.values),
        (schemas.TicketPriority, Priority.values),
        (schemas.TicketChannel, Channel.values),
        (schemas.WindowKind, Window.Kind.values),
        (schemas.WindowState, [value for value, _ in Window._meta.get_field("state").choices]),
        (schemas.EventType, TicketEvent.Type.values),
        (schemas.AppointmentStatus, Appointment.Status.values),
    ],
)
def test_the_enumerations_are_the_models_choices(literal, values):
    assert sorted(get_args(literal)) == sorted(values)


def assert_shape(body: dict, schema) -> None:
    assert list(body) == list(schema.model_fields)
    schema.model_validate(body)


def test_the_answers_given_without_validation_have_the_declared_shape(
    api, county, hall, device_token, at10
):
    kiosk = api()
    kiosk.defaults["HTTP_AUTHORIZATION"] = f"Bearer {device_token('kiosk')}"
    clerk = api(clerk_user(1))
    w1 = window_of(hall, 1)

    issued = post(kiosk, "/api/v1/centres/county-hall/tickets", {"queue": "general"})
    assert issued.status_code == 201
    assert_shape(issued.json(), schemas.TicketOut)

    post(clerk, f"/api/v1/windows/{w1.pk}/open")
    called = post(clerk, f"/api/v1/windows/{w1.pk}/call-next", HTTP_IDEMPOTENCY_KEY="k1")
    assert called.status_code == 200
    assert_shape(called.json(), schemas.CallNextOut)
    assert_shape(called.json()["ticket"], schemas.TicketOut)
    replay = post(clerk, f"/api/v1/windows/{w1.pk}/call-next", HTTP_IDEMPOTENCY_KEY="k1")
    assert replay.status_code == 409
    assert replay.json()["code"] == "queueing.replayed"
    assert replay.json()["original"] == called.json()

    for step in ("recall", "start", "finish"):
        resp = post(clerk, f"/api/v1/windows/{w1.pk}/{step}")
        assert resp.status_code == 200, step
        assert_shape(resp.json(), schemas.TicketOut)
    assert post(clerk, f"/api/v1/windows/{w1.pk}/call-next").status_code == 204

    queue = Queue.objects.get(centre=hall, code="general")
    slot = AppointmentSlot.objects.create(
        queue=queue, day=at10().date(), start=at10(-10).time(), end=at10(20).time()
    )
    # booked by staff (a token): no SMS code needed (tests/security/test_anon_appointments.py)
    booked = post(clerk, "/api/v1/appointments", {"slot": slot.pk, "phone": "13800138000"})
    assert booked.status_code == 201
    assert_shape(booked.json(), schemas.AppointmentOut)
    checked_in = post(
        kiosk, "/api/v1/centres/county-hall/check-in", {"code": booked.json()["code"]}
    )
    assert checked_in.status_code == 201
    assert_shape(checked_in.json(), schemas.TicketOut)


def test_the_public_track_leaves_out_the_rating_code_and_first_ask(api, hall, issue):
    ticket = issue("general")
    body = api().get(f"/api/v1/track/{ticket.track_code}").json()
    assert_shape(body, schemas.TrackOut)
    assert "rating_code" not in body and "first_ask" not in body
