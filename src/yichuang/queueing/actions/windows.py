"""A window's day: a clerk signs in (opens), pauses, resumes and closes it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import Conflict
from yichuang.org.models import Window

from ..events import ticket_event
from ..models import TicketEvent
from ..permissions import check_operator, staff_or_403
from .common import current_at, lock_window, window_busy

E = TicketEvent.Type


@transaction.atomic
def window_open(*, window: Window, actor, now: dt.datetime | None = None) -> Window:
    """The clerk signs in to the window (one in the actor's scope)."""
    now = now or timezone.now()
    window = lock_window(window, actor)
    staff = staff_or_403(actor)
    if window.state != "closed":
        if window.clerk_id == staff.pk:
            raise Conflict("queueing.window_already_open", _("您已在该窗口开窗。"))
        raise Conflict("queueing.window_taken", _("该窗口已由其他工作人员登录。"))
    other = Window.objects.filter(clerk=staff).exclude(state="closed").exclude(pk=window.pk).first()
    if other is not None:
        raise Conflict(
            "queueing.clerk_elsewhere",
            _("您已在 %(n)d 号窗口开窗，请先关窗。") % {"n": other.number},
        )
    window.state = "open"
    window.clerk = staff
    window.save(update_fields=["state", "clerk", "updated_at"])
    ticket_event(
        centre_id=window.centre_id, type=E.WINDOW_OPENED, window=window, actor=actor, at=now
    )
    return window


STATE_REFUSALS = {
    "open": "queueing.window_not_paused",
    "closed": "queueing.window_not_open",
    "paused": "queueing.window_paused",
}


def _window_state(
    window: Window, actor, *, allowed: Iterable[str], new: str, type: str, now: dt.datetime | None
) -> Window:
    now = now or timezone.now()
    window = lock_window(window, actor)
    check_operator(window, actor)
    if window.state not in allowed:
        raise Conflict(
            STATE_REFUSALS.get(window.state, "queueing.window_state"),
            _("窗口当前状态不允许此操作。"),
            state=window.state,
        )
    if new in ("paused", "closed"):
        busy = current_at(window)
        if busy is not None:
            window_busy(busy)
    window.state = new
    if new == "closed":
        window.clerk = None
    window.save(update_fields=["state", "clerk", "updated_at"])
    ticket_event(centre_id=window.centre_id, type=type, window=window, actor=actor, at=now)
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
