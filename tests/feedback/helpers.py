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
