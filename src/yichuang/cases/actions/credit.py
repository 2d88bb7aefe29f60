"""Reading 失信记录 (credit records, docs/cases.md "Credit records"): a record is
written when a 告知承诺 commitment proves false (``verification``); staff who
oversee the cases read them here. A look-up by ID number is a read of a
person's data: it is audited, and a hit is written in the person's own access
log (``vault.person_lookup``), which the citizen sees on /m/my-data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from yichuang.lib.audit import audit_record
from yichuang.lib.errors import NotFound
from yichuang.vault import actions as vault
from yichuang.vault.models import Person

from ..models import CreditRecord
from ..permissions import require_credit_reader
from ..selectors import credit_records_for


@dataclass
class CreditLookup:
    person: Person | None
    records: list[CreditRecord]


@transaction.atomic
def credit_records_lookup(*, actor: Any, id_number: str, request: Any = None) -> CreditLookup:
    """The credit records in ``actor``'s scope of the person with ``id_number``
    (typed in full; found through its keyed hash). A bad number raises
    ``lib.invalid_id_number`` (422) before anything is written; otherwise the
    look-up is audited whether or not anything was found."""
    require_credit_reader(actor)
    person = vault.person_lookup(id_number=id_number, actor=actor, purpose=_("查询失信记录"))
    records = (
        list(credit_records_for(actor).filter(person=person)[:200]) if person is not None else []
    )
    audit_record(
        "cases.credit_lookup",
        actor=actor,
        request=request,
        object_type="vault.person",
        object_id=person.pk if person else "",
        found=person is not None,
        records=[r.pk for r in records],
    )
    return CreditLookup(person=person, records=records)


def credit_record_read(*, actor: Any, pk: int, request: Any = None) -> CreditRecord:
    """One record in ``actor``'s scope (404 ``cases.credit_not_found`` outside
    it, as for one that does not exist); the read is audited."""
    record = credit_records_for(actor).filter(pk=pk).first()
    if record is None:
        raise NotFound("cases.credit_not_found", _("没有找到该失信记录。"))
    require_credit_reader(actor)
    audit_record("cases.credit_viewed", actor=actor, request=request, obj=record)
    return record
