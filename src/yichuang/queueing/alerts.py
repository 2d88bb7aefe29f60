"""Peak alerts: when a queue passes its waiting-count or wait-minutes threshold, an
alert is recorded with concrete diversion advice; it resolves itself when the
queue is back under both thresholds. Called inside the issuing and calling
transactions."""

from __future__ import annotations

import datetime as dt

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.org.models import Window

from .estimates import QueueState, clearly_under, queue_states
from .events import ticket_event
from .models import AppointmentSlot, Queue, QueueAlert, Ticket, TicketEvent, WindowSkill


def diversion_advice(state: QueueState, now: dt.datetime) -> dict:
    queue = state.queue
    needed = state.windows_needed()
    flexible = list(
        Window.objects.filter(
            centre_id=queue.centre_id, kind="flexible", is_active=True, state="closed"
        ).values_list("number", flat=True)
    )
    comprehensive = list(
        WindowSkill.objects.filter(
            queue=queue, window__kind="comprehensive", window__is_active=True
        )
        .exclude(window__state="closed")
        .values_list("window__number", flat=True)
    )
    slots = [
        {"day": s.day.isoformat(), "start": s.start.strftime("%H:%M"), "remaining": s.remaining}
        for s in AppointmentSlot.objects.filter(
            queue=queue, day__gte=timezone.localdate(now), booked__lt=F("capacity")
        ).order_by("day", "start")[:3]
    ]
    open_now = flexible[:needed]
    actions = []
    if needed:
        if open_now:
            actions.append(
                _("增开 %(n)d 个弹性窗口（%(w)s 号），可将预计等候降到 %(m)d 分钟以内。")
                % {
                    "n": len(open_now),
                    "w": "、".join(map(str, open_now)),
                    "m": queue.alert_wait_minutes or 30,
                }
            )
        if needed > len(open_now):
            actions.append(
                _("弹性窗口不足，还需从其他窗口调配 %(n)d 名工作人员。")
                % {"n": needed - len(open_now)}
            )
    if comprehensive:
        actions.append(
            _("引导群众到可办理该业务的综合窗口（%(w)s 号）。")
            % {"w": "、".join(map(str, comprehensive))}
        )
    if slots:
        actions.append(
            _("向不急办的群众推荐预约 %(d)s %(t)s 起的时段。")
            % {"d": slots[0]["day"], "t": slots[0]["start"]}
        )
    return {
        "windows_needed": needed,
        "open_flexible": open_now,
        "comprehensive_windows": comprehensive,
        "appointment_slots": slots,
        "actions": actions,
    }


def alert_check(
    *,
    queue: Queue,
    now: dt.datetime | None = None,
    state: QueueState | None = None,
    current: QueueAlert | None = None,
) -> QueueAlert | None:
    """Raise or resolve the queue's alert. ``state`` may be passed when the
    caller has just computed it, and ``current`` when it has read the open alert."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    if current is None:
        current = (
            QueueAlert.objects.filter(queue=queue, day=day, resolved_at__isnull=True)
            .order_by("-raised_at")
            .first()
        )
    if state is None and current is not None and queue.alert_waiting:
        # An open alert stays open while the line is over its count threshold;
        # only when it is not does the estimate decide.
        waiting = Ticket.objects.filter(queue=queue, day=day, status=Ticket.Status.WAITING).count()
        if not clearly_under(waiting, queue.alert_waiting):
            return current
    if state is None:
        state = queue_states(queue.centre_id, [queue])[0]
    if state.over_threshold and current is None:
        advice = diversion_advice(state, now)
        alert = QueueAlert.objects.create(
            centre_id=queue.centre_id,
            queue=queue,
            day=day,
            raised_at=now,
            waiting=state.waiting,
            estimated_wait_minutes=state.estimated_wait_minutes,
            open_windows=state.open_windows,
            windows_needed=advice["windows_needed"],
            advice=advice,
        )
        ticket_event(
            centre_id=queue.centre_id,
            type=TicketEvent.Type.ALERT,
            at=now,
            reason=_("%(q)s 等候 %(n)d 人，预计 %(m)d 分钟")
            % {"q": queue.name, "n": state.waiting, "m": state.estimated_wait_minutes},
        )
        return alert
    if current is not None and state.back_under:
        current.resolved_at = now
        if not current.action_taken:
            current.action_taken = _("等候回落到预警线以下，自动解除。")
        current.save(update_fields=["resolved_at", "action_taken", "updated_at"])
    return current


def alert_resolve_if_open(
    *, queue: Queue, now: dt.datetime, state: QueueState | None = None
) -> None:
    """``alert_check`` on the queue's open alert, if it has one (``state``:
    the queue's state when the caller has just taken it)."""
    day = timezone.localdate(now)
    current = QueueAlert.objects.filter(queue=queue, day=day, resolved_at__isnull=True).first()
    if current is not None:
        alert_check(queue=queue, now=now, state=state, current=current)
