"""Composed reads of the hall queue for pages and endpoints."""

from __future__ import annotations

from django.utils import timezone

from yichuang.org.models import Window
from yichuang.org.permissions import holds
from yichuang.org.scopes import staff_of, windows_for

from .estimates import queue_states
from .models import Queue, QueueAlert, Ticket, TicketEvent, WindowSkill
from .permissions import WINDOW_ROLES, is_director


def day_start():
    """Local midnight today: the hall's screens show nothing older."""
    return timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)


def signed_in_window(user) -> Window | None:
    """The window the user's staff record is signed in at, if any."""
    staff = staff_of(user)
    if staff is None:
        return None
    return (
        Window.objects.select_related("centre").filter(clerk=staff).exclude(state="closed").first()
    )


def desk_for(user) -> dict:
    """What the clerk's console shows: the window signed in at (or, for a
    role that works windows, the closed windows in scope to open), the lines
    it serves, the ticket at it, the centre's queues to transfer to and its
    open peak alerts."""
    staff = staff_of(user)
    window = signed_in_window(user)
    desk: dict = {"staff": staff, "window": window}
    if window is None:
        desk["may_operate"] = holds(user, *WINDOW_ROLES)
        desk["choices"] = (
            windows_for(user).filter(state="closed", is_active=True).select_related("centre")
            if staff and desk["may_operate"]
            else []
        )
        return desk
    queue_ids = set(WindowSkill.objects.filter(window=window).values_list("queue_id", flat=True))
    desk["states"] = [s for s in queue_states(window.centre) if s.queue.id in queue_ids]
    desk["ticket"] = (
        Ticket.objects.current_at(window)
        .select_related("queue", "first_ask", "transferred_from")
        .first()
    )
    desk["queues"] = Queue.objects.filter(centre=window.centre, is_active=True)
    desk["alerts"] = QueueAlert.objects.filter(
        centre=window.centre, resolved_at__isnull=True
    ).select_related("queue")
    desk["is_director"] = is_director(user)
    return desk


def hall_windows(centre) -> tuple[list[Window], dict[int, Ticket], list[TicketEvent]]:
    """A hall's active windows (with their clerks), the ticket at each, and
    today's last ten calls."""
    windows = list(Window.objects.filter(centre=centre, is_active=True).select_related("clerk"))
    current: dict[int, Ticket] = {}
    for t in Ticket.objects.filter(
        centre=centre, day=timezone.localdate(), status__in=Ticket.ACTIVE
    ).only("id", "number", "status", "window_id"):
        if t.window_id is not None:
            current[t.window_id] = t
    recent = list(
        TicketEvent.objects.filter(
            centre=centre, type__in=("called", "recalled"), at__gte=day_start()
        ).order_by("-id")[:10]
    )
    return windows, current, recent


def queue_codes_by_window(windows) -> dict[int, list[str]]:
    """The codes of the queues each window serves, in skill order."""
    out: dict[int, list[str]] = {}
    for window_id, code in (
        WindowSkill.objects.filter(window__in=windows)
        .order_by("window_id", "order", "queue__sort_order")
        .values_list("window_id", "queue__code")
    ):
        out.setdefault(window_id, []).append(code)
    return out
