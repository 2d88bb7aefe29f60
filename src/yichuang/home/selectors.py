"""What the director's home reads: the halls right now, window by window."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from yichuang.org.models import Centre, Staff, Window
from yichuang.org.selectors import absent_on
from yichuang.queueing.models import QueueAlert, Ticket


def window_status(window: Window, current: Ticket | None) -> str:
    """serving | called | paused | idle (open, nobody at the desk) | closed."""
    if window.state == "closed":
        return "closed"
    if window.state == "paused":
        return "paused"
    if current is None:
        return "idle"
    return "serving" if current.status == Ticket.Status.SERVING else "called"


def _current_tickets(centre_ids: list[int], today: dt.date) -> dict[int, Ticket]:
    return {
        t.window_id: t
        for t in Ticket.objects.filter(
            centre_id__in=centre_ids, day=today, status__in=Ticket.ACTIVE, window__isnull=False
        ).order_by("called_at")
    }


def _queues(centre_ids: list[int], today: dt.date, now: dt.datetime) -> dict[int, list[dict]]:
    """Per centre: each queue with people waiting, their number and the
    longest wait so far (minutes), longest first."""
    out: dict[int, list[dict]] = defaultdict(list)
    rows = (
        Ticket.objects.filter(centre_id__in=centre_ids, day=today, status=Ticket.Status.WAITING)
        .order_by()
        .values("centre_id", "queue_id", "queue__name", "queue__prefix")
        .annotate(n=Count("id"), first=Min("issued_at"))
    )
    for r in rows:
        out[r["centre_id"]].append(
            {
                "name": f"{r['queue__prefix']} {r['queue__name']}",
                "waiting": r["n"],
                "longest_minutes": max(0, int((now - r["first"]).total_seconds() // 60)),
            }
        )
    for queues in out.values():
        queues.sort(key=lambda q: (-q["longest_minutes"], q["name"]))
    return out


def _alerts(centre_ids: list[int], today: dt.date) -> dict[int, list[QueueAlert]]:
    out: dict[int, list[QueueAlert]] = defaultdict(list)
    for alert in (
        QueueAlert.objects.filter(centre_id__in=centre_ids, day=today, resolved_at__isnull=True)
        .select_related("queue")
        .order_by("raised_at")
    ):
        out[alert.centre_id].append(alert)
    return out


def _today_counts(centre_ids: list[int], today: dt.date) -> dict[int, dict[str, int]]:
    out: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for centre, status, n in (
        Ticket.objects.filter(centre_id__in=centre_ids, day=today)
        .exclude(channel="transfer")
        .order_by()
        .values_list("centre_id", "status")
        .annotate(n=Count("id"))
    ):
        out[centre][status] += n
        out[centre]["issued"] += n
    return out


def absent_staff(centres: QuerySet[Centre]) -> dict[int, int]:
    """{centre: staff away today} — people on a dated absence (leave, training,
    trip) or marked out, not closed windows."""
    return dict(
        absent_on(timezone.localdate(), Staff.objects.filter(centre__in=centres))
        .order_by()
        .values("centre_id")
        .annotate(n=Count("id"))
        .values_list("centre_id", "n")
    )


def hall_board(centres: QuerySet[Centre]) -> list[dict[str, Any]]:
    """Each centre now: today's counts, every active window (its ticket, state
    and clerk), the queues with their longest wait, the open peak alerts."""
    now = timezone.now()
    today = timezone.localdate()
    centre_list = list(centres.order_by("kind", "code"))
    ids = [c.id for c in centre_list]
    current = _current_tickets(ids, today)
    queues = _queues(ids, today, now)
    alerts = _alerts(ids, today)
    counts = _today_counts(ids, today)
    absent = absent_staff(centres)
    windows: dict[int, list[dict]] = defaultdict(list)
    for w in (
        Window.objects.filter(centre_id__in=ids, is_active=True)
        .select_related("clerk", "department")
        .order_by("centre_id", "number")
    ):
        ticket = current.get(w.id)
        windows[w.centre_id].append(
            {
                "window": w,
                "status": window_status(w, ticket),
                "ticket": ticket.number if ticket else "",
                "clerk": w.clerk.name if w.clerk_id and w.state != "closed" else "",
                "can_open": w.kind == Window.Kind.FLEXIBLE and w.state == "closed",
            }
        )
    board = []
    for c in centre_list:
        ws = windows.get(c.id, [])
        n = counts.get(c.id, {})
        board.append(
            {
                "centre": c,
                "windows": ws,
                "open_windows": sum(1 for w in ws if w["status"] != "closed"),
                "queues": queues.get(c.id, []),
                "alerts": alerts.get(c.id, []),
                "issued": n.get("issued", 0),
                "waiting": n.get(Ticket.Status.WAITING, 0),
                "done": n.get(Ticket.Status.DONE, 0),
                "absent": absent.get(c.id, 0),
            }
        )
    return board
