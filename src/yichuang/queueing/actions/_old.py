"""Everything that changes the hall queue. Each function is one transaction and
writes a TicketEvent for every state change; SMS goes out after commit.

Concurrency (CONTRACT: a ticket is called by at most one window; numbers are
unique; nothing issued is lost):

* numbers come from a per-(queue, day) ``QueueCounter`` row locked while the
  number is taken;
* a window is locked (``SELECT … FOR UPDATE``) while it calls, so one window
  never holds two tickets;
* the next ticket is chosen with ``SELECT … FOR UPDATE SKIP LOCKED`` on
  PostgreSQL, so two windows calling at once take different tickets without
  waiting on each other, and is then moved with a conditional UPDATE
  (``status = 'waiting'``) as a second guard;
* on SQLite every write transaction starts ``IMMEDIATE`` (settings), which
  serialises writers.

The calling rule is documented in docs/queueing.md §Fair calling.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable
from typing import NamedTuple, NoReturn

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib import rows
from yichuang.lib.audit import audit_record
from yichuang.lib.crypto import keyed_hash
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.lib.idnumbers import validate_id_number
from yichuang.lib.sms import sms_send
from yichuang.org.models import Centre, Device, Staff, Window
from yichuang.org.scopes import staff_of, window_not_found, window_scope_sql

from .estimates import (
    QueueState,
    estimate_minutes,
    service_minutes_for_issue,
)
from .models import (
    Appointment,
    Channel,
    Priority,
    Queue,
    QueueAlert,
    QueueCounter,
    Ticket,
    TicketEvent,
    WindowSkill,
    new_code,
    new_short_code,
)

S = Ticket.Status
E = TicketEvent.Type

# The hot paths (issue, call, finish) read and write through hand-written SQL
# (lib/rows.py says why); these are their column lists.
_T, _Q, _FA = rows.Cols(Ticket, "t"), rows.Cols(Queue, "q"), rows.Cols(Staff, "fa")
_WIN = rows.Cols(Window, "w")
T_TABLE, Q_TABLE = Ticket._meta.db_table, Queue._meta.db_table
E_TABLE, W_TABLE = TicketEvent._meta.db_table, Window._meta.db_table
SKILL_TABLE, STAFF_TABLE = WindowSkill._meta.db_table, Staff._meta.db_table
ACTIVE_SQL = "('called', 'serving')"
TICKET_SELECT = (
    f"SELECT {_T.sql}, {_Q.sql}, {_FA.sql} FROM {T_TABLE} t JOIN {Q_TABLE} q ON q.id = t.queue_id"
    f" LEFT JOIN {STAFF_TABLE} fa ON fa.id = t.first_ask_id"
)
PHONE_RE = re.compile(r"^1\d{10}$")
SMS_PLACES_AHEAD = 3
DIRECTOR_ROLES = (Role.CENTRE_DIRECTOR, Role.COUNTY_ADMIN, Role.SYSTEM_ADMIN)


# --- helpers --------------------------------------------------------------------------


def _event_values(
    *,
    centre_id: int,
    type: str,
    ticket: Ticket | None = None,
    old: str = "",
    new: str = "",
    actor=None,
    device: Device | None = None,
    window: Window | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> dict:
    """The columns of a TicketEvent, but for its ticket id."""
    return {
        "centre_id": centre_id,
        "type": type,
        "old_status": old,
        "new_status": new,
        "actor_id": actor.pk if actor is not None and getattr(actor, "pk", None) else None,
        "device_id": device.pk if device else None,
        "window_id": window.pk if window else None,
        "ticket_number": ticket.number if ticket else "",
        "window_number": window.number if window else None,
        "reason": reason[:200],
        "at": at or timezone.now(),
    }


def _event(*, ticket: Ticket | None = None, **kwargs) -> int:
    """Append a TicketEvent (one INSERT); returns its id."""
    values = _event_values(ticket=ticket, **kwargs)
    return rows.insert(TicketEvent, {**values, "ticket_id": ticket.pk if ticket else None})


def _ticket_row(row, start: int = 0) -> Ticket:
    """A ticket read with its queue and first-ask clerk (``_T, _Q, _FA``)."""
    ticket = _T.load(row, start)
    assert ticket is not None
    ticket.queue = _Q.load(row, start + _T.width)  # type: ignore[assignment]
    ticket.first_ask = _FA.load(row, start + _T.width + _Q.width)
    return ticket


def _ticket_change(
    ticket: Ticket, fields: list[str], event: dict, *, status: str, now: dt.datetime
) -> bool:
    """Write ``fields`` of ``ticket`` (and ``updated_at``) and its event (the
    keyword arguments of ``_event_values``) together, one statement on
    PostgreSQL, if the ticket's status in the database is still ``status``.
    Returns False, writing nothing, when it is not."""
    ticket.updated_at = now
    return rows.update_logged(
        Ticket,
        ticket.pk,
        {f: getattr(ticket, f) for f in [*fields, "updated_at"]},
        TicketEvent,
        _event_values(ticket=ticket, at=now, **event),
        "ticket_id",
        where="status = %s",
        where_params=[status],
    )


def _window_step(
    ticket: Ticket,
    window: Window,
    actor,
    now: dt.datetime,
    *,
    fields: list[str],
    type: str,
    old: str,
    new: str,
) -> Ticket:
    """A clerk's step on the ticket at the window: its ``fields`` and the event,
    written if the ticket is still ``old``; 409 if it moved meanwhile."""
    event = {"centre_id": window.centre_id, "type": type, "old": old, "new": new}
    if not _ticket_change(
        ticket, fields, {**event, "actor": actor, "window": window}, status=old, now=now
    ):
        _no_current_ticket()
    return ticket


def _no_current_ticket() -> NoReturn:
    raise Conflict("queue.no_current_ticket", _("该窗口当前没有正在叫号或办理的号。"))


def _is_director(user) -> bool:
    return bool(user is not None and (user.is_superuser or user.has_role(*DIRECTOR_ROLES)))


def _staff(user) -> Staff:
    staff = staff_of(user)
    if staff is None:
        raise Forbidden("queue.not_staff", _("只有工作人员可以操作窗口。"))
    return staff


def _with_centre(loaded: Window, window: Window) -> Window:
    """``loaded`` (the window as just read) keeps the centre ``window`` carried."""
    if "centre" in window._state.fields_cache:
        loaded.centre = window.centre
    return loaded


def _locked_window(window: Window) -> Window:
    """Lock the window row only (``FOR NO KEY UPDATE OF`` the window).

    Not ``FOR UPDATE`` and not joined to the centre: a plain ``FOR UPDATE``
    through ``select_related("centre")`` also locked the centre row, and every
    ticket or event insert takes a ``FOR KEY SHARE`` lock on its centre (the
    foreign key check), so one window calling stalled every kiosk and window of
    the centre. ``NO KEY UPDATE`` still excludes other writers of this window
    but lets rows that merely reference it be inserted."""
    row = rows.fetchone(
        f"SELECT {_WIN.sql} FROM {W_TABLE} w WHERE w.id = %s{rows.lock_clause('w')}", [window.pk]
    )
    if row is None:
        window_not_found()
    locked = _WIN.load(row)
    assert locked is not None
    _with_centre(locked, window)
    return locked


def _lock_current(window: Window, actor) -> tuple[Window, Ticket | None]:
    """Lock the window (as ``_locked_window``) if it lies in the actor's scope
    (404 otherwise, ``org.scopes``) and read the ticket at it, with its queue
    and first-ask clerk (or None), in one query. The ticket row itself is not
    locked: every change of a called or serving ticket holds its window's
    lock, and the write checks the status it read."""
    joins, where, scope_params = window_scope_sql(actor)
    row = rows.fetchone(
        f"SELECT {_WIN.sql}, {_T.sql}, {_Q.sql}, {_FA.sql} FROM {W_TABLE} w"
        f" LEFT JOIN {T_TABLE} t ON t.id = (SELECT c.id FROM {T_TABLE} c WHERE c.window_id = w.id"
        f"  AND c.status IN {ACTIVE_SQL} ORDER BY c.called_at DESC LIMIT 1)"
        f" LEFT JOIN {Q_TABLE} q ON q.id = t.queue_id"
        f" LEFT JOIN {STAFF_TABLE} fa ON fa.id = t.first_ask_id{joins}"
        f" WHERE w.id = %s AND {where}{rows.lock_clause('w')}",
        [window.pk, *scope_params],
    )
    if row is None:
        window_not_found()
    locked = _WIN.load(row)
    assert locked is not None
    _with_centre(locked, window)
    if row[_WIN.width] is None:
        return locked, None
    ticket = _ticket_row(row, _WIN.width)
    ticket.window = locked
    return locked, ticket


def _check_operator(window: Window, user) -> Staff:
    """The clerk signed in at the window may work it; a director may too."""
    staff = _staff(user)
    if window.clerk_id not in (None, staff.pk) and not _is_director(user):
        raise Forbidden("queue.not_your_window", _("该窗口由其他工作人员登录，您不能操作。"))
    return staff


def _current(window: Window) -> Ticket | None:
    row = rows.fetchone(
        f"{TICKET_SELECT} WHERE t.window_id = %s AND t.status IN {ACTIVE_SQL}"
        f" ORDER BY t.called_at DESC LIMIT 1{rows.lock_clause('t')}",
        [window.pk],
    )
    if row is None:
        return None
    ticket = _ticket_row(row)
    ticket.window = window
    return ticket


def _need(ticket: Ticket | None) -> Ticket:
    if ticket is None:
        _no_current_ticket()
    return ticket


def _require_current(window: Window) -> Ticket:
    return _need(_current(window))


def _require_open(window: Window) -> None:
    if window.state == "paused":
        raise Conflict("queue.window_paused", _("窗口已暂停，请先恢复。"))
    if window.state != "open":
        raise Conflict("queue.window_not_open", _("窗口尚未开窗，请先登录开窗。"))


def _check_centre_open(centre: Centre, now: dt.datetime) -> None:
    if not centre.is_active:
        raise Unprocessable("queue.centre_closed", _("该服务中心已停用。"))
    if centre.always_open:
        return
    from yichuang.org.calendar import is_workday

    if not is_workday(timezone.localdate(now)):
        raise Unprocessable("queue.centre_closed", _("今天是休息日，服务中心不办公。"))
    if not centre.is_open_at(now):
        raise Unprocessable("queue.out_of_hours", _("现在不在办公时间内，请在办公时间前来取号。"))


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
            "queue.slot_quota_reached",
            _("%(s)s–%(e)s 时段的号已取完（每时段 %(n)d 个），请在 %(e)s 后再来取号或预约办理。")
            % {"s": f"{start:%H:%M}", "e": f"{end:%H:%M}", "n": queue.slot_quota},
            next_slot=f"{end:%H:%M}",
        )


def format_number(prefix: str, seq: int) -> str:
    return f"{prefix}{seq:03d}"


# --- issuing --------------------------------------------------------------------------


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
    centre is closed, the queue unknown, its quota reached or the line full."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    _check_centre_open(centre, now)
    if priority not in Priority.values:
        raise Unprocessable("queue.bad_priority", _("优先类别不正确。"))
    if channel not in Channel.values:
        raise Unprocessable("queue.bad_channel", _("取号渠道不正确。"))
    phone = "".join((phone or "").split())
    if phone and not PHONE_RE.match(phone):
        raise Unprocessable("queue.bad_phone", _("手机号应为 11 位数字。"))
    if id_number:
        id_number = validate_id_number(id_number)

    # Taking the number locks the (queue, day) counter row until commit, so the
    # checks below see every ticket issued before this one.
    queue, seq = _queue_and_number(centre, queue_code, day, now)
    queue.centre = centre
    if queue.daily_quota and seq > queue.daily_quota:
        raise Conflict(
            "queue.quota_reached",
            _("今日该业务号已取完（每日 %(n)d 个），请改日或预约办理。") % {"n": queue.daily_quota},
        )
    if appointment is None:
        _check_slot_quota(queue, now)
    if queue.max_length:
        waiting = Ticket.objects.filter(queue=queue, day=day, status=S.WAITING).count()
        if waiting >= queue.max_length:
            raise Conflict(
                "queue.queue_full",
                _("该业务等候人数已满，请稍后再取号或预约办理。"),
                waiting=waiting,
            )

    slot = appointment.slot if appointment else None
    appt_from = appt_until = None
    if slot is not None:
        tz = timezone.get_current_timezone()
        appt_from = dt.datetime.combine(slot.day, slot.start, tzinfo=tz) - dt.timedelta(minutes=15)
        appt_until = dt.datetime.combine(slot.day, slot.end, tzinfo=tz)
    staff = staff_of(actor) if actor is not None else None
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
        first_ask=staff,
        appointment=appointment,
        appt_from=appt_from,
        appt_until=appt_until,
        created_at=now,
        updated_at=now,
    )
    rows.insert_logged(
        ticket,
        TicketEvent,
        _event_values(
            centre_id=centre.pk,
            type=E.ISSUED,
            ticket=ticket,
            new=S.WAITING,
            actor=actor,
            device=device,
            at=now,
            reason=channel,
        ),
        "ticket_id",
    )
    from .alerts import alert_check

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


def _queue_and_number(
    centre: Centre, queue_code: str, day: dt.date, now: dt.datetime
) -> tuple[Queue, int]:
    """The centre's active queue ``queue_code`` and its next number of the day,
    taken by an upsert that creates the (queue, day) counter row or increments
    it and keeps it locked until commit. One statement on PostgreSQL, the read
    and then the upsert elsewhere. An unknown queue changes nothing (422)."""
    table = QueueCounter._meta.db_table
    upsert = (
        f" ON CONFLICT (queue_id, day) DO UPDATE SET last_seq = {table}.last_seq + 1,"
        " updated_at = excluded.updated_at RETURNING last_seq"
    )
    find = (
        f"SELECT {_Q.sql} FROM {Q_TABLE} q WHERE q.centre_id = %s AND q.code = %s AND q.is_active"
    )
    queue: Queue | None
    if connection.vendor == "postgresql":
        row = rows.fetchone(
            f"WITH q AS ({find}), n AS (INSERT INTO {table}"
            " (centre_id, queue_id, day, last_seq, created_at, updated_at)"
            f" SELECT q.centre_id, q.id, %s, 1, %s, %s FROM q{upsert})"
            " SELECT q.*, (SELECT last_seq FROM n) FROM q",
            [centre.pk, queue_code, day, now, now],
        )
        queue = _Q.load(row) if row else None
        seq = int(row[_Q.width]) if row else 0
    else:
        row = rows.fetchone(find, [centre.pk, queue_code])
        queue = _Q.load(row) if row else None
        if queue is not None:
            seq = int(
                rows.fetchone(
                    f"INSERT INTO {table} (centre_id, queue_id, day, last_seq, created_at,"
                    f" updated_at) VALUES (%s, %s, %s, 1, %s, %s){upsert}",
                    [centre.pk, queue.pk, day, now, now],
                )[0]  # type: ignore[index]
            )
    if queue is None:
        raise Unprocessable(
            "queue.unknown_queue",
            _("没有这个业务队列：%(q)s") % {"q": queue_code},
            queue=queue_code,
        )
    return queue, seq


def issue_state(ticket: Ticket) -> tuple[QueueState, int, int | None]:
    """The queue's state just after ``ticket`` was issued, the people ahead of
    it and the queue's open peak alert (its id), in two queries: the waiting
    line, the open windows serving the queue and the alert in one; its recent
    service times (``service_minutes_for_issue``, docs/queueing.md §Estimates)
    in the other, which each worker reuses for a few seconds.

    Two, not one: PostgreSQL plans the first once per connection (a generic
    plan, the same for every queue and day), while the second's best plan
    depends on how many tickets the day has finished, so it is planned on every
    run; together they made one statement that was planned every time, and the
    planning cost more than the reads."""
    queue = ticket.queue
    n, oldest, ahead, n_open, alert_id = rows.fetchone(
        "SELECT count(*), min(t.sort_at),"
        " coalesce(sum(CASE WHEN t.sort_at < %s OR (t.sort_at = %s AND t.id < %s)"
        "  THEN 1 ELSE 0 END), 0),"
        f" (SELECT count(*) FROM {SKILL_TABLE} s JOIN {W_TABLE} w ON w.id = s.window_id"
        "   WHERE s.queue_id = %s AND w.state = 'open' AND w.is_active),"
        f" (SELECT a.id FROM {QueueAlert._meta.db_table} a WHERE a.queue_id = %s AND a.day = %s"
        "   AND a.resolved_at IS NULL ORDER BY a.raised_at DESC LIMIT 1)"
        f" FROM {T_TABLE} t WHERE t.queue_id = %s AND t.day = %s AND t.status = 'waiting'",
        [
            ticket.sort_at,
            ticket.sort_at,
            ticket.pk,
            queue.pk,
            queue.pk,
            ticket.day,
            queue.pk,
            ticket.day,
        ],
    ) or (0, None, 0, 0, None)
    oldest = rows.convert(Ticket, "sort_at", oldest)
    longest = int((ticket.issued_at - oldest).total_seconds() // 60) if oldest else 0
    return _line_state(queue, ticket.day, n, n_open, longest), int(ahead), alert_id


def _line_state(
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


# --- calling --------------------------------------------------------------------------


def _recent_calls(window: Window, n: int) -> list[str]:
    """The priority classes of the window's last ``n`` calls, newest first."""
    if n <= 0:
        return []
    return [
        p
        for (p,) in rows.fetchall(
            f"SELECT t.priority FROM {E_TABLE} e LEFT JOIN {T_TABLE} t ON t.id = e.ticket_id"
            " WHERE e.window_id = %s AND e.type = 'called'"
            f" ORDER BY e.id DESC LIMIT {int(n)}",  # a constant, so one plan per n
            [window.pk],
        )
    ]


class SkillQueue(NamedTuple):
    """What the calling rule needs of a queue a window serves."""

    pk: int
    interleave_ratio: int
    ageing_minutes: int


SKILL_COLS = 's."order", q.id, q.interleave_ratio, q.ageing_minutes'


def _tiers(found) -> list[list[SkillQueue]]:
    """Rows of ``SKILL_COLS`` (a NULL queue skipped) grouped by skill tier (its
    ``order``), first tier first."""
    tiers: dict[int, list[SkillQueue]] = {}
    for order, *queue in found:
        if queue[0] is not None:
            tiers.setdefault(order, []).append(SkillQueue(*queue))
    return [tiers[k] for k in sorted(tiers)]


def _window_queues(window: Window) -> list[list[SkillQueue]]:
    """The window's active queues grouped by skill tier."""
    return _tiers(
        rows.fetchall(
            f"SELECT {SKILL_COLS} FROM {SKILL_TABLE} s JOIN {Q_TABLE} q ON q.id = s.queue_id"
            ' WHERE s.window_id = %s AND q.is_active ORDER BY s."order", s.queue_id',
            [window.pk],
        )
    )


def _priority_turn(recent: list[str], ratio: int) -> bool:
    """True when the window has called ``ratio`` normal tickets in a row."""
    if ratio == 0:
        return True
    last = recent[:ratio]
    return len(last) == ratio and all(p == Priority.NORMAL for p in last)


def pick_next(
    window: Window,
    now: dt.datetime,
    tiers: list[list[SkillQueue]] | None = None,
    recent: list[str] | None = None,
) -> Ticket | None:
    """The ticket the fair-calling rule gives this window now (locked), or None.

    One query: every waiting ticket the window may take is ranked by (skill tier,
    rule rank, place in line), where the rule rank is 0 for an appointment inside
    its time window, 1 for a normal ticket aged past its queue's limit, 2 for the
    class whose turn it is by the interleave ratio and 3 for the other class
    (docs/queueing.md §Fair calling). The first row is locked with ``SKIP
    LOCKED``, so concurrent windows take different tickets without waiting.
    The ticket carries ``front_of_line`` (while its queue has an open peak
    alert, the others waiting in its line and the open windows serving it; the
    front of its line), read with it, for ``_call``, except from the rare
    whole-line ranking."""
    ordered = (_window_queues(window) if tiers is None else tiers) or [[]]
    ratios = [min(q.interleave_ratio for q in queues) if queues else 2 for queues in ordered]
    if recent is None or (max(ratios) > len(recent) == RECENT_PREFETCH):
        recent = _recent_calls(window, max(ratios))

    all_ids = [q.pk for queues in ordered for q in queues]
    day = timezone.localdate(now)
    turns = [_priority_turn(recent, ratio) for ratio in ratios]
    # Ranked first among the few tickets that can win (``_pick_candidates``),
    # so the pick costs the same with 5 or 5,000 people waiting; the whole line
    # only when every one of those is being called by another window right now.
    # The candidates carry the columns the rule ranks by, so they are sorted
    # before any ticket row is touched; the rows are then locked in that order
    # until one is free (``SKIP LOCKED``), usually the first. The status test
    # on ``t`` is written so that no index can serve it: the candidates must
    # drive the join (statistics taken when nobody waited, in the morning,
    # otherwise make the planner scan the waiting line). The winner's whole row
    # is read last, once.
    candidates, candidate_params = _pick_candidates(window, all_ids, day, now)
    rank, rank_params = _rank_order("cand", ordered, turns, window, now)
    # The same statement reads the front of the winner's line and whether its
    # queue has an open peak alert, for ``_call`` (SMS, alert).
    winners_queue = f"(SELECT p.queue_id FROM {T_TABLE} p JOIN pick ON pick.id = p.id)"
    found = rows.fetchall(
        f"WITH cand AS MATERIALIZED ({candidates}), pick AS MATERIALIZED (SELECT t.id"
        f" FROM cand JOIN {T_TABLE} t ON t.id = cand.id WHERE COALESCE(t.status, '') = 'waiting'"
        f" ORDER BY {rank} LIMIT 1{rows.lock_clause('t', skip_locked=True)}),"
        f" front AS ({FRONT_SQL.format(queue=winners_queue)}),"
        # once, not once for every row of the front of the line
        " alert AS MATERIALIZED (SELECT"
        f" {UNDER_ALERT_SQL.format(queue='p.queue_id', ticket='p.id')}"
        f" FROM pick JOIN {T_TABLE} p ON p.id = pick.id)"
        f" SELECT {_T.sql}, {_Q.sql}, {_FA.sql}, al.others, al.open_windows,"
        " fr.id, fr.sms_sent, fr.phone_hash"
        f" FROM {T_TABLE} t JOIN {Q_TABLE} q ON q.id = t.queue_id"
        f" LEFT JOIN {STAFF_TABLE} fa ON fa.id = t.first_ask_id JOIN pick ON pick.id = t.id"
        " CROSS JOIN alert al LEFT JOIN front fr ON 1 = 1 ORDER BY fr.sort_at, fr.id",
        [*candidate_params, *rank_params, day, day, day, day],
    )
    if found:
        width = _T.width + _Q.width + _FA.width
        ticket = _ticket_row(found[0])
        ticket.front_of_line = (  # type: ignore[attr-defined]
            found[0][width],
            found[0][width + 1],
            [r[width + 2 :] for r in found if r[width + 2] is not None],
        )
        return ticket
    rank, rank_params = _rank_order("t", ordered, turns, window, now)
    all_sql, all_params = rows.in_ids("t.queue_id", all_ids)
    row = rows.fetchone(
        f"{TICKET_SELECT} WHERE t.centre_id = %s AND t.day = %s AND t.status = 'waiting'"
        f" AND (t.target_window_id = %s OR ({all_sql} AND t.target_window_id IS NULL))"
        f" ORDER BY {rank} LIMIT 1{rows.lock_clause('t', skip_locked=True)}",
        [window.centre_id, day, window.pk, *all_params, *rank_params],
    )
    return _ticket_row(row) if row else None


def _rank_order(
    a: str, ordered: list[list[SkillQueue]], turns: list[bool], window: Window, now: dt.datetime
) -> tuple[str, list]:
    """The calling rule as an ORDER BY over the ticket columns of alias ``a``
    (``pick_next``): skill tier, rule rank, place in line. ``turns[i]`` says
    whether it is the priority classes' turn in tier ``i``.

    Ids and times are parameters, never spliced in: the statement's text is
    then the same for every window with the same shape of skills, so each
    connection prepares it once (settings: YICHUANG_DB_PREPARED)."""
    tier_sql, rank_sql = [], []
    tier_params: list = []
    rank_params: list = []
    for i, queues in enumerate(ordered):
        ids_sql, ids = rows.in_ids(f"{a}.queue_id", [q.pk for q in queues])
        tier_q = f"({ids_sql} AND {a}.target_window_id IS NULL"
        tier_q += f" OR {a}.target_window_id = %s)" if i == 0 else ")"
        tq_params = [*ids, window.pk] if i == 0 else ids
        tier_sql.append(f"WHEN {tier_q} THEN {i}")
        tier_params += tq_params
        aged = [q for q in queues if q.ageing_minutes]
        if aged:
            cond = " OR ".join(f"({a}.queue_id = %s AND {a}.sort_at <= %s)" for _q in aged)
            rank_sql.append(f"WHEN {tier_q} AND {a}.priority = 'normal' AND ({cond}) THEN 1")
            rank_params += tq_params
            for q in aged:
                rank_params += [q.pk, now - dt.timedelta(minutes=q.ageing_minutes)]
        op = "<>" if turns[i] else "="
        rank_sql.append(f"WHEN {tier_q} AND {a}.priority {op} 'normal' THEN 2")
        rank_params += tq_params
    order = (
        f"CASE {' '.join(tier_sql)} ELSE {len(ordered)} END,"
        f" CASE WHEN {a}.appt_from <= %s AND {a}.appt_until >= %s THEN 0"
        f" {' '.join(rank_sql)} ELSE 3 END, {a}.sort_at, {a}.id"
    )
    return order, [*tier_params, now, now, *rank_params]


PICK_CANDIDATES = 8
CAND_COLS = "c.id, c.queue_id, c.target_window_id, c.priority, c.sort_at, c.appt_from, c.appt_until"
# how many of a window's last calls ``ticket_call_next`` reads with its first
# query (interleave ratios above this read them again under the lock)
RECENT_PREFETCH = 8


def _pick_candidates(
    window: Window, queue_ids: list[int], day: dt.date, now: dt.datetime
) -> tuple[str, list]:
    """SQL for the tickets that can come first by the calling rule (the
    columns ``_rank_order`` ranks by, ``CAND_COLS``):
    in each queue, the first PICK_CANDIDATES normal tickets and the first
    PICK_CANDIDATES of the priority classes (within a queue and a class the
    earliest always ranks first: ageing only lifts the earliest higher), the
    tickets sent to this window, and the appointments inside their time
    window. Each part is an ordered scan of a small partial index."""
    front = (
        f"SELECT {CAND_COLS} FROM {T_TABLE} c WHERE c.queue_id = {{qid}} AND c.day = %s"
        " AND c.status = 'waiting' AND c.target_window_id IS NULL AND {cls}"
        f" ORDER BY c.sort_at, c.id LIMIT {PICK_CANDIDATES}"
    )
    classes = ("c.priority = 'normal'", "NOT (c.priority = 'normal')")
    parts, params = [], []
    for qid in queue_ids:
        for cls in classes:
            parts.append(f"SELECT x.* FROM ({front.format(qid='%s', cls=cls)}) AS x")
            params += [qid, day]
    parts.append(
        f"SELECT {CAND_COLS} FROM {T_TABLE} c WHERE c.target_window_id = %s"
        " AND c.day = %s AND c.status = 'waiting'"
    )
    params += [window.pk, day]
    if queue_ids:
        parts.append(
            f"SELECT {CAND_COLS} FROM {T_TABLE} c WHERE c.queue_id IN"
            f" ({', '.join(['%s'] * len(queue_ids))}) AND c.day = %s"
            " AND c.status = 'waiting' AND c.appt_until IS NOT NULL"
            " AND c.appt_from <= %s AND c.appt_until >= %s"
        )
        params += [*queue_ids, day, now, now]
    return " UNION ALL ".join(parts), params


def _call(ticket: Ticket, window: Window, actor, now: dt.datetime, reason: str = "") -> Ticket:
    # ``ticket`` is locked, so its first-ask clerk read with it is current.
    first_ask_id = ticket.first_ask_id or window.clerk_id
    ticket.status = S.CALLED
    ticket.called_at = now
    ticket.window = window
    ticket.clerk_id = window.clerk_id
    if ticket.first_ask_id != first_ask_id:
        ticket.first_ask_id = first_ask_id
        staff = staff_of(actor)
        if staff is not None and staff.pk == first_ask_id:
            ticket.first_ask = staff
    called = _ticket_change(
        ticket,
        ["status", "called_at", "window_id", "clerk_id", "first_ask_id"],
        {
            "centre_id": window.centre_id,
            "type": E.CALLED,
            "old": S.WAITING,
            "new": S.CALLED,
            "actor": actor,
            "window": window,
            "reason": reason,
        },
        status=S.WAITING,
        now=now,
    )
    if not called:  # pragma: no cover - guarded by the row lock
        raise Conflict("queue.already_called", _("该号已被其他窗口叫走。"))
    front = getattr(ticket, "front_of_line", None) or _front_of_line(ticket)
    others_waiting, open_windows, line = front
    _notify_near_front([r for r in line if r[0] != ticket.pk][: SMS_PLACES_AHEAD + 1])
    if others_waiting is not None:  # its queue has an open peak alert
        _alert_resolve_if_back(ticket.queue, others_waiting, open_windows or 0, now)
    return ticket


# The first waiting tickets of a queue ({queue}: SQL for its id).
# SMS_PLACES_AHEAD + 2: the ticket being called may be among them, and is left
# out.
FRONT_SQL = (
    f"SELECT f.id, f.sms_sent, f.phone_hash, f.sort_at FROM {T_TABLE} f"
    " WHERE f.queue_id = {queue} AND f.day = %s AND f.status = 'waiting'"
    f" ORDER BY f.sort_at, f.id LIMIT {SMS_PLACES_AHEAD + 2}"
)
# With an open peak alert on a queue ({queue}): how many others ({ticket}: the
# ticket being called) wait in its line, and how many open windows serve it;
# two NULLs without an alert, and then nothing is counted.
_ALERT_OPEN = (
    f"EXISTS (SELECT 1 FROM {QueueAlert._meta.db_table} a WHERE a.queue_id = {{queue}}"
    " AND a.day = %s AND a.resolved_at IS NULL)"
)
UNDER_ALERT_SQL = (
    f"CASE WHEN {_ALERT_OPEN} THEN (SELECT count(*) FROM {T_TABLE} o"
    " WHERE o.queue_id = {queue} AND o.day = %s AND o.status = 'waiting' AND o.id <> {ticket})"
    f" END AS others, CASE WHEN {_ALERT_OPEN} THEN (SELECT count(*) FROM {SKILL_TABLE} s"
    f" JOIN {W_TABLE} w ON w.id = s.window_id WHERE s.queue_id = {{queue}} AND w.state = 'open'"
    " AND w.is_active) END AS open_windows"
)


def _front_of_line(ticket: Ticket) -> tuple[int | None, int | None, list[tuple]]:
    """``UNDER_ALERT_SQL`` for the ticket's queue, and the (id, sms_sent,
    phone_hash) of the first tickets in its line, in one query (the pick reads
    the same with its winner)."""
    q, day = ticket.queue_id, ticket.day
    found = rows.fetchall(
        f"SELECT {UNDER_ALERT_SQL.format(queue='%s', ticket='%s')},"
        " fr.id, fr.sms_sent, fr.phone_hash"
        f" FROM (SELECT 1 AS one) x LEFT JOIN ({FRONT_SQL.format(queue='%s')}) fr ON 1 = 1"
        " ORDER BY fr.sort_at, fr.id",
        [q, day, q, day, ticket.pk, q, day, q, q, day],
    )
    return found[0][0], found[0][1], [r[2:] for r in found if r[2] is not None]


def _alert_resolve_if_back(queue: Queue, waiting: int, open_windows: int, now: dt.datetime) -> None:
    """Resolve the queue's open peak alert once its line is clearly back under
    both thresholds, judged by the state issuing judges by (``issue_state``).
    While it is not, nothing more is read: a line back under its count but not
    yet under its wait (calls at the end of a rush) used to read the queue's
    whole state again on every call."""
    state = _line_state(queue, timezone.localdate(now), waiting, open_windows)
    if state.back_under:
        from .alerts import alert_resolve_if_open

        alert_resolve_if_open(queue=queue, now=now, state=state)


def _notify_near_front(line: list[tuple]) -> None:
    """SMS the tickets of ``line`` (the first in a queue's line, each (id,
    sms_sent, phone_hash)) that gave a phone and have not been told yet."""
    ids = [pk for pk, sent, phone_hash in line if phone_hash and not sent]
    if not ids:
        return
    Ticket.objects.filter(pk__in=ids).update(sms_sent=True)
    for t in Ticket.objects.filter(pk__in=ids).select_related("centre"):
        text = _("【一窗】您的 %(n)s 号前面已不超过 %(k)d 人，请回到%(c)s大厅等候叫号。") % {
            "n": t.number,
            "k": SMS_PLACES_AHEAD,
            "c": t.centre.name,
        }
        phone = t.phone
        transaction.on_commit(lambda p=phone, x=text: sms_send(p, x))


def ticket_call_next(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket | None:
    """Call the next ticket for this window by the fair-calling rule; None when
    nobody waits.

    The preconditions and "is anyone waiting at all" are read first without a
    write lock, so an idle window polling for work never takes the write lock;
    everything is checked again inside the transaction."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    # one read: the window as it is now (if it lies in the actor's scope),
    # whether there is any work for it, its last calls (the interleave rule's
    # memory) and the queues it serves (a row per skill)
    # (``LIMIT 1`` keeps the work test in its subquery: evaluated once, not
    # once per skill row; the test runs through the window's skills, a
    # ``LIMIT 1`` probe of each queue's line, which the planner can't turn
    # into a scan of the day's whole waiting line, as it did when statistics
    # taken while nobody waited said that line was empty)
    # The last calls are read before the window's lock is taken. That is safe:
    # a call written meanwhile by another session on this window leaves a
    # ticket at it, and the locked part then refuses (``queue.window_busy``).
    joins, where, scope_params = window_scope_sql(actor)
    entry = "CAST(e.id AS TEXT) || ':' || COALESCE(rt.priority, '')"
    found = rows.fetchall(
        f"SELECT x.*, {SKILL_COLS} FROM"
        f" (SELECT {_WIN.sql},"
        f"  (SELECT {rows.string_agg('r.entry')} FROM (SELECT {entry} AS entry"
        f"   FROM {E_TABLE} e LEFT JOIN {T_TABLE} rt ON rt.id = e.ticket_id"
        "   WHERE e.window_id = %s AND e.type = 'called'"
        f"   ORDER BY e.id DESC LIMIT {RECENT_PREFETCH}) r) AS recent,"
        f"  EXISTS (SELECT 1 FROM {T_TABLE} t WHERE t.window_id = w.id"
        f"   AND t.status IN {ACTIVE_SQL})"
        f"  OR EXISTS (SELECT 1 FROM {T_TABLE} t WHERE t.target_window_id = w.id"
        "   AND t.day = %s AND t.status = 'waiting')"
        f"  OR EXISTS (SELECT 1 FROM {SKILL_TABLE} s2 WHERE s2.window_id = w.id AND"
        f"   (SELECT 1 FROM {T_TABLE} t WHERE t.queue_id = s2.queue_id AND t.day = %s"
        "    AND t.status = 'waiting' AND t.target_window_id IS NULL LIMIT 1) IS NOT NULL)"
        " AS has_work"
        f"  FROM {W_TABLE} w{joins} WHERE w.id = %s AND {where} LIMIT 1) x"
        f" LEFT JOIN {SKILL_TABLE} s ON s.window_id = x.id"
        f" LEFT JOIN {Q_TABLE} q ON q.id = s.queue_id AND q.is_active"
        ' ORDER BY s."order", s.queue_id',
        [window.pk, day, day, window.pk, *scope_params],
    )
    if not found:
        window_not_found()
    current = _WIN.load(found[0])
    assert current is not None
    window = _with_centre(current, window)
    last, has_work = found[0][_WIN.width : _WIN.width + 2]
    _check_operator(window, actor)
    _require_open(window)
    if not has_work:
        return None
    # each entry carries its event id, so the order survives the aggregate
    entries = sorted(
        (e.split(":", 1) for e in (last or "").split(",") if e), key=lambda e: -int(e[0])
    )
    return _call_next_locked(
        window=window,
        actor=actor,
        now=now,
        tiers=_tiers(row[_WIN.width + 2 :] for row in found),
        recent=[priority for _id, priority in entries],
    )


@transaction.atomic
def _call_next_locked(
    *, window: Window, actor, now: dt.datetime, tiers: list[list[SkillQueue]], recent: list[str]
) -> Ticket | None:
    window, busy = _lock_current(window, actor)
    _check_operator(window, actor)
    _require_open(window)
    if busy is not None:
        raise Conflict(
            "queue.window_busy",
            _("%(n)s 号尚未办结，请先办结、过号或转办。") % {"n": busy.number},
            ticket=busy.number,
        )
    ticket = pick_next(window, now, tiers, recent)
    if ticket is None:
        return None
    return _call(ticket, window, actor, now)


@transaction.atomic
def ticket_call_specific(
    *, window: Window, ticket_id: int, actor, reason: str, now: dt.datetime | None = None
) -> Ticket:
    """A director calls one ticket by hand (audited); clerks cannot pick tickets."""
    now = now or timezone.now()
    if not _is_director(actor):
        raise Forbidden("queue.call_specific_forbidden", _("只有中心主任可以指定叫号。"))
    if not (reason or "").strip():
        raise Unprocessable("queue.reason_required", _("指定叫号须填写理由。"))
    window = _locked_window(window)
    _require_open(window)
    if _current(window) is not None:
        raise Conflict("queue.window_busy", _("该窗口还有未办结的号。"))
    ticket = (
        Ticket.objects.select_for_update()
        .filter(pk=ticket_id, centre_id=window.centre_id, day=timezone.localdate(now))
        .first()
    )
    if ticket is None:
        raise NotFound("queue.ticket_not_found", _("没有找到该号。"))
    if ticket.status != S.WAITING:
        raise Conflict("queue.not_waiting", _("该号不在等候中。"))
    ticket = _call(ticket, window, actor, now, reason=reason)
    audit_record(
        "queue.call_specific", actor=actor, obj=ticket, window=window.number, reason=reason
    )
    return ticket


# --- the current ticket at a window ---------------------------------------------------


class ClerkStep(NamedTuple):
    """A clerk's step on the ticket at the window: recall, start, finish or
    no-show. ``sets`` is the ticket's change as PostgreSQL writes it (``p.now``
    is the step's time, ``p.code`` the new rating code); ``apply`` is the same
    change made on the loaded ticket, returning the fields it set (the path of
    other databases)."""

    type: str
    new: str | None  # the status after the step; None keeps it
    called_only: bool  # refused once the ticket is being served
    sets: str
    apply: Callable[[Ticket, dt.datetime, str], list[str]]


def _recall(t: Ticket, now: dt.datetime, code: str) -> list[str]:
    t.recalls += 1
    return ["recalls"]


def _start(t: Ticket, now: dt.datetime, code: str) -> list[str]:
    t.status, t.started_at = S.SERVING, now
    return ["status", "started_at"]


def _finish(t: Ticket, now: dt.datetime, code: str) -> list[str]:
    t.status, t.started_at, t.finished_at, t.rating_code = S.DONE, t.started_at or now, now, code
    return ["status", "started_at", "finished_at", "rating_code"]


def _no_show(t: Ticket, now: dt.datetime, code: str) -> list[str]:
    t.status, t.finished_at = S.NO_SHOW, now
    return ["status", "finished_at"]


RECALL = ClerkStep(E.RECALLED, None, True, "recalls = t.recalls + 1", _recall)
START = ClerkStep(E.STARTED, S.SERVING, True, f"status = '{S.SERVING}', started_at = p.now", _start)
FINISH = ClerkStep(
    E.FINISHED,
    S.DONE,
    False,
    f"status = '{S.DONE}', started_at = COALESCE(t.started_at, p.now), finished_at = p.now,"
    " rating_code = p.code",
    _finish,
)
NO_SHOW = ClerkStep(
    E.NO_SHOW, S.NO_SHOW, True, f"status = '{S.NO_SHOW}', finished_at = p.now", _no_show
)


def _clerk_step(
    step: ClerkStep, window: Window, actor, now: dt.datetime | None, refusal: str
) -> Ticket:
    """Take ``step`` on the ticket at ``window``: 404 outside the actor's
    scope, 403 for a window another clerk signed in at, 409 with no ticket at
    the window or (``refusal``) one already being served where the step needs
    it called."""
    now = now or timezone.now()
    code = new_code(9) if step is FINISH else ""
    if connection.vendor == "postgresql":
        return _clerk_step_sql(step, window, actor, now, code, refusal)
    with transaction.atomic():
        window, current = _lock_current(window, actor)
        _check_operator(window, actor)
        _check_step(step, current.status if current else None, refusal)
        ticket = _need(current)
        old = ticket.status
        fields = step.apply(ticket, now, code)
        return _window_step(
            ticket,
            window,
            actor,
            now,
            fields=fields,
            type=step.type,
            old=old,
            new=step.new or old,
        )


def _check_step(step: ClerkStep, status: str | None, refusal: str) -> None:
    """409 unless the window has a ticket (of ``status``) the step may take."""
    if status is None:
        _no_current_ticket()
    if step.called_only and status != S.CALLED:
        raise Conflict("queue.already_serving", refusal)


def _step_sql(step: ClerkStep, joins: str, where: str) -> str:
    """The one statement of ``step`` (parameters: the step's time, rating
    code, whether the actor is staff, their staff id, whether they direct,
    their user id, then the window's id and the scope's parameters)."""
    key = ("clerk_step", step.type, joins, where)
    sql = _STEP_SQL.get(key)
    if sql is not None:
        return sql
    event_cols = ", ".join(
        f'"{TicketEvent._meta.get_field(f).column}"'
        for f in (
            "centre", "ticket", "type", "old_status", "new_status", "actor", "device",
            "window", "ticket_number", "window_number", "reason", "at",
        )
    )  # fmt: skip
    new = f"'{step.new}'" if step.new else "u.old_status"
    only_called = f" AND c.status = '{S.CALLED}'" if step.called_only else ""
    sql = _STEP_SQL[key] = (
        "WITH p AS (SELECT CAST(%s AS timestamptz) AS now, CAST(%s AS text) AS code,"
        " CAST(%s AS boolean) AS staff, CAST(%s AS bigint) AS staff_id,"
        " CAST(%s AS boolean) AS director, CAST(%s AS bigint) AS actor_id),"
        f" w AS (SELECT {_WIN.sql} FROM {W_TABLE} w{joins}"
        f"  WHERE w.id = %s AND {where} FOR NO KEY UPDATE OF w),"
        f" c AS (SELECT t.id, t.status, t.queue_id, t.first_ask_id FROM {T_TABLE} t"
        f"  JOIN w ON t.window_id = w.id WHERE t.status IN {ACTIVE_SQL}"
        "  ORDER BY t.called_at DESC LIMIT 1),"
        f" u AS (UPDATE {T_TABLE} t SET {step.sets}, updated_at = p.now FROM p, w, c"
        f"  WHERE t.id = c.id AND t.status = c.status{only_called}"
        "  AND p.staff AND (w.clerk_id IS NULL OR w.clerk_id = p.staff_id OR p.director)"
        f"  RETURNING {_T.sql}, c.status AS old_status),"
        f" e AS (INSERT INTO {E_TABLE} ({event_cols})"
        f"  SELECT w.centre_id, u.id, '{step.type}', u.old_status, {new}, p.actor_id, NULL,"
        "  w.id, u.number, w.number, '', p.now FROM p, w, u)"
        f" SELECT {_WIN.sql}, c.status, {_T.sql}, {_Q.sql}, {_FA.sql}"
        " FROM w LEFT JOIN c ON TRUE LEFT JOIN u t ON TRUE"
        f" LEFT JOIN {Q_TABLE} q ON q.id = c.queue_id"
        f" LEFT JOIN {STAFF_TABLE} fa ON fa.id = c.first_ask_id"
    )
    return sql


_STEP_SQL: dict[tuple, str] = {}


def _clerk_step_sql(
    step: ClerkStep, window: Window, actor, now: dt.datetime, code: str, refusal: str
) -> Ticket:
    """``step`` on PostgreSQL as one statement, in a transaction of its own
    unless the caller holds one: one round trip instead of four (BEGIN, lock
    and read, write, COMMIT).

    It locks the window (in the actor's scope), reads the ticket at it, writes
    the change and its event only if the clerk may work the window and the
    ticket's status allows, and returns what it read; the refusals are then
    told from that row in the order the other path checks them.

    The statement reads the database as it was when it began, even after
    waiting for the window's lock; that is safe for these steps. Every change
    of a called or serving ticket holds its window's lock, so a ticket the
    statement did not see as current could only have been called after it
    began (a race the clerk sees as 409 and retries), and one it saw but that
    moved meanwhile fails ``t.status = c.status``, which PostgreSQL checks
    again on the row as it now is (409). Recall counts on the row as it now
    is too. Call-next keeps its transaction: it must see every ticket waiting
    after the lock."""
    joins, where, scope_params = window_scope_sql(actor)
    staff = staff_of(actor)
    row = rows.fetchone(
        _step_sql(step, joins, where),
        [
            now,
            code,
            staff is not None,
            staff.pk if staff is not None else 0,
            _is_director(actor),
            actor.pk,
            window.pk,
            *scope_params,
        ],
    )
    if row is None:
        window_not_found()
    locked = _WIN.load(row)
    assert locked is not None
    _check_operator(locked, actor)
    _check_step(step, row[_WIN.width], refusal)
    ticket = _T.load(row, _WIN.width + 1)
    if ticket is None:  # it moved after the statement began
        _no_current_ticket()
    ticket.queue = _Q.load(row, _WIN.width + 1 + _T.width)  # type: ignore[assignment]
    ticket.first_ask = _FA.load(row, _WIN.width + 1 + _T.width + _Q.width)
    ticket.window = _with_centre(locked, window)
    return ticket


def ticket_recall(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    return _clerk_step(RECALL, window, actor, now, _("已开始办理，无需重呼。"))


def ticket_start(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    return _clerk_step(START, window, actor, now, _("该号已在办理中。"))


def ticket_finish(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    """Finish the current ticket; it gets its rating code (for the pad and QR)."""
    return _clerk_step(FINISH, window, actor, now, "")


def ticket_no_show(*, window: Window, actor, now: dt.datetime | None = None) -> Ticket:
    return _clerk_step(NO_SHOW, window, actor, now, _("已开始办理的号不能记为过号。"))


@transaction.atomic
def ticket_rejoin(
    *, ticket: Ticket, actor=None, device: Device | None = None, now: dt.datetime | None = None
) -> Ticket:
    """A citizen who missed the call rejoins once, at the back of the line."""
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update().select_related("queue").get(pk=ticket.pk)
    if ticket.status != S.NO_SHOW:
        raise Conflict("queue.not_no_show", _("只有过号的号可以重新排队。"))
    if not ticket.queue.no_show_rejoin or ticket.rejoined:
        raise Conflict("queue.rejoin_used", _("过号只能重新排队一次，请重新取号。"))
    if ticket.day != timezone.localdate(now):
        raise Conflict("queue.ticket_expired", _("该号已过期，请重新取号。"))
    ticket.status = S.WAITING
    ticket.rejoined = True
    ticket.sort_at = now
    ticket.window = None
    ticket.called_at = None
    ticket.finished_at = None
    ticket.save(
        update_fields=[
            "status",
            "rejoined",
            "sort_at",
            "window",
            "called_at",
            "finished_at",
            "updated_at",
        ]
    )
    _event(
        centre_id=ticket.centre_id,
        type=E.REJOINED,
        ticket=ticket,
        old=S.NO_SHOW,
        new=S.WAITING,
        actor=actor,
        device=device,
        at=now,
    )
    return ticket


@transaction.atomic
def ticket_transfer(
    *,
    window: Window,
    actor,
    queue_code: str | None = None,
    to_window_id: int | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Hand the current ticket to another queue or window. The citizen keeps the
    number and the place in line (the original issue time). Returns the new ticket."""
    now = now or timezone.now()
    if bool(queue_code) == bool(to_window_id):
        raise Unprocessable("queue.bad_transfer_target", _("请指定转往的队列或窗口（二选一）。"))
    window = _locked_window(window)
    _check_operator(window, actor)
    ticket = _require_current(window)
    target_window = None
    if queue_code:
        queue = Queue.objects.filter(
            centre_id=window.centre_id, code=queue_code, is_active=True
        ).first()
        if queue is None:
            raise Unprocessable(
                "queue.unknown_queue",
                _("没有这个业务队列：%(q)s") % {"q": queue_code},
                queue=queue_code,
            )
    else:
        target_window = Window.objects.filter(
            pk=to_window_id, centre_id=window.centre_id, is_active=True
        ).first()
        if target_window is None or target_window.pk == window.pk:
            raise Unprocessable("queue.bad_transfer_target", _("不能转往该窗口。"))
        if target_window.state == "closed":
            raise Conflict("queue.window_not_open", _("目标窗口未开窗，不能转入。"))
        skills = list(
            WindowSkill.objects.filter(window=target_window)
            .order_by("order")
            .values_list("queue_id", flat=True)
        )
        queue = (
            ticket.queue
            if (ticket.queue_id in skills or not skills)
            else (Queue.objects.get(pk=skills[0]))
        )
    old = ticket.status
    ticket.status = S.TRANSFERRED
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at", "updated_at"])
    _event(
        centre_id=window.centre_id,
        type=E.TRANSFERRED,
        ticket=ticket,
        old=old,
        new=S.TRANSFERRED,
        actor=actor,
        window=window,
        at=now,
        reason=f"→ {queue.code}" + (f" / {target_window.number}" if target_window else ""),
    )
    successor = Ticket.objects.create(
        centre_id=ticket.centre_id,
        queue=queue,
        day=ticket.day,
        seq=None,
        number=ticket.number,
        status=S.WAITING,
        priority=ticket.priority,
        channel=Channel.TRANSFER,
        phone=ticket.phone,
        phone_hash=ticket.phone_hash,
        id_number=ticket.id_number,
        id_hash=ticket.id_hash,
        issued_at=ticket.issued_at,
        sort_at=ticket.sort_at,
        first_ask_id=ticket.first_ask_id or ticket.clerk_id,
        transferred_from=ticket,
        target_window=target_window,
        sms_sent=True,
    )
    _event(
        centre_id=window.centre_id,
        type=E.ISSUED,
        ticket=successor,
        new=S.WAITING,
        actor=actor,
        window=window,
        at=now,
        reason="transfer",
    )
    return successor


@transaction.atomic
def ticket_cancel(
    *, ticket: Ticket, actor=None, device: Device | None = None, now: dt.datetime | None = None
) -> Ticket:
    now = now or timezone.now()
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    if ticket.status != S.WAITING:
        raise Conflict("queue.not_waiting", _("只有等候中的号可以取消。"))
    ticket.status = S.CANCELLED
    ticket.finished_at = now
    ticket.save(update_fields=["status", "finished_at", "updated_at"])
    _event(
        centre_id=ticket.centre_id,
        type=E.CANCELLED,
        ticket=ticket,
        old=S.WAITING,
        new=S.CANCELLED,
        actor=actor,
        device=device,
        at=now,
    )
    return ticket


# --- windows --------------------------------------------------------------------------


@transaction.atomic
def window_open(*, window: Window, actor, now: dt.datetime | None = None) -> Window:
    """The clerk signs in to the window."""
    now = now or timezone.now()
    window = _locked_window(window)
    staff = _staff(actor)
    if window.state != "closed":
        if window.clerk_id == staff.pk:
            raise Conflict("queue.window_already_open", _("您已在该窗口开窗。"))
        raise Conflict("queue.window_taken", _("该窗口已由其他工作人员登录。"))
    elsewhere = Window.objects.filter(clerk=staff).exclude(state="closed").exclude(pk=window.pk)
    other = elsewhere.first()
    if other is not None:
        raise Conflict(
            "queue.clerk_elsewhere", _("您已在 %(n)d 号窗口开窗，请先关窗。") % {"n": other.number}
        )
    window.state = "open"
    window.clerk = staff
    window.save(update_fields=["state", "clerk", "updated_at"])
    _event(centre_id=window.centre_id, type=E.WINDOW_OPENED, window=window, actor=actor, at=now)
    return window


def _window_state(
    window: Window, actor, *, allowed: Iterable[str], new: str, type: str, now: dt.datetime | None
) -> Window:
    now = now or timezone.now()
    window = _locked_window(window)
    _check_operator(window, actor)
    if window.state not in allowed:
        codes = {
            "open": "queue.window_not_paused",
            "closed": "queue.window_not_open",
            "paused": "queue.window_paused",
        }
        raise Conflict(
            codes.get(window.state, "queue.window_state"),
            _("窗口当前状态不允许此操作。"),
            state=window.state,
        )
    if new in ("paused", "closed"):
        busy = _current(window)
        if busy is not None:
            raise Conflict(
                "queue.window_busy",
                _("%(n)s 号尚未办结，请先办结、过号或转办。") % {"n": busy.number},
                ticket=busy.number,
            )
    window.state = new
    if new == "closed":
        window.clerk = None
    window.save(update_fields=["state", "clerk", "updated_at"])
    _event(centre_id=window.centre_id, type=type, window=window, actor=actor, at=now)
    return window


@transaction.atomic
def window_close(*, window: Window, actor, now: dt.datetime | None = None) -> Window:
    return _window_state(
        window, actor, allowed=("open", "paused"), new="closed", type=E.WINDOW_CLOSED, now=now
    )


@transaction.atomic
def window_pause(*, window: Window, actor, now: dt.datetime | None = None) -> Window:
    return _window_state(
        window, actor, allowed=("open",), new="paused", type=E.WINDOW_PAUSED, now=now
    )


@transaction.atomic
def window_resume(*, window: Window, actor, now: dt.datetime | None = None) -> Window:
    return _window_state(
        window, actor, allowed=("paused",), new="open", type=E.WINDOW_RESUMED, now=now
    )


# --- alerts ---------------------------------------------------------------------------


@transaction.atomic
def alert_handle(
    *, alert: QueueAlert, actor, action: str, now: dt.datetime | None = None
) -> QueueAlert:
    """The director records what was done about a peak alert."""
    now = now or timezone.now()
    if not _is_director(actor):
        raise Forbidden("queue.alert_forbidden", _("只有中心主任可以处置预警。"))
    if not (action or "").strip():
        raise Unprocessable("queue.action_required", _("请填写处置措施。"))
    alert = QueueAlert.objects.select_for_update().get(pk=alert.pk)
    alert.action_taken = action.strip()[:200]
    alert.handled_by = actor
    alert.resolved_at = alert.resolved_at or now
    alert.save(update_fields=["action_taken", "handled_by", "resolved_at", "updated_at"])
    audit_record("queue.alert_handle", actor=actor, obj=alert, action=alert.action_taken)
    return alert


# --- appointments ---------------------------------------------------------------------

NO_SHOW_BAN_COUNT = 3
NO_SHOW_BAN_DAYS = 90


def phone_banned(phone_hash: str, now: dt.datetime) -> bool:
    """Three appointment no-shows within 90 days stop online booking (a setting)."""
    since = timezone.localdate(now) - dt.timedelta(days=NO_SHOW_BAN_DAYS)
    return (
        Appointment.objects.filter(
            phone_hash=phone_hash, status=Appointment.Status.NO_SHOW, slot__day__gte=since
        ).count()
        >= NO_SHOW_BAN_COUNT
    )


@transaction.atomic
def appointment_book(*, slot, phone: str, now: dt.datetime | None = None) -> Appointment:
    from .models import AppointmentSlot

    now = now or timezone.now()
    phone = "".join((phone or "").split())
    if not PHONE_RE.match(phone):
        raise Unprocessable("queue.bad_phone", _("手机号应为 11 位数字。"))
    slot = AppointmentSlot.objects.select_for_update().select_related("queue").get(pk=slot.pk)
    tz = timezone.get_current_timezone()
    if dt.datetime.combine(slot.day, slot.end, tzinfo=tz) <= now:
        raise Unprocessable("queue.slot_past", _("该时段已过，请选择其他时段。"))
    phone_hash = keyed_hash(phone, "phone")
    if phone_banned(phone_hash, now):
        raise Conflict(
            "queue.booking_banned",
            _("您近 %(d)d 天内预约未到 %(n)d 次，暂不能网上预约，请现场取号。")
            % {"d": NO_SHOW_BAN_DAYS, "n": NO_SHOW_BAN_COUNT},
        )
    if Appointment.objects.filter(
        phone_hash=phone_hash,
        slot__queue=slot.queue,
        slot__day=slot.day,
        status=Appointment.Status.BOOKED,
    ).exists():
        raise Conflict("queue.already_booked", _("您当天已预约该业务。"))
    if slot.booked >= slot.capacity:
        raise Conflict("queue.slot_full", _("该时段已约满，请选择其他时段。"))
    slot.booked += 1
    slot.save(update_fields=["booked", "updated_at"])
    code = new_short_code()
    while Appointment.objects.filter(code=code).exists():  # 8 digits: collisions happen
        code = new_short_code()
    appt = Appointment.objects.create(slot=slot, code=code, phone=phone, phone_hash=phone_hash)
    text = _("【一窗】您已预约 %(q)s %(d)s %(t)s，预约码 %(c)s，请按时到大厅取号机签到。") % {
        "q": slot.queue.name,
        "d": slot.day.isoformat(),
        "t": slot.start.strftime("%H:%M"),
        "c": appt.code,
    }
    transaction.on_commit(lambda: sms_send(phone, text))
    return appt


@transaction.atomic
def appointment_cancel(*, code: str, phone: str) -> Appointment:
    appt = (
        Appointment.objects.select_for_update()
        .select_related("slot")
        .filter(code=code, phone_hash=keyed_hash("".join(phone.split()), "phone"))
        .first()
    )
    if appt is None:
        raise NotFound("queue.appointment_not_found", _("没有找到该预约。"))
    if appt.status != Appointment.Status.BOOKED:
        raise Conflict("queue.appointment_used", _("该预约已签到、取消或过期。"))
    appt.status = Appointment.Status.CANCELLED
    appt.save(update_fields=["status", "updated_at"])
    slot = type(appt.slot).objects.select_for_update().get(pk=appt.slot_id)
    slot.booked = max(0, slot.booked - 1)
    slot.save(update_fields=["booked", "updated_at"])
    return appt


@transaction.atomic
def appointment_check_in(
    *,
    centre: Centre,
    code: str,
    device: Device | None = None,
    actor=None,
    now: dt.datetime | None = None,
) -> Ticket:
    """The kiosk turns an appointment code into a ticket; inside its time window
    (from 15 minutes before the slot to its end) it is called first."""
    now = now or timezone.now()
    appt = (
        Appointment.objects.select_for_update()
        .select_related("slot__queue")
        .filter(code=(code or "").strip(), slot__queue__centre=centre)
        .first()
    )
    if appt is None:
        raise NotFound("queue.appointment_not_found", _("没有找到该预约码，请核对后重试。"))
    if appt.status != Appointment.Status.BOOKED:
        raise Conflict("queue.appointment_used", _("该预约已签到、取消或过期。"))
    if appt.slot.day != timezone.localdate(now):
        raise Unprocessable(
            "queue.appointment_wrong_day",
            _("预约日期是 %(d)s，不是今天。") % {"d": appt.slot.day.isoformat()},
        )
    ticket = ticket_issue(
        centre=centre,
        queue_code=appt.slot.queue.code,
        channel=Channel.APPOINTMENT,
        phone=appt.phone,
        actor=actor,
        device=device,
        appointment=appt,
        now=now,
    )
    appt.status = Appointment.Status.CHECKED_IN
    appt.checked_in_at = now
    appt.save(update_fields=["status", "checked_in_at", "updated_at"])
    return ticket


@transaction.atomic
def appointment_mark_no_shows(*, now: dt.datetime | None = None) -> int:
    """Bookings whose slot ended without a check-in become no-shows (worker)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    local = timezone.localtime(now).time()
    stale = Appointment.objects.filter(status=Appointment.Status.BOOKED).filter(
        Q(slot__day__lt=today) | Q(slot__day=today, slot__end__lt=local)
    )
    return stale.update(status=Appointment.Status.NO_SHOW, updated_at=now)
