"""The materials of an intake: the submitted entries matched onto the item's
materials, their sources checked (handed in, reused from the vault with a
legal basis or consent, or replaced by a 告知承诺 commitment), what still lacks,
and the receipt of each (the verification of a commitment: ``verification``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import prefetch_related_objects
from django.utils.translation import gettext as _

from yichuang.catalog.models import Item, ItemVersion, Material
from yichuang.lib.errors import Conflict, Unprocessable
from yichuang.org.models import Centre
from yichuang.vault import actions as vault
from yichuang.vault.models import Document, Person

from ..models import Case, MaterialReceipt

# How a material reached the case, by the entry's ``source``.
HOW = {
    "submitted": MaterialReceipt.How.SUBMITTED,
    "vault": MaterialReceipt.How.VAULT,
    "commitment": MaterialReceipt.How.COMMITTED,
}


@dataclass
class Unit:
    """One item of an intake: its version, the materials matched and what lacks."""

    version: ItemVersion
    provided: dict[str, dict[str, Any]] = field(default_factory=dict)  # code → entry
    missing: list[Material] = field(default_factory=list)
    gaps: list[Material] = field(default_factory=list)
    case: Case | None = None
    # False when this intake opened the case (nothing recorded for it yet).
    existing: bool = True


def published(item: Item) -> ItemVersion:
    """The item's current version, or 409 when it cannot be applied for."""
    version = item.current_version
    if version is None or not item.is_active:
        raise Conflict(
            "cases.item_unavailable",
            _("事项“%(n)s”已停用或没有现行版本，不能受理。") % {"n": item.name},
            item=item.code,
        )
    # The intake reads the version's materials several times and its item for
    # names and departments: load the materials once, reuse the item at hand.
    version.item = item
    prefetch_related_objects([version], "materials")
    return version


def match_units(
    units: list[Unit], materials: list[dict[str, Any]], *, bundle: bool
) -> dict[str, dict[str, Any]]:
    """Map the submitted entries onto each unit's materials: by material code for
    one item, by the bundle's deduplicated key for a bundle."""
    entries: dict[str, dict[str, Any]] = {}
    for entry in materials:
        code = str(entry.get("code", "")).strip()
        if code:
            entries[code] = entry
    known: set[str] = set()
    for unit in units:
        for m in unit.version.materials.all():
            key = m.dedup_key if bundle else m.code
            known.add(key)
            if key in entries:
                unit.provided[m.code] = entries[key]
    unknown = sorted(set(entries) - known)
    if unknown:
        raise Unprocessable(
            "cases.material_unknown",
            _("这些材料不属于该事项：%(c)s") % {"c": "、".join(unknown)},
            unknown=unknown,
        )
    return entries


def check_entries(
    units: list[Unit], person: Person, today: dt.date
) -> dict[int, tuple[Document, str, Any]]:
    """Validate every entry's source; returns the vault documents to read."""
    reads: dict[int, tuple[Document, str, Any]] = {}
    for unit in units:
        for m in unit.version.materials.all():
            entry = unit.provided.get(m.code)
            if entry is None:
                continue
            source = entry.get("source") or "submitted"
            if source == "prior":
                continue
            if source == "commitment" and not m.commitment:
                raise Unprocessable(
                    "cases.commitment_not_allowed",
                    _("材料“%(n)s”不能以告知承诺代替。") % {"n": m.name},
                    material=m.code,
                )
            if source == "vault":
                if not m.document_type:
                    raise Unprocessable(
                        "cases.material_not_reusable",
                        _("材料“%(n)s”不是证照，不能从证照库复用。") % {"n": m.name},
                        material=m.code,
                    )
                doc = vault.get_document(int(entry.get("document_id") or 0))
                basis, consent = vault.reuse_basis(
                    document=doc,
                    person=person,
                    doc_type=m.document_type,
                    item_code=unit.version.item.code,
                    day=today,
                )
                reads[doc.pk] = (doc, basis, consent)
            elif source not in ("submitted", "commitment"):
                raise Unprocessable(
                    "cases.material_source", _("材料来源不正确：%(s)s") % {"s": source}
                )
    return reads


def count_prior(unit: Unit) -> None:
    """What an earlier visit handed in still counts."""
    assert unit.case is not None
    for r in unit.case.materials.exclude(
        how__in=(MaterialReceipt.How.TOLERATED, MaterialReceipt.How.MISSING)
    ):
        unit.provided.setdefault(r.code, {"code": r.code, "source": "prior"})


def find_lacking(unit: Unit) -> None:
    """The required materials not provided (removable ones are never asked for)."""
    unit.missing = [
        m
        for m in unit.version.materials.all()
        if m.requirement == Material.Requirement.REQUIRED
        and not m.removable
        and m.code not in unit.provided
    ]


def record_materials(
    unit: Unit,
    reads: dict[int, tuple[Document, str, Any]],
    person: Person,
    *,
    actor: Any,
    centre: Centre,
    stored: dict[str, Document],
) -> None:
    """Record each provided material on the unit's case: read the vault
    documents (logged), keep the certificates handed in (``stored``: the ones
    kept by this intake, by type)."""
    case = unit.case
    assert case is not None
    existing = {r.code: r for r in case.materials.all()} if unit.existing else {}
    for m in unit.version.materials.all():
        entry = unit.provided.get(m.code)
        if entry is None:
            continue
        source = entry.get("source") or "submitted"
        if source == "prior":
            continue
        how = HOW[source]
        doc = None
        if source == "vault":
            doc, basis, consent = reads[int(entry["document_id"])]
            vault.document_read(
                document=doc,
                actor=actor,
                purpose=_("受理材料复用：%(m)s") % {"m": m.name},
                case_id=case.pk,
                case_label=f"{case.number} {case.title}",
                basis=basis,
                consent=consent,
                department=unit.version.item.department,
                centre=centre,
            )
        elif source == "submitted" and m.document_type in stored:
            doc = stored[m.document_type]
        elif source == "submitted" and m.document_type:
            doc = stored[m.document_type] = vault.document_store(
                person=person,
                doc_type=m.document_type,
                name=m.name,
                number=str(entry.get("number", "") or ""),
                issuer=str(entry.get("issuer", "") or ""),
                expires_on=entry.get("expires_on"),
                source_case_id=case.pk,
                centre=centre,
                department=unit.version.item.department,
                actor=actor,
            )
        row = existing.get(m.code)
        if row is None:
            MaterialReceipt.objects.create(
                case=case,
                code=m.code,
                name=m.name,
                document_type=m.document_type,
                how=how,
                document=doc,
            )
        elif row.how != how or row.document_id != (doc.pk if doc else None):
            row.how, row.document = how, doc
            row.save(update_fields=["how", "document", "updated_at"])
