"""Items past a deadline: each stage of a rectification or complaint that fell
late is flagged once (an ``OverdueNotice``, a timeline event and an audit
entry), and its handler gets an SMS when a reminder number is on file."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.sms import public_link, sms_send

from ..events import event_record
from ..models import Complaint, OverdueNotice, Rectification, StaffPhone

log = logging.getLogger("yichuang.feedback")

SMS_ATTEMPTS = 3


def _overdue_candidates(today: dt.date) -> list[tuple[str, QuerySet[Any], str]]:
    """(stage, the items late at that stage and not yet flagged, due-date field)."""
    R, C, S = Rectification, Complaint, OverdueNotice.Stage
    late_rects = R.objects.select_related("handler")
    late_complaints = C.objects.select_related("handler")
    return [
        (
            S.CALLBACK,
            late_rects.filter(
                status__in=(R.Status.NEW, R.Status.ASSIGNED), callback_due__lt=today
            ).exclude(overdue_notices__stage=S.CALLBACK),
            "callback_due",
        ),
        (
            S.RECTIFY,
            late_rects.filter(status__in=R.BEFORE_FEEDBACK, rectify_due__lt=today).exclude(
                overdue_notices__stage=S.RECTIFY
            ),
            "rectify_due",
        ),
        (
            S.REPLY,
            late_complaints.filter(status__in=C.AWAITING_REPLY, due_date__lt=today).exclude(
                Exists(
                    OverdueNotice.objects.filter(
                        complaint=OuterRef("pk"), stage=S.REPLY, round=OuterRef("reopen_count")
                    )
                )
            ),
            "due_date",
        ),
        (
            S.REASONS,
            late_complaints.filter(
                status__in=C.AWAITING_REPLY, reasons_due__lt=today, explained_at__isnull=True
            ).exclude(
                Exists(
                    OverdueNotice.objects.filter(
                        complaint=OuterRef("pk"), stage=S.REASONS, round=OuterRef("reopen_count")
                    )
                )
            ),
            "reasons_due",
        ),
    ]


def overdue_flag(*, today: dt.date | None = None, limit: int = 500) -> int:
    """Flag every rectification and complaint whose stage passed its deadline
    (call-back, rectification and feedback, reply, "办不成事" reasons): one
    ``OverdueNotice`` per item, stage and round — shown on the director's board
    and the handler's desk — with an audit entry and a timeline event, and an
    SMS queued for the handler when a reminder number is on file. Several
    workers are safe: the notice's unique key lets only one of them flag an item."""
    today = today or timezone.localdate()
    made = 0
    for stage, candidates, due_field in _overdue_candidates(today):
        for item in candidates.order_by(due_field, "pk")[:limit]:
            if _overdue_notice_open(item, stage, getattr(item, due_field)):
                made += 1
    return made


def _overdue_notice_open(item: Rectification | Complaint, stage: str, due: dt.date) -> bool:
    is_rect = isinstance(item, Rectification)
    round_ = 0 if is_rect else item.reopen_count
    key = f"{'rect' if is_rect else 'complaint'}:{item.pk}:{stage}:{round_}"
    phone = _staff_phone(item.handler_id)
    notice = OverdueNotice(
        key=key,
        stage=stage,
        rectification=item if is_rect else None,
        complaint=None if is_rect else item,
        round=round_,
        due_date=due,
        centre_id=item.centre_id,
        department_id=item.department_id,
        handler_id=item.handler_id,
        sms_status=OverdueNotice.Sms.PENDING if phone else OverdueNotice.Sms.NONE,
    )
    with transaction.atomic():
        try:
            with transaction.atomic():
                notice.save(force_insert=True)
        except IntegrityError:
            return False  # another worker flagged it first
        note = _("%(stage)s（期限 %(due)s）") % {
            "stage": notice.get_stage_display(),
            "due": due.isoformat(),
        }
        if isinstance(item, Rectification):
            event_record(
                "rectification.overdue",
                rectification=item,
                rating_id=item.rating_id,
                note=note,
                old=item.status,
                new=item.status,
            )
        else:
            event_record(
                "complaint.overdue", complaint=item, note=note, old=item.status, new=item.status
            )
        audit_record(
            "feedback.overdue",
            obj=item,
            stage=stage,
            due=due.isoformat(),
            handler=item.handler_id,
            notice=notice.pk,
        )
    return True


def _staff_phone(user_id: int | None) -> str:
    if not user_id:
        return ""
    row = StaffPhone.objects.filter(user_id=user_id).first()
    return row.phone if row else ""


def overdue_sms_send(*, limit: int = 100) -> int:
    """Send the queued overdue SMS, each once: a notice is claimed with a
    conditional UPDATE (pending → sending) before its SMS goes out, so two
    workers never send the same one; a failed send is retried on later passes,
    up to three attempts."""
    sent = 0
    Sms = OverdueNotice.Sms
    ids = list(
        OverdueNotice.objects.filter(sms_status=Sms.PENDING)
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        if not OverdueNotice.objects.filter(pk=pk, sms_status=Sms.PENDING).update(
            sms_status=Sms.SENDING, sms_attempts=F("sms_attempts") + 1, updated_at=timezone.now()
        ):
            continue
        notice = OverdueNotice.objects.select_related("rectification", "complaint").get(pk=pk)
        phone = _staff_phone(notice.handler_id)
        try:
            if not phone:
                raise ValueError("no reminder number on file")
            sms_send(phone, overdue_sms_text(notice))
        except Exception:
            log.exception("overdue SMS for %s failed", notice.key)
            retry = notice.sms_attempts < SMS_ATTEMPTS and bool(phone)
            OverdueNotice.objects.filter(pk=pk).update(
                sms_status=Sms.PENDING if retry else Sms.FAILED, updated_at=timezone.now()
            )
            continue
        now = timezone.now()
        OverdueNotice.objects.filter(pk=pk).update(sms_status=Sms.SENT, sms_at=now, updated_at=now)
        sent += 1
    return sent


def overdue_sms_text(notice: OverdueNotice) -> str:
    due = notice.due_date.strftime("%m-%d")
    if notice.rectification_id:
        return _("【一窗】差评整改单 %(n)s %(stage)s（期限 %(due)s），请尽快办理：%(u)s") % {
            "n": notice.rectification_id,
            "stage": notice.get_stage_display(),
            "due": due,
            "u": public_link(f"/feedback/rectifications/{notice.rectification_id}"),
        }
    assert notice.complaint is not None
    return _("【一窗】诉求 %(r)s %(stage)s（期限 %(due)s），请尽快办理：%(u)s") % {
        "r": notice.complaint.reference,
        "stage": notice.get_stage_display(),
        "due": due,
        "u": public_link(f"/feedback/complaints/{notice.complaint_id}"),
    }
