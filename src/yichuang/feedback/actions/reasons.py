"""The bad-rating reason list and the complaint categories."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import Unprocessable

from ..defaults import CATEGORIES, REASONS_V1
from ..models import ComplaintCategory, Reason, ReasonList


def ensure_defaults() -> None:
    """The reason list v1 and the complaint categories (the data migration's
    rows; re-made after a test database flush)."""
    if not ReasonList.objects.exists():
        rl = ReasonList.objects.create(version=1, is_current=True, note="国办发〔2019〕51号")
        Reason.objects.bulk_create(
            [
                Reason(reason_list=rl, code=code, label=label, sort_order=i)
                for i, (code, label) in enumerate(REASONS_V1)
            ]
        )
    if not ComplaintCategory.objects.exists():
        ComplaintCategory.objects.bulk_create(
            [
                ComplaintCategory(
                    code=code,
                    name=name,
                    kind=kind,
                    group=group,
                    description=desc,
                    attributes=attrs,
                    sort_order=i,
                )
                for i, (code, name, kind, group, desc, _dept, attrs) in enumerate(CATEGORIES)
            ]
        )


@transaction.atomic
def reason_list_publish(*, reasons: list[tuple[str, str]], note: str = "", actor) -> ReasonList:
    """Publish a new version of the reason list; older ratings keep theirs."""
    if not reasons:
        raise Unprocessable("feedback.reasons_empty", _("差评原因清单不能为空。"))
    last = ReasonList.objects.select_for_update().order_by("-version").first()
    ReasonList.objects.filter(is_current=True).update(is_current=False)
    rl = ReasonList.objects.create(
        version=(last.version + 1) if last else 1, is_current=True, note=note
    )
    Reason.objects.bulk_create(
        [
            Reason(reason_list=rl, code=code, label=label, sort_order=i)
            for i, (code, label) in enumerate(reasons)
        ]
    )
    audit_record("feedback.reason_list_publish", actor=actor, obj=rl, version=rl.version)
    return rl
