"""What the director records about a peak alert."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Forbidden, Unprocessable

from ..models import QueueAlert
from ..permissions import is_director


@transaction.atomic
def alert_handle(
    *, alert: QueueAlert, actor, action: str, now: dt.datetime | None = None
) -> QueueAlert:
    """The director records what was done about a peak alert."""
    now = now or timezone.now()
    if not is_director(actor):
        raise Forbidden("queueing.alert_forbidden", _("只有中心主任可以处置预警。"))
    if not (action or "").strip():
        raise Unprocessable("queueing.action_required", _("请填写处置措施。"))
    alert = QueueAlert.objects.select_for_update().get(pk=alert.pk)
    alert.action_taken = action.strip()[:200]
    alert.handled_by = actor
    alert.resolved_at = alert.resolved_at or now
    alert.save(update_fields=["action_taken", "handled_by", "resolved_at", "updated_at"])
    audit_record("queueing.alert_handle", actor=actor, obj=alert, action=alert.action_taken)
    return alert
