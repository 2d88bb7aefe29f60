"""Issuing tickets: the kiosk, the greeter's desk, phones and appointments."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.config import setting_get
from yichuang.lib.crypto import keyed_hash
from yichuang.lib.errors import Conflict, Unprocessable
from yichuang.lib.idnumbers import age_on, id_birth_date, validate_id_number
from yichuang.org.models import Centre, Device
from yichuang.org.scopes import staff_of

from .. import sql
from ..alerts import alert_check
from ..estimates import QueueState, estimate_minutes, service_minutes_for_issue, serving_windows
from ..events import ticket_event
from ..models import (
    Appointment,
    Channel,
    Priority,
    Queue,
    QueueAlert,
    Ticket,
    TicketEvent,
)
from ..permissions import check_ticket_actor
from .common import PHONE_RE, S, check_centre_open


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


def slot_bounds(queue: Queue, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The time slot of ``queue`` that ``now`` falls in (slots of
    ``slot_minutes`` counted from local midnight)."""
    local = timezone.localtime(now)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    size = max(1, queue.slot_minutes)
    index = int((local - midnight).total_seconds() // 60) // size
    start = midnight + dt.timedelta(minutes=index * size)
    return start, start + dt.timedelta(minutes=size)


def _check_slot_quota(queue: Queue, now: dt.datetime) -> None:
    """Per-time-slot quota: at most ``slot_quota`` numbers per slot (numbers
    taken by transfers and appointments inside their slot don't count)."""
    if not queue.slot_quota:
        return
    start, end = slot_bounds(queue, now)
    taken = Ticket.objects.filter(
        queue=queue,
        day=timezone.localdate(now),
        seq__isnull=False,
        issued_at__gte=start,
        issued_at__lt=end,
    ).exclude(channel=Channel.APPOINTMENT)
    if taken.count() >= queue.slot_quota:
        raise Conflict(
            "queueing.slot_quota_reached",
            _("%(s)s–%(e)s 时段的号已取完（每时段 %(n)d 个），请在 %(e)s 后再来取号或预约办理。")
            % {"s": f"{start:%H:%M}", "e": f"{end:%H:%M}", "n": queue.slot_quota},
            next_slot=f"{end:%H:%M}",
        )


def _validated(priority: str, channel: str, phone: str, id_number: str) -> tuple[str, str]:
    if priority not in Priority.values:
        raise Unprocessable("queueing.bad_priority", _("优先类别不正确。"))
    if channel not in Channel.values:
        raise Unprocessable("queueing.bad_channel", _("取号渠道不正确。"))
    phone = "".join((phone or "").split())
    if phone and not PHONE_RE.match(phone):
        raise Unprocessable("queueing.bad_phone", _("手机号应为 11 位数字。"))
    if id_number:
        id_number = validate_id_number(id_number)
    return phone, id_number


def priority_by_age(priority: str, id_number: str, day: dt.date) -> str:
    """A normal ticket for someone ``priority.elderly_age`` (60 by default,
    DOMAIN §2) or older, by the ID number given, is an elderly one."""
    if priority != Priority.NORMAL or not id_number:
        return priority
    if age_on(id_birth_date(id_number), day) >= int(setting_get("priority.elderly_age")):
        return Priority.ELDERLY
    return priority


@transaction.atomic
def ticket_issue(
    *,
    centre: Centre,
    queue_code: str,
    channel: str,
    priority: str = Priority.NORMAL,
    phone: str = "",
    id_number: str = "",
    actor=None,
    device: Device | None = None,
    appointment: Appointment | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Take the next number in a queue. Raises before writing anything when the
    centre is closed, the queue unknown, its quota reached or the line full,
    or when a staff ``actor`` may not issue in that queue (``permissions``)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    check_centre_open(centre, now)
    phone, id_number = _validated(priority, channel, phone, id_number)
    priority = priority_by_age(priority, id_number, day)
    queue = Queue.objects.filter(centre=centre, code=queue_code, is_active=True).first()
    if queue is None:
        raise Unprocessable(
            "queueing.unknown_queue",
            _("没有这个业务队列：%(q)s") % {"q": queue_code},
            queue=queue_code,
        )
    queue.centre = centre
    if actor is not None:
        check_ticket_actor(actor, queue)  # staff: a ticket role and a line in scope
    # Taking the number locks the (queue, day) counter row until commit, so the
    # checks below see every ticket issued before this one.
    seq = sql.counter_next(centre_id=centre.pk, queue_id=queue.pk, day=day, now=now)
    if queue.daily_quota and seq > queue.daily_quota:
        raise Conflict(
            "queueing.quota_reached",
            _("今日该业务号已取完（每日 %(n)d 个），请改日或预约办理。") % {"n": queue.daily_quota},
        )
    if appointment is None:
        _check_slot_quota(queue, now)
    if queue.max_length:
        waiting = Ticket.objects.filter(queue=queue, day=day, status=S.WAITING).count()
        if waiting >= queue.max_length:
            raise Conflict(
                "queueing.queue_full",
                _("该业务等候人数已满，请稍后再取号或预约办理。"),
                waiting=waiting,
            )

    appt_from = appt_until = None
    if appointment is not None:
        slot, tz = appointment.slot, timezone.get_current_timezone()
        appt_from = dt.datetime.combine(slot.day, slot.start, tzinfo=tz) - dt.timedelta(minutes=15)
        appt_until = dt.datetime.combine(slot.day, slot.end, tzinfo=tz)
    ticket = Ticket(
        centre=centre,
        queue=queue,
        day=day,
        seq=seq,
        number=format_number(queue.prefix, seq),
        status=S.WAITING,
        priority=priority,
        channel=channel,
        phone=phone,
        phone_hash=keyed_hash(phone, "phone") if phone else "",
        id_number=id_number,
        id_hash=keyed_hash(id_number, "id") if id_number else "",
        issued_at=now,
        sort_at=now,
        first_ask=staff_of(actor) if actor is not None else None,
        appointment=appointment,
        appt_from=appt_from,
        appt_until=appt_until,
    )
    ticket.save(force_insert=True)
    ticket_event(
        centre_id=centre.pk,
        type=TicketEvent.Type.ISSUED,
        ticket=ticket,
        new=S.WAITING,
        actor=actor,
        device=device,
        at=now,
        reason=channel,
    )
    state, ahead, alert_id = issue_state(ticket)
    ticket.estimate = (
        ahead,
        estimate_minutes(ahead=ahead, minutes_each=state.minutes_each, windows=state.open_windows),
    )
    # the alert changes only when the line passes its threshold or falls
    # clearly back under it (estimates.RESOLVE_SHARE); otherwise nothing to do
    if alert_id is not None and state.back_under:
        alert_check(queue=queue, now=now, state=state, current=QueueAlert.objects.get(pk=alert_id))
    elif alert_id is None and state.over_threshold:
        alert_check(queue=queue, now=now, state=state)
    return ticket


def issue_state(ticket: Ticket) -> tuple[QueueState, int, int | None]:
    """The queue's state just after ``ticket`` was issued, the people ahead of
    it and the queue's open peak alert (its id): the waiting line in one
    query, the open windows serving the queue and the alert in one each, and
    its recent service times (``service_minutes_for_issue``), which each
    worker reuses for a few seconds."""
    queue, day = ticket.queue, ticket.day
    line = Ticket.objects.filter(queue=queue, day=day, status=S.WAITING).aggregate(
        n=Count("pk"),
        oldest=Min("sort_at"),
        ahead=Count(
            "pk",
            filter=Q(sort_at__lt=ticket.sort_at) | Q(sort_at=ticket.sort_at, pk__lt=ticket.pk),
        ),
    )
    n_open = serving_windows(queue)
    alert_id = (
        QueueAlert.objects.filter(queue=queue, day=day, resolved_at__isnull=True)
        .order_by("-raised_at")
        .values_list("pk", flat=True)
        .first()
    )
    oldest = line["oldest"]
    longest = int((ticket.issued_at - oldest).total_seconds() // 60) if oldest else 0
    return line_state(queue, day, line["n"], n_open, longest), line["ahead"], alert_id


def line_state(
    queue: Queue, day: dt.date, waiting: int, open_windows: int, longest: int = 0
) -> QueueState:
    """The queue's state from its line as just read, with its recent service
    times (``service_minutes_for_issue``): what issuing and calling judge its
    peak alert by."""
    each = service_minutes_for_issue(queue, day)
    return QueueState(
        queue=queue,
        waiting=waiting,
        open_windows=open_windows,
        minutes_each=each,
        estimated_wait_minutes=estimate_minutes(
            ahead=waiting, minutes_each=each, windows=open_windows
        ),
        longest_wait_minutes=longest,
    )
