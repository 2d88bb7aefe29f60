"""Fixtures of the abuse tests: the hall's queues and complaint categories, time
frozen (limits count in fixed windows; a frozen clock keeps a test inside one),
and the SMS outbox (the project's own sender kept in memory)."""

from __future__ import annotations

import datetime as dt

import pytest

SH = dt.timezone(dt.timedelta(hours=8))
MONDAY_10 = dt.datetime(2026, 3, 16, 10, 0, tzinfo=SH)


@pytest.fixture
def hall(county):
    from yichuang.demo.queueing import build_structure
    from yichuang.feedback.actions import ensure_defaults

    build_structure()
    ensure_defaults()
    return county.hall


@pytest.fixture
def frozen():
    """Time frozen at 10:00 on Monday 16 March 2026; ``frozen.shift(seconds)``."""
    import time_machine

    with time_machine.travel(MONDAY_10, tick=False) as traveller:
        yield traveller


@pytest.fixture
def outbox(settings):
    from yichuang.lib.sms import MemoryBackend

    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()
