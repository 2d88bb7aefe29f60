"""A citizen's contact details, shown to the handler alone, every view logged."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Forbidden

from ..models import Complaint, ContactView, Rectification


@transaction.atomic
def contact_reveal(
    *,
    rectification: Rectification | None = None,
    complaint: Complaint | None = None,
    actor,
    source_ip: str | None = None,
) -> dict[str, str]:
    """The rater's (or complainant's) contact details, for the handler only; each
    view is logged (ContactView + audit)."""
    target = rectification or complaint
    if target is None or target.handler_id != actor.pk:
        raise Forbidden("feedback.contact_handler_only", _("只有承办人可以查看联系方式。"))
    ContactView.objects.create(
        rectification=rectification, complaint=complaint, viewer=actor, source_ip=source_ip
    )
    audit_record(
        "feedback.contact_view", actor=actor, obj=target, source_ip=source_ip, success=True
    )
    if rectification is not None:
        return {"phone": rectification.contact_phone, "name": rectification.contact_name}
    assert complaint is not None
    return {"phone": complaint.phone, "name": complaint.name, "email": complaint.email}
