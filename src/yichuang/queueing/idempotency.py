"""A request made once, whatever the retries: the ``Idempotency-Key`` claim the
API and the kiosk page share.

The first request with a key inserts its row and does the work in the same
transaction; if the work fails, the row goes with it and a retry runs again.
A replay finds the row (the unique constraint on principal and key decides,
also between two requests at once) and gets the first answer back.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction

from yichuang.org.models import Device

from .models import IdempotencyKey

KEY_MAX = 80


def request_key(request) -> str:
    return (request.headers.get("Idempotency-Key") or "").strip()[:KEY_MAX]


def principal_of(request, device: Device | None) -> str:
    return f"device:{device.pk}" if device is not None else f"user:{request.user.pk}"


def idempotency_claim(*, principal: str, key: str, path: str) -> IdempotencyKey | None:
    """The new row for a first request, or None when the key was used before
    (the caller reads the first answer with ``idempotency_prior``). Call inside
    the transaction that does the work."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(key=key, principal=principal, path=path[:200])
    except IntegrityError:
        return None


def idempotency_prior(*, principal: str, key: str) -> IdempotencyKey | None:
    return IdempotencyKey.objects.filter(principal=principal, key=key).first()


def idempotency_record(row: IdempotencyKey, *, status: int, response: dict) -> None:
    row.status = status
    row.response = response
    row.save(update_fields=["status", "response"])
