"""Small helpers shared by the feedback tests."""

from __future__ import annotations

from yichuang.feedback.actions import rating_submit


def rate(ticket, level: int, *, reasons=None, channel: str = "qr", ip: str = "10.0.0.1", **kw):
    if level <= 2 and reasons is None:
        reasons = ["attitude"]
    return rating_submit(
        rating_code=ticket.rating_code,
        level=level,
        channel=channel,
        reasons=reasons or [],
        source_ip=ip,
        **kw,
    )


def complaints_snapshot() -> tuple:
    """What a refused complaint step must leave unchanged: every complaint's
    state and verdict, and the events."""
    from yichuang.feedback.models import Complaint, FeedbackEvent

    return (
        list(
            Complaint.objects.order_by("id").values_list(
                "id",
                "status",
                "reply",
                "replied_at",
                "verdict",
                "verdict_note",
                "verdict_at",
                "verdict_by",
                "updated_at",
            )
        ),
        FeedbackEvent.objects.count(),
    )


def assert_refused(status: int, code: str, act) -> None:
    """``act()`` is refused with ``status`` and ``code`` — raised as a
    DomainError by an action, or answered by the API — and no complaint or
    event changed."""
    from yichuang.lib.errors import DomainError

    before = complaints_snapshot()
    try:
        result = act()
    except DomainError as exc:
        assert (exc.status, exc.code) == (status, code), exc
    else:
        assert result.status_code == status, result.content
        assert result.json()["code"] == code
    assert complaints_snapshot() == before
