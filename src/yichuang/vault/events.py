"""The vault's event writer: one row of a person's access log for every read
of the person's data (a document read for a case, a lookup at the window, an
unmasked ID number), written in the transaction of the read."""

from __future__ import annotations

from typing import Any

from yichuang.lib.crypto import redact_id_numbers
from yichuang.org.models import Centre, Department
from yichuang.org.scopes import staff_of

from .models import AccessLog, Consent, Document


def access_logged(
    *,
    person_id: int,
    kind: str,
    actor: Any,
    purpose: str,
    basis: str,
    document: Document | None = None,
    consent: Consent | None = None,
    case_id: int | None = None,
    case_label: str = "",
    department: Department | None = None,
    centre: Centre | None = None,
) -> AccessLog:
    """Record who read what of the person, for which case, why and on what
    basis; the department and centre default to the actor's staff record."""
    staff = staff_of(actor)
    if staff is not None:
        department = department or staff.department
        centre = centre or staff.centre
    return AccessLog.objects.create(
        person_id=person_id,
        document=document,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=getattr(actor, "display_name", "") or getattr(actor, "username", ""),
        department=department,
        centre=centre,
        case_id=case_id,
        case_label=redact_id_numbers(case_label),
        purpose=redact_id_numbers(purpose),  # typed at a screen: no ID number in clear
        basis=basis,
        consent=consent,
    )
