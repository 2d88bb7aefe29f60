"""Pluggable SMS sending: the only thing that leaves the system, so the only
thing tests replace. ``settings.SMS_BACKEND`` names a class with ``send``."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("yichuang.sms")


class ConsoleBackend:
    def send(self, phone: str, text: str) -> None:
        log.info("SMS to %s: %s", phone, text)


class MemoryBackend:
    """Keeps sent messages in ``MemoryBackend.outbox`` (tests)."""

    outbox: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        MemoryBackend.outbox.append((phone, text))


def public_link(path: str) -> str:
    """An absolute link for a message that leaves the system (an SMS): the
    public base URL (``YICHUANG_PUBLIC_URL``) followed by ``path``."""
    return settings.PUBLIC_URL.rstrip("/") + "/" + path.lstrip("/")


def sms_send(phone: str, text: str) -> None:
    import_string(settings.SMS_BACKEND)().send(phone, text)
