"""Fixtures of the abuse tests: the SMS outbox (the project's own sender kept in
memory). The hall (``hall``) and frozen time (``frozen``: limits count in fixed
windows, a frozen clock keeps a test inside one) are tests/conftest.py's."""

from __future__ import annotations

import pytest


@pytest.fixture
def outbox(settings):
    from yichuang.lib.sms import MemoryBackend

    settings.SMS_BACKEND = "yichuang.lib.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    yield MemoryBackend.outbox
    MemoryBackend.outbox.clear()
