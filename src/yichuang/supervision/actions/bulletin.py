"""The monthly bulletin (通报, docs/domain.md "Supervision"): the supervision
office or the director drafts it for a month (its figures are computed from
the ledger and the inspections while it is a draft), the county director
signs it off (the figures are frozen as signed), then publishes it to the
units it names. Each step is audited."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.insights.rollups import month_start
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Conflict, Forbidden, Unprocessable

from ..models import Bulletin
from ..selectors_bulletin import bulletin_figures, bulletin_number
from ..selectors_campaign import county_director, county_office


def _require_office(actor) -> None:
    if not county_office(actor):
        raise Forbidden(
            "supervision.not_allowed", _("只有县级督查室、主任或县级管理员可以起草通报。")
        )


def _require_director(actor) -> None:
    if not county_director(actor):
        raise Forbidden("supervision.not_director", _("通报须由县政务服务中心主任签发。"))


@transaction.atomic
def bulletin_draft(
    *, month: dt.date, actor, scope: str = "county", today: dt.date | None = None
) -> Bulletin:
    """The draft of a month's bulletin (made once; a draft's figures are
    computed when read, so drafting again returns the same row)."""
    _require_office(actor)
    today = today or timezone.localdate()
    month = month_start(month)
    if month > month_start(today):
        raise Unprocessable("supervision.future_month", _("不能起草尚未开始月份的通报。"))
    bulletin, created = Bulletin.objects.get_or_create(
        month=month, scope=scope, defaults={"created_by": actor}
    )
    if created:
        audit_record(
            "supervision.bulletin_draft", actor=actor, obj=bulletin, month=f"{month:%Y-%m}"
        )
    return bulletin


def _locked(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update().get(pk=bulletin.pk)


@transaction.atomic
def bulletin_sign(
    *, bulletin: Bulletin, actor, now: dt.datetime | None = None, request=None
) -> Bulletin:
    """The director signs the draft off: its figures are frozen as they are now."""
    _require_director(actor)
    bulletin = _locked(bulletin)
    if bulletin.status != Bulletin.Status.DRAFT:
        raise Conflict("supervision.bulletin_not_draft", _("该通报已签发，不能再次签发。"))
    now = now or timezone.now()
    figures = bulletin_figures(bulletin.month, bulletin.scope, timezone.localdate(now))
    figures["number"] = bulletin_number(bulletin)
    bulletin.figures = figures
    bulletin.status = Bulletin.Status.SIGNED
    bulletin.signed_by = actor
    bulletin.signed_at = now
    bulletin.save(update_fields=["figures", "status", "signed_by", "signed_at", "updated_at"])
    audit_record("supervision.bulletin_sign", actor=actor, obj=bulletin, request=request)
    return bulletin


@transaction.atomic
def bulletin_publish(
    *, bulletin: Bulletin, actor, now: dt.datetime | None = None, request=None
) -> Bulletin:
    """Published to the units the bulletin names: their leads see it."""
    _require_director(actor)
    bulletin = _locked(bulletin)
    if bulletin.status != Bulletin.Status.SIGNED:
        raise Conflict(
            "supervision.bulletin_not_signed",
            _("通报须先签发后才能公布。")
            if bulletin.status == Bulletin.Status.DRAFT
            else _("该通报已经公布。"),
        )
    bulletin.status = Bulletin.Status.PUBLISHED
    bulletin.published_at = now or timezone.now()
    bulletin.save(update_fields=["status", "published_at", "updated_at"])
    audit_record("supervision.bulletin_publish", actor=actor, obj=bulletin, request=request)
    return bulletin
