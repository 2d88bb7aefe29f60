"""Starting the improvement campaign (docs/domain.md, "The improvement
campaign"): a start date and the three phases from it. The work inside the
phases (tasks, progress reports, good practices, evaluations) is
``actions.campaign``."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yichuang.accounts.models import Role
from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Forbidden, Unprocessable
from yichuang.org.permissions import holds

from ..models import Campaign, CampaignPhase

# (number, name, first month, last month) — months counted from the start.
PHASES = [
    (1, gettext_lazy("排查整改"), 1, 3),
    (2, gettext_lazy("规范提升"), 4, 6),
    (3, gettext_lazy("巩固拓展"), 7, 12),
]


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


@transaction.atomic
def campaign_create(*, name: str, starts_on: dt.date, actor, description: str = "") -> Campaign:
    """A campaign with its three phases: months 1–3, 4–6 and 7–12 from the start."""
    if not holds(actor, Role.COUNTY_ADMIN, Role.CENTRE_DIRECTOR):
        raise Forbidden("supervision.not_allowed", _("只有县级管理员或主任可以发起提升行动。"))
    if not (name or "").strip():
        raise Unprocessable("supervision.name_required", _("请填写行动名称。"))
    campaign = Campaign.objects.create(
        name=name.strip()[:120], starts_on=starts_on, description=description, created_by=actor
    )
    for number, label, first, last in PHASES:
        CampaignPhase.objects.create(
            campaign=campaign,
            number=number,
            name=str(label),
            starts_on=add_months(starts_on, first - 1),
            ends_on=add_months(starts_on, last) - dt.timedelta(days=1),
        )
    audit_record("supervision.campaign_create", actor=actor, obj=campaign)
    return campaign
