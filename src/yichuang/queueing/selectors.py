"""Composed reads of the hall queue for pages and endpoints."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q, QuerySet
from django.utils import timezone

from yichuang.org.models import BusinessLine, Centre, Post, Window
from yichuang.org.opening import Opening, opening_for
from yichuang.org.permissions import holds
from yichuang.org.scopes import staff_of, windows_for

from .actions.closing import closing_at
from .estimates import queue_states
from .models import Queue, QueueAlert, Ticket, TicketEvent, WindowSkill
from .permissions import WINDOW_ROLES, is_director

# Roles that sign in at any window in scope; a plain clerk signs in at his posts' windows.
ANY_WINDOW_ROLES = tuple(r for r in WINDOW_ROLES if r != "clerk")


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


def windows_to_open(user) -> QuerySet[Window]:
    """The windows a user may sign in at, within ``windows_for``: a lead or
    director any active window in scope; a clerk only the windows of the posts
    he holds as A or B (AB岗)."""
    staff = staff_of(user)
    if staff is None or not holds(user, *WINDOW_ROLES):
        return Window.objects.none()
    windows = windows_for(user).filter(is_active=True)
    if holds(user, *ANY_WINDOW_ROLES):
        return windows
    posts = Post.objects.filter(Q(a_staff=staff) | Q(b_staff=staff), window__isnull=False)
    return windows.filter(pk__in=posts.values("window_id"))


def _today_for(staff) -> dict:
    """The clerk's own day: citizens served and the ratings received today."""
    from yichuang.feedback.models import Rating

    start = day_start()
    served = Ticket.objects.filter(clerk=staff, status="done", finished_at__gte=start).count()
    levels = list(
        Rating.objects.filter(clerk=staff, day=start.date(), excluded=False).values_list(
            "level", flat=True
        )
    )
    return {
        "served": served,
        "rated": len(levels),
        "rated_good": sum(1 for v in levels if v >= 4),
        "rated_fair": sum(1 for v in levels if v == 3),
        "rated_bad": sum(1 for v in levels if v <= 2),
    }


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
        desk["choices"] = windows_to_open(user).filter(state="closed").select_related("centre")
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
    desk["today"] = _today_for(staff)
    return desk


def hall_windows(centre) -> tuple[list[Window], dict[int, Ticket], list[TicketEvent]]:
    """A hall's active windows (with their clerks), the ticket at each, and
    today's last ten calls (not those of tickets that expired since: the
    screens never show an expired ticket)."""
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
        )
        .exclude(ticket__status=Ticket.Status.EXPIRED)
        .order_by("-id")[:10]
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


def window_required_lines(window: Window) -> QuerySet[BusinessLine]:
    """The business lines a window requires (docs/domain.md, "Business
    lines"): those of its primary queues — the queues it calls first (the
    lowest skill order it has) — not of the queues it only helps with when
    idle. A comprehensive window requires 综合受理, a 医保 window 医保."""
    first = (
        WindowSkill.objects.filter(window=window, queue__is_active=True)
        .order_by("order")
        .values_list("order", flat=True)
        .first()
    )
    if first is None:
        return BusinessLine.objects.none()
    primary = WindowSkill.objects.filter(window=window, order=first, queue__is_active=True)
    return BusinessLine.objects.filter(queues__in=primary.values("queue")).distinct()


# How far ahead the ticket page looks for the hall's next working day.
NEXT_OPENING_DAYS = 31


def next_opening(centre: Centre, now: dt.datetime | None = None) -> Opening | None:
    """The hours of the next day ``centre`` opens whose closing is still
    ahead of ``now`` (today when it has not closed yet), within a month;
    None when it keeps no hours in that time."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    for _n in range(NEXT_OPENING_DAYS):
        opening = opening_for(centre, day)
        if opening.open and now < closing_at(centre, day, opening):
            return opening
        day += dt.timedelta(days=1)
    return None
