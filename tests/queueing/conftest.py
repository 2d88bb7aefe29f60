"""Queue fixtures: the demo county's queues and window skills on top of the
shared personas, and helpers to open windows and issue tickets."""

from __future__ import annotations

import datetime as dt

import pytest

from yichuang.org.models import Device, Window, device_token_hash


@pytest.fixture
def hall(county):
    """The county hall with its queues (rebuilt after a flush)."""
    from yichuang.demo.queueing import build_structure

    build_structure()
    return county.hall


def window_of(centre, number: int) -> Window:
    return Window.objects.get(centre=centre, number=number)


def clerk_user(number: int):
    from yichuang.accounts.models import User

    return User.objects.get(username=f"clerk_w{number:02d}")


@pytest.fixture
def office_hours(hall):
    """The county hall keeps the default office hours (the demo's halls are
    always open, so that tests at any hour can take a ticket)."""
    hall.always_open = False
    hall.opening_hours = {}
    hall.save()
    return hall


@pytest.fixture
def open_window(hall):
    """``open_window(n)`` signs clerk_wNN in to county-hall window n."""
    from yichuang.queueing.actions import window_open

    def make(number: int, user=None):
        return window_open(window=window_of(hall, number), actor=user or clerk_user(number))

    return make


@pytest.fixture
def issue(hall):
    from yichuang.queueing.actions import ticket_issue

    def make(queue="general", *, priority="normal", at: dt.datetime | None = None, **kw):
        return ticket_issue(
            centre=hall,
            queue_code=queue,
            channel=kw.pop("channel", "kiosk"),
            priority=priority,
            now=at,
            **kw,
        )

    return make


@pytest.fixture
def device_token(hall):
    """``device_token(kind, centre=None, window=None)`` makes a device and returns its token."""

    def make(kind: str, centre=None, window=None) -> str:
        raw = Device.new_token()
        Device.objects.create(
            kind=kind,
            name=kind,
            centre=centre or hall,
            window=window,
            token_hash=device_token_hash(raw),
        )
        return raw

    return make


SH = dt.timezone(dt.timedelta(hours=8))
MONDAY_10 = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SH)


@pytest.fixture
def at10():
    """Time frozen at 10:00 on a Monday; ``at10(minutes)`` is an offset from it."""
    import time_machine

    with time_machine.travel(MONDAY_10, tick=False):
        yield lambda minutes=0: MONDAY_10 + dt.timedelta(minutes=minutes)
