"""What the hall queue's API answers, field by field, in the order the JSON
gives them, and the functions that fill the answers from model instances
(without reading the database). Times are ISO 8601 strings in local time
(``+08:00``), formatted by ``iso`` (``None`` while the step has not happened);
dates are ``YYYY-MM-DD``; clock times of appointment slots are ``HH:MM``.

Some answers are sent as they are built, without ninja's validation (the
idempotent steps, the booking): a test holds them to these schemas."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Literal

from django.utils import timezone
from ninja import Field, Schema

if TYPE_CHECKING:
    from yichuang.org.models import Window

    from .estimates import QueueState
    from .models import Appointment, AppointmentSlot, QueueAlert, Ticket, TicketEvent


def iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value else None


TicketStatus = Literal[
    "waiting", "called", "serving", "done", "no_show", "transferred", "cancelled", "expired"
]
TicketPriority = Literal["normal", "elderly", "disabled", "pregnant", "military", "green"]
TicketChannel = Literal["kiosk", "greeter", "appointment", "mobile", "transfer"]
WindowKind = Literal["comprehensive", "dedicated", "green", "flexible"]
WindowState = Literal["closed", "open", "paused"]
EventType = Literal[
    "issued",
    "called",
    "recalled",
    "started",
    "finished",
    "no_show",
    "rejoined",
    "transferred",
    "cancelled",
    "expired",
    "window_opened",
    "window_closed",
    "window_paused",
    "window_resumed",
    "alert",
]
AppointmentStatus = Literal["booked", "checked_in", "no_show", "cancelled"]


# --- input -------------------------------------------------------------------------


class TicketIn(Schema):
    queue: str
    channel: str = "kiosk"
    priority: str = "normal"
    phone: str | None = None
    id_number: str | None = None


class CheckInIn(Schema):
    code: str


class AlertHandleIn(Schema):
    action: str


class TransferIn(Schema):
    """Either a queue code or a window number of the same centre."""

    queue: str | None = None
    window: int | None = None


class CallSpecificIn(Schema):
    ticket_id: int
    reason: str


class BookIn(Schema):
    slot: int
    phone: str
    code: str | None = Field(
        default=None,
        description="The SMS code of POST /appointments/code; not needed with a staff token.",
    )


class AppointmentCodeOut(Schema):
    phone: str = Field(description="The phone the code went to, masked.")
    expires_in_minutes: int


# --- tickets -----------------------------------------------------------------------


class TrackOut(Schema):
    """A ticket as its QR code shows it to anyone holding it: no rating code and
    nothing about the citizen."""

    id: int
    number: str = Field(description="The number called out, e.g. A001.")
    queue: str = Field(description="The queue's code.")
    queue_name: str
    status: TicketStatus
    priority: TicketPriority
    channel: TicketChannel
    window: int | None = Field(description="The number of the window it is called to.")
    waiting_ahead: int = Field(description="People ahead in line (0 unless waiting).")
    estimated_wait_minutes: int = Field(description="0 unless waiting.")
    issued_at: str
    called_at: str | None
    started_at: str | None
    finished_at: str | None
    track_code: str
    transferred_from: int | None = Field(description="The ticket this one was transferred from.")


class TicketOut(Schema):
    """A ticket as staff and the kiosk see it."""

    id: int
    number: str = Field(description="The number called out, e.g. A001.")
    queue: str = Field(description="The queue's code.")
    queue_name: str
    status: TicketStatus
    priority: TicketPriority
    channel: TicketChannel
    window: int | None = Field(description="The number of the window it is called to.")
    waiting_ahead: int = Field(description="People ahead in line (0 unless waiting).")
    estimated_wait_minutes: int = Field(description="0 unless waiting.")
    issued_at: str
    called_at: str | None
    started_at: str | None
    finished_at: str | None
    track_code: str
    rating_code: str | None = Field(
        description="Set when the service is finished: the code the rating pad and the QR use."
    )
    transferred_from: int | None = Field(description="The ticket this one was transferred from.")
    first_ask: str | None = Field(description="The name of the item asked about first.")


def ticket_out(ticket: Ticket, *, ahead: int = 0, minutes: int = 0) -> dict:
    """A ticket as ``TicketOut``; ``ahead`` and ``minutes`` are its estimate
    (0 unless it waits)."""
    return {
        "id": ticket.pk,
        "number": ticket.number,
        "queue": ticket.queue.code,
        "queue_name": ticket.queue.name,
        "status": ticket.status,
        "priority": ticket.priority,
        "channel": ticket.channel,
        "window": ticket.window.number if ticket.window_id else None,
        "waiting_ahead": ahead,
        "estimated_wait_minutes": minutes,
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "started_at": iso(ticket.started_at),
        "finished_at": iso(ticket.finished_at),
        "track_code": ticket.track_code,
        "rating_code": ticket.rating_code,
        "transferred_from": ticket.transferred_from_id,
        "first_ask": ticket.first_ask.name if ticket.first_ask_id else None,
    }


class CallNextOut(Schema):
    ticket: TicketOut


# --- windows -----------------------------------------------------------------------


class WindowOut(Schema):
    """A window after a clerk's step on it."""

    id: int
    number: int
    name: str
    kind: WindowKind
    state: WindowState
    clerk: str | None = Field(description="The name of the clerk signed in.")


def window_out(window: Window) -> dict:
    return {
        "id": window.pk,
        "number": window.number,
        "name": window.name,
        "kind": window.kind,
        "state": window.state,
        "clerk": window.clerk.name if window.clerk_id else None,
    }


class CentreWindowOut(Schema):
    """A window of a centre with the queues it serves, first-served first."""

    id: int
    number: int
    name: str
    kind: WindowKind
    department: str | None = Field(description="The code of the department it belongs to.")
    queues: list[str]
    state: WindowState
    clerk: str | None = Field(description="The name of the clerk signed in.")


def centre_window_out(window: Window, queues: list[str]) -> dict:
    return {
        "id": window.pk,
        "number": window.number,
        "name": window.name,
        "kind": window.kind,
        "department": window.department.code if window.department_id else None,
        "queues": queues,
        "state": window.state,
        "clerk": window.clerk.name if window.clerk_id else None,
    }


class WindowCurrentOut(Schema):
    window: WindowOut
    ticket: TicketOut | None = Field(description="The ticket called or served there now.")


# --- the hall ----------------------------------------------------------------------


class QueueStateOut(Schema):
    code: str
    name: str
    prefix: str
    waiting: int
    open_windows: int = Field(description="Open windows serving the queue.")
    estimated_wait_minutes: int = Field(description="For a ticket taken now.")
    longest_wait_minutes: int = Field(description="Of the people waiting now.")
    alert: bool = Field(description="Over the queue's peak-alert threshold.")


def queue_state_out(state: QueueState) -> dict:
    return {
        "code": state.queue.code,
        "name": state.queue.name,
        "prefix": state.queue.prefix,
        "waiting": state.waiting,
        "open_windows": state.open_windows,
        "estimated_wait_minutes": state.estimated_wait_minutes,
        "longest_wait_minutes": state.longest_wait_minutes,
        "alert": state.over_threshold,
    }


class QueueOut(QueueStateOut):
    items: list[str] = Field(description="The names of the catalogue items it serves.")


class HallCentreOut(Schema):
    code: str
    name: str
    notice: str = Field(description="The hall's scrolling notice.")


class HallWindowOut(Schema):
    id: int
    number: int
    name: str
    kind: WindowKind
    state: WindowState
    clerk: None = Field(description="Always null: the hall screens do not name the clerk.")
    queues: list[str]
    ticket: str | None = Field(description="The number called or served there now.")
    ticket_status: TicketStatus | None


def hall_window_out(window: Window, queues: list[str], ticket: Ticket | None) -> dict:
    return {
        **window_out(window),
        "clerk": None,
        "queues": queues,
        "ticket": ticket.number if ticket else None,
        "ticket_status": ticket.status if ticket else None,
    }


class RecentCallOut(Schema):
    ticket_number: str
    window_number: int | None
    type: EventType = Field(description="called or recalled.")
    at: str


def recent_call_out(event: TicketEvent) -> dict:
    return {
        "ticket_number": event.ticket_number,
        "window_number": event.window_number,
        "type": event.type,
        "at": iso(event.at),
    }


class HallOut(Schema):
    centre: HallCentreOut
    queues: list[QueueStateOut]
    windows: list[HallWindowOut]
    recent_calls: list[RecentCallOut] = Field(description="Today's last ten calls, newest first.")


class EventOut(Schema):
    id: int
    type: EventType
    ticket_number: str = Field(description="Empty for a window's or an alert's event.")
    window_number: int | None
    at: str


def event_out(event: TicketEvent) -> dict:
    return {
        "id": event.pk,
        "type": event.type,
        "ticket_number": event.ticket_number,
        "window_number": event.window_number,
        "at": iso(event.at),
    }


class FeedOut(Schema):
    cursor: int = Field(description="Pass it as ``after`` on the next poll.")
    events: list[EventOut] = Field(description="Oldest first.")


# --- peak alerts -------------------------------------------------------------------


class AlertOut(Schema):
    id: int
    queue: str
    queue_name: str
    raised_at: str
    waiting: int
    estimated_wait_minutes: int
    windows_needed: int
    advice: dict[str, Any] = Field(
        description=(
            "windows_needed, open_flexible (window numbers), comprehensive_windows, "
            "appointment_slots ({day, start, remaining}) and actions (sentences)."
        )
    )
    resolved_at: str | None
    action_taken: str


def alert_out(alert: QueueAlert) -> dict:
    return {
        "id": alert.pk,
        "queue": alert.queue.code,
        "queue_name": alert.queue.name,
        "raised_at": iso(alert.raised_at),
        "waiting": alert.waiting,
        "estimated_wait_minutes": alert.estimated_wait_minutes,
        "windows_needed": alert.windows_needed,
        "advice": alert.advice,
        "resolved_at": iso(alert.resolved_at),
        "action_taken": alert.action_taken,
    }


class AlertHandledOut(Schema):
    id: int
    resolved_at: str | None
    action_taken: str


def alert_handled_out(alert: QueueAlert) -> dict:
    return {
        "id": alert.pk,
        "resolved_at": iso(alert.resolved_at),
        "action_taken": alert.action_taken,
    }


# --- appointments ------------------------------------------------------------------


class SlotOut(Schema):
    id: int
    queue: str
    queue_name: str
    day: dt.date
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")
    remaining: int


def slot_out(slot: AppointmentSlot) -> dict:
    return {
        "id": slot.pk,
        "queue": slot.queue.code,
        "queue_name": slot.queue.name,
        "day": slot.day.isoformat(),
        "start": slot.start.strftime("%H:%M"),
        "end": slot.end.strftime("%H:%M"),
        "remaining": slot.remaining,
    }


class AppointmentOut(Schema):
    code: str = Field(description="The appointment code to check in with.")
    status: AppointmentStatus
    queue: str
    day: dt.date
    start: str = Field(description="HH:MM")
    end: str = Field(description="HH:MM")


def appointment_out(appointment: Appointment, slot: AppointmentSlot) -> dict:
    return {
        "code": appointment.code,
        "status": appointment.status,
        "queue": slot.queue.code,
        "day": slot.day.isoformat(),
        "start": slot.start.strftime("%H:%M"),
        "end": slot.end.strftime("%H:%M"),
    }
