"""What the queue's actions share: reading and locking a window within the
actor's scope, the ticket at a window, and the preconditions they check.

Concurrency (docs/queueing.md, "Concurrency"): a ticket is called by at most
one window, numbers are unique, nothing issued is lost.

* a window is locked (``SELECT … FOR NO KEY UPDATE OF`` the window) while it
  calls or its ticket changes, so one window never holds two tickets;
* every change of a ticket is a ``.filter(status=<the status read>).update()``
  whose row count decides; a ticket that moved meanwhile is refused (409);
* on SQLite every write transaction starts ``IMMEDIATE`` (settings), which
  serialises writers, and ``select_for_update`` is a no-op.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import NoReturn

from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Conflict, Unprocessable
from yichuang.org.models import Centre, Window
from yichuang.org.opening import opening_for
from yichuang.org.scopes import window_not_found, windows_for

from ..models import Ticket

S = Ticket.Status
ACTIVE = (S.CALLED, S.SERVING)
PHONE_RE = re.compile(r"^1\d{10}$")


def no_current_ticket() -> NoReturn:
    raise Conflict("queueing.no_current_ticket", _("该窗口当前没有正在叫号或办理的号。"))


def windows_in_scope(actor):
    """The windows ``actor`` works on (``org.scopes.windows_for``: a
    department's staff only the department's windows)."""
    return windows_for(actor)


def keep_centre(loaded: Window, window: Window) -> Window:
    """``loaded`` (the window as just read) keeps the centre ``window`` carried."""
    if "centre" in window._state.fields_cache:
        loaded.centre = window.centre
    return loaded


def lock_window(window: Window, actor=None) -> Window:
    """Lock the window row, not the rows it refers to: every ticket or event
    insert takes a key-share lock on its centre, so locking the centre too
    would stall every kiosk of the hall while one window calls. With ``actor``
    the window must lie in the actor's scope (404 otherwise)."""
    qs = windows_in_scope(actor) if actor is not None else Window.objects.all()
    locked = qs.select_for_update(no_key=True, of=("self",)).filter(pk=window.pk).first()
    if locked is None:
        window_not_found()
    return keep_centre(locked, window)


def lock_current(window: Window, actor) -> Ticket | None:
    """A clerk step's one read: the ticket called or being served at
    ``window``, with its queue and first-ask clerk and the window itself,
    which the same statement locks (``FOR NO KEY UPDATE OF`` the window) if it
    lies in ``actor``'s scope. None when there is no such ticket (the caller
    then tells 404, 403 and 409 apart with ``lock_window``).

    On PostgreSQL the ticket's status may be older than the lock (it waited
    for another step on this window); the step's write is guarded by the
    status read, so a ticket that moved meanwhile is refused with 409."""
    ticket = (
        Ticket.objects.select_for_update(no_key=True, of=("window",))
        .select_related("window", "queue", "first_ask")
        .filter(window_id=window.pk, window__in=windows_for(actor), status__in=ACTIVE)
        .order_by("-called_at")
        .first()
    )
    if ticket is not None and ticket.window is not None:
        keep_centre(ticket.window, window)
    return ticket


def current_at(window: Window) -> Ticket | None:
    """The ticket called or being served at a window locked by
    ``lock_window``, with its queue and first-ask clerk. Read by a statement
    of its own after the lock is granted, so it sees what a step that held the
    lock before committed. Not locked itself: every change of a called or
    serving ticket holds its window's lock, and the write checks the status
    it read."""
    ticket = (
        Ticket.objects.current_at(window)
        .select_related("queue", "first_ask")
        .order_by("-called_at")
        .first()
    )
    if ticket is not None:
        ticket.window = window
    return ticket


def require_open(window: Window) -> None:
    if window.state == "paused":
        raise Conflict("queueing.window_paused", _("窗口已暂停，请先恢复。"))
    if window.state != "open":
        raise Conflict("queueing.window_not_open", _("窗口尚未开窗，请先登录开窗。"))


def window_busy(ticket: Ticket) -> NoReturn:
    raise Conflict(
        "queueing.window_busy",
        _("%(n)s 号尚未办结，请先办结、过号或转办。") % {"n": ticket.number},
        ticket=ticket.number,
    )


def check_centre_open(centre: Centre, now: dt.datetime) -> None:
    """Refuse a ticket when the hall is closed at ``now``: the day's hours come
    from ``org.opening`` (calendar, make-up working days, dated exceptions)."""
    if not centre.is_active:
        raise Unprocessable("queueing.centre_closed", _("该服务中心已停用。"))
    local = timezone.localtime(now)
    opening = opening_for(centre, local.date())
    if not opening.open:
        message = (
            _("服务中心今天闭厅，暂停办公。")
            if opening.reason == "closure"
            else _("今天是休息日，服务中心不办公。")
        )
        raise Unprocessable("queueing.centre_closed", message, reason=opening.reason)
    if not opening.is_open_at(local.strftime("%H:%M")):
        raise Unprocessable(
            "queueing.out_of_hours", _("现在不在办公时间内，请在办公时间前来取号。")
        )
