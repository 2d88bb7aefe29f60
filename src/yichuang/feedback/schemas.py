"""The shapes of the feedback API: what each operation takes and returns
(errors are ``yichuang.lib.errors.ErrorOut``). Times are ISO 8601 strings with
the +08:00 offset, dates ``YYYY-MM-DD``."""

from __future__ import annotations

from ninja import Schema


class RatingIn(Schema):
    rating_code: str
    level: int
    channel: str
    reasons: list[str] | None = None
    comment: str | None = None
    phone: str | None = None


class RatingCreatedOut(Schema):
    id: int
    level: int
    channel: str
    reasons: list[str]
    created_at: str | None
    # A bad rating opened a rectification.
    rectification: bool


class RatingOut(Schema):
    id: int
    service_kind: str
    level: int
    level_label: str
    reasons: list[str]
    comment: str
    channel: str
    excluded: bool
    exclusion_reason: str
    is_default: bool
    created_at: str | None
    centre: str
    department: str | None
    window: int | None
    clerk: str | None


class RatesOut(Schema):
    """Rates over the valid ratings (docs/domain.md, "The three targets")."""

    ratings: int
    satisfaction_rate: float | None
    bad_rating_rate: float | None
    bad: int


class RatingListOut(Schema):
    items: list[RatingOut]
    count: int
    summary: RatesOut


class AppealIn(Schema):
    kind: str
    reason: str


class DecideIn(Schema):
    upheld: bool
    note: str = ""


class AppealOut(Schema):
    id: int
    status: str


class RectificationRatingOut(Schema):
    id: int
    level: int
    reasons: list[str]
    created_at: str | None


class RectificationOut(Schema):
    id: int
    status: str
    rating: RectificationRatingOut
    centre: str
    department: str | None
    handler: str | None
    real_name: bool
    # Masked; the full number only through the contact operation.
    phone: str
    callback_due: str | None
    rectify_due: str | None
    overdue: bool
    verdict: str
    citizen_level: int | None


class RectificationListOut(Schema):
    items: list[RectificationOut]
    count: int


class RectificationActionIn(Schema):
    action: str
    note: str = ""
    handler: str | None = None
    verdict: str | None = None


class ContactOut(Schema):
    phone: str
    name: str


class ComplaintIn(Schema):
    kind: str
    description: str
    title: str = ""
    category: str | None = None
    centre: str | None = None
    window: int | None = None
    name: str = ""
    phone: str = ""
    channel: str = "mobile"


class ComplaintCreatedOut(Schema):
    id: int
    reference: str
    track_code: str
    status: str
    due_date: str | None


class ComplaintOut(Schema):
    id: int
    reference: str
    kind: str
    channel: str
    status: str
    title: str
    description: str
    # Masked.
    name: str
    phone: str
    centre: str | None
    department: str | None
    window: int | None
    handler: str | None
    received_at: str | None
    due_date: str | None
    reasons_due: str | None
    overdue: bool
    reply: str
    # 核实结论 of a 投诉 or 办不成事: substantiated, partly, unfounded; "" until given.
    verdict: str
    verdict_note: str
    verdict_at: str | None
    satisfaction: str
    reopen_count: int


class ComplaintListOut(Schema):
    items: list[ComplaintOut]
    count: int


class ComplaintActionIn(Schema):
    action: str
    note: str = ""
    handler: str | None = None
    # "reply" of a 投诉 or 办不成事 (required there, refused for other kinds):
    # substantiated 属实, partly 部分属实, unfounded 不属实.
    verdict: str | None = None
    verdict_note: str = ""
