"""A citizen's rating of a service, and the default ratings some provinces
fill in.

One rating per service is a unique key on ``Rating.service_key``: the insert
is ``ON CONFLICT DO NOTHING`` (``sql.rating_insert``) and a row not inserted
becomes 409 ``feedback.already_rated``, so two raters racing for one code can
never both succeed. Each rating is counted in its ``RatingDay`` cell in the
same transaction; a bad one opens its rectification.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.cases.models import Case
from yichuang.cases.models import Status as CaseStatus
from yichuang.lib.config import setting_get
from yichuang.lib.crypto import keyed_hash, redact_id_numbers
from yichuang.lib.errors import Conflict, DomainError, Forbidden, NotFound, Unprocessable
from yichuang.org.models import Device
from yichuang.queueing.models import Ticket

from .. import sql
from ..events import event_record
from ..models import BAD_LEVELS, Rating, Rectification
from ..selectors import current_reason_codes, service_for_code
from .common import MAX_COMMENT
from .deadlines import rectification_deadlines
from .throttle import ATTEMPTS_PER_MINUTE, FAILURES_PER_HOUR, bucket, client_key, too_many


def rating_submit(
    *,
    rating_code: str,
    level: int,
    channel: str,
    reasons: Iterable[str] | None = None,
    comment: str = "",
    phone: str = "",
    device: Device | None = None,
    user=None,
    source_ip: str | None = None,
) -> Rating:
    """A citizen rates a service by its rating code.

    Everything that only reads — validation, the service behind the code, the
    reason list, a bad rating's deadlines — happens before the transaction, so
    on SQLite the write lock is held only for the writes: the rate-limit upsert
    (which also reads the failure counter), the insert (``ON CONFLICT DO
    NOTHING``: a duplicate is a row not inserted) and the roll-up upsert (plus
    the rectification and its event for a bad rating). A refusal found while
    reading is raised only after the attempt is counted, so the attempt (and,
    for an unknown or used code, the failure) counts against the client, and a
    client over its limit learns nothing about the code.
    """
    if user is not None and getattr(user, "is_authenticated", False):
        raise Forbidden("feedback.staff_cannot_rate", _("工作人员不能代替群众评价。"))
    if device is not None and device.kind != Device.Kind.PAD:
        raise Forbidden("feedback.device_not_pad", _("只有窗口评价器可以提交评价。"))
    now = timezone.now()
    key = client_key(device, source_ip)
    fail_key = key + ":fail"
    minute, hour = bucket(now, 60), bucket(now, 3600)
    prepared: PreparedRating | None = None
    refused: DomainError | None = None
    try:
        prepared = rating_prepare(
            rating_code=rating_code,
            level=level,
            channel=channel,
            reasons=list(reasons or []),
            comment=comment,
            phone=phone,
            device=device,
            source_ip=source_ip,
            now=now,
        )
    except DomainError as exc:
        refused = exc
    with transaction.atomic():
        attempts, failures = sql.throttle_hit_reading(
            key, minute, other_key=fail_key, other_bucket=hour
        )
        if attempts > ATTEMPTS_PER_MINUTE or failures >= FAILURES_PER_HOUR:
            refused = too_many()
        else:
            if prepared is not None:
                try:
                    return rating_write(prepared)
                except DomainError as exc:
                    refused = exc
            assert refused is not None
            if refused.code in ("feedback.unknown_code", "feedback.already_rated"):
                sql.throttle_hit(fail_key, hour)
    raise refused


def _check_reasons(level: int, reasons: list[str]) -> int | None:
    """Validate a rating's reasons; the id of the reason list they come from."""
    if level not in BAD_LEVELS:
        if reasons:
            # Reasons belong to bad ratings; a good one ignores none silently.
            raise Unprocessable(
                "feedback.reasons_only_for_bad", _("只有“不满意”“非常不满意”需要选择原因。")
            )
        return None
    if not reasons:
        raise Unprocessable(
            "feedback.reason_required", _("选择“不满意”或“非常不满意”时，请至少选择一项原因。")
        )
    list_id, known = current_reason_codes()
    unknown = [r for r in reasons if r not in known]
    if unknown:
        raise Unprocessable(
            "feedback.unknown_reason", _("差评原因不在清单中。"), unknown=unknown[:10]
        )
    return list_id


@dataclass
class PreparedRating:
    """A rating checked and attributed, ready to be written."""

    rating: Rating
    # A bad rating's rectification: contact and deadlines.
    rectification: dict[str, Any] | None


def rating_prepare(
    *,
    rating_code: str,
    level: int,
    channel: str,
    reasons: list[str],
    comment: str,
    phone: str,
    device: Device | None,
    source_ip: str | None,
    now: dt.datetime,
    is_default: bool = False,
) -> PreparedRating:
    """Everything a rating needs that only reads: validation, the service
    behind the code, the reasons; for a bad rating its contact and deadlines."""
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5:
        raise Unprocessable("feedback.bad_level", _("评价等级须为 1 至 5。"), level=level)
    if channel not in Rating.Channel.values or (
        channel == Rating.Channel.DEFAULT and not is_default
    ):
        raise Unprocessable("feedback.bad_channel", _("评价渠道不正确。"), channel=channel)
    if device is not None and channel != Rating.Channel.PAD:
        raise Unprocessable("feedback.bad_channel", _("评价器只能以 pad 渠道提交。"))
    comment = redact_id_numbers(comment or "")  # no ID number kept in clear
    if len(comment) > MAX_COMMENT:
        raise Unprocessable(
            "feedback.comment_too_long",
            _("评价内容不能超过 %(n)d 字。") % {"n": MAX_COMMENT},
            max_length=MAX_COMMENT,
        )
    reasons = list(dict.fromkeys(str(r) for r in reasons))
    reason_list_id = _check_reasons(level, reasons)
    phone = "".join((phone or "").split())
    if phone and not (len(phone) == 11 and phone.isdigit() and phone.startswith("1")):
        raise Unprocessable("feedback.bad_phone", _("手机号格式不正确。"))
    svc = service_for_code(rating_code)
    if device is not None and device.window_id != svc["window_id"]:
        raise Forbidden("feedback.wrong_window", _("评价器只能评价本窗口办结的服务。"))
    rating = Rating(
        service_kind=svc["service_kind"],
        service_key=svc["service_key"],
        ticket_id=svc.get("ticket_id"),
        case=svc.get("case"),
        rating_code=rating_code.strip(),
        level=level,
        reason_list_id=reason_list_id,
        reasons=reasons,
        comment=comment,
        channel=channel,
        is_default=is_default,
        centre_id=svc["centre_id"],
        department_id=svc["department_id"],
        window_id=svc["window_id"],
        clerk_id=svc["clerk_id"],
        item_id=svc["item_id"],
        queue_id=svc["queue_id"],
        device=device,
        source_hash=keyed_hash(source_ip, "rater-ip") if source_ip else "",
        day=timezone.localdate(now),
        created_at=now,
    )
    rect = None
    if rating.is_bad and not is_default:
        callback_due, rectify_due = rectification_deadlines(rating.day)
        rect = {
            "contact_phone": phone or svc["phone"](),
            "contact_name": svc["name"],
            "callback_due": callback_due,
            "rectify_due": rectify_due,
        }
    return PreparedRating(rating=rating, rectification=rect)


def rating_count_field(rating: Rating) -> str:
    """The ``RatingDay`` count a new rating adds to."""
    if rating.is_default:
        return "n_default"
    return f"n{rating.level}"


def rating_write(prepared: PreparedRating) -> Rating:
    """Insert the rating, count it in the roll-up, open its rectification (the
    caller holds the transaction)."""
    rating = prepared.rating
    if not sql.rating_insert(rating):
        raise Conflict("feedback.already_rated", _("该服务已经评价过，不能重复评价。"))
    sql.rating_day_add(rating, rating_count_field(rating), 1)
    if prepared.rectification is not None:
        rect = Rectification.objects.create(
            rating=rating,
            centre_id=rating.centre_id,
            department_id=rating.department_id,
            **prepared.rectification,
        )
        event_record(
            "rectification.opened",
            rectification=rect,
            rating=rating,
            new=rect.status,
            at=rating.created_at,
        )
    return rating


def rating_fill_defaults(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Where a province fills in "满意" for services not rated within N days
    (setting ``rating.default_after_days``; off by default), make those ratings
    with ``is_default`` and channel ``default`` — left out of every rate. Both
    kinds of service: tickets finished (一次一评) and cases completed (一事一评)
    N days ago, looking back a week so a stopped worker catches up. Each rating
    is its own transaction; a service rated meanwhile (or by another worker) is
    skipped by the unique key."""
    days = setting_get("rating.default_after_days")
    if not days:
        return 0
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=int(days))
    since = cutoff - dt.timedelta(days=7)
    tickets = (
        Ticket.objects.filter(
            status=Ticket.Status.DONE,
            finished_at__lt=cutoff,
            finished_at__gte=since,
            rating__isnull=True,
            rating_code__isnull=False,
        )
        .order_by("finished_at")
        .values_list("rating_code", flat=True)[:limit]
    )
    cases = (
        Case.objects.filter(
            status__in=(CaseStatus.COMPLETED, CaseStatus.DELIVERED),
            completed_at__lt=cutoff,
            completed_at__gte=since,
            rating__isnull=True,
            rating_code__isnull=False,
        )
        .order_by("completed_at")
        .values_list("rating_code", flat=True)[:limit]
    )
    made = 0
    for code in [*tickets, *cases]:
        try:
            with transaction.atomic():
                rating_write(
                    rating_prepare(
                        rating_code=code,
                        level=Rating.Level.GOOD,
                        channel=Rating.Channel.DEFAULT,
                        reasons=[],
                        comment="",
                        phone="",
                        device=None,
                        source_ip=None,
                        now=now,
                        is_default=True,
                    )
                )
            made += 1
        except (Conflict, NotFound):
            continue
    return made
