"""Appeals (申诉) against bad ratings, and the exclusion of a rating when an
appeal is upheld."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.crypto import redact_id_numbers
from yichuang.lib.errors import Conflict, Forbidden, NotFound, Unprocessable
from yichuang.org.scopes import staff_of

from .. import sql
from ..events import event_record
from ..models import Appeal, Rating
from ..permissions import is_reviewer
from ..selectors import ratings_for
from .common import MAX_COMMENT


@transaction.atomic
def appeal_file(*, rating: Rating, kind: str, reason: str, actor) -> Appeal:
    """The clerk of a bad rating (or its handler) appeals it as mistaken or malicious."""
    staff = staff_of(actor)
    rect = getattr(rating, "rectification", None)
    is_clerk = staff is not None and rating.clerk_id == staff.pk
    is_handler = rect is not None and rect.handler_id == actor.pk
    if not (is_clerk or is_handler):
        raise Forbidden("feedback.not_your_rating", _("只有被评价的工作人员或承办人可以申诉。"))
    if not rating.is_bad:
        raise Unprocessable("feedback.appeal_not_bad", _("只能对差评提出申诉。"))
    if rating.excluded:
        raise Conflict("feedback.already_excluded", _("该评价已被剔除。"))
    if kind not in Appeal.Kind.values:
        raise Unprocessable("feedback.bad_appeal_kind", _("申诉类型须为误评或恶意评价。"))
    reason = redact_id_numbers((reason or "").strip())
    if len(reason) < 4:
        raise Unprocessable("feedback.appeal_reason_required", _("请写明申诉理由。"))
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                rating=rating, kind=kind, reason=reason[:MAX_COMMENT], filed_by=actor
            )
    except IntegrityError:
        raise Conflict("feedback.appeal_pending", _("该评价已有待审核的申诉。")) from None
    event_record(
        "appeal.filed", appeal=appeal, rating=rating, actor=actor, new=appeal.status, note=reason
    )
    return appeal


def appeal_file_for_verdict(*, rating: Rating, finding: str, actor) -> Appeal | None:
    finding = redact_id_numbers(finding or "")
    """A handler found a bad rating unsubstantiated: file it as mistaken for
    the reviewer, unless it is excluded or an appeal is already pending (the
    caller holds the transaction)."""
    if rating.excluded:
        return None
    if Appeal.objects.filter(rating=rating, status=Appeal.Status.PENDING).exists():
        return None
    appeal = Appeal.objects.create(
        rating=rating, kind=Appeal.Kind.MISTAKEN, reason=finding.strip(), filed_by=actor
    )
    event_record(
        "appeal.filed", appeal=appeal, rating=rating, actor=actor, new=appeal.status, note=finding
    )
    return appeal


@transaction.atomic
def appeal_decide(*, appeal: Appeal, upheld: bool, note: str = "", actor) -> Appeal:
    """A reviewer (director) decides; an upheld appeal excludes the rating from
    every rate, with the reason, and keeps it."""
    note = redact_id_numbers(note or "")
    if not is_reviewer(actor):
        raise Forbidden("feedback.not_reviewer", _("只有中心主任可以审核申诉。"))
    appeal = Appeal.objects.select_for_update().select_related("rating").get(pk=appeal.pk)
    if not ratings_for(actor).filter(pk=appeal.rating_id).exists():
        raise NotFound("feedback.appeal_not_found", _("没有找到该申诉。"))
    if appeal.filed_by_id == actor.pk:
        raise Forbidden("feedback.own_appeal", _("不能审核自己提出的申诉。"))
    if appeal.status != Appeal.Status.PENDING:
        raise Conflict("feedback.appeal_decided", _("该申诉已审核。"))
    old = appeal.status
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.REJECTED
    appeal.decided_by = actor
    appeal.decision_note = (note or "")[:300]
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "decided_by", "decision_note", "decided_at", "updated_at"])
    event_record(
        "appeal.decided",
        appeal=appeal,
        rating=appeal.rating,
        actor=actor,
        old=old,
        new=appeal.status,
        note=note,
    )
    if upheld:
        _rating_exclude(appeal=appeal, actor=actor)
    return appeal


def _rating_exclude(*, appeal: Appeal, actor) -> None:
    """Leave the appealed rating out of every rate: mark it excluded (the one
    change a rating sees) and move its count in the roll-up."""
    rating = Rating.objects.select_for_update().get(pk=appeal.rating_id)
    if rating.excluded:
        return
    rating.excluded = True
    rating.exclusion_reason = (
        f"{appeal.get_kind_display()}：{appeal.decision_note or appeal.reason}"
    )[:300]
    rating.excluded_at = appeal.decided_at
    rating.save(update_fields=["excluded", "exclusion_reason", "excluded_at"])
    sql.rating_day_add(rating, f"n{rating.level}", -1)
    sql.rating_day_add(rating, "n_excluded", 1)
    event_record(
        "rating.excluded",
        rating=rating,
        appeal=appeal,
        actor=actor,
        old="valid",
        new="excluded",
        note=rating.exclusion_reason,
    )
