"""Composed reads of the vault: people by ID number, the documents a person
may reuse, and what the citizen's own data page shows."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.lib.errors import NotFound
from yichuang.lib.idnumbers import validate_id_number

from .models import AccessLog, Document, Person, id_hash


def person_by_id_number(id_number: str) -> Person | None:
    return Person.objects.filter(id_hash=id_hash(validate_id_number(id_number))).first()


def get_document(pk: int) -> Document:
    doc = Document.objects.filter(pk=pk).first()
    if doc is None:
        raise NotFound("vault.document_not_found", _("没有找到该证照。"), document_id=pk)
    return doc


def reusable_documents(person: Person, day: dt.date | None = None) -> list[Document]:
    """The person's documents still valid, newest per type."""
    day = day or timezone.localdate()
    seen: dict[str, Document] = {}
    for doc in person.documents.valid_on(day).order_by("doc_type", "-created_at", "-id"):
        seen.setdefault(doc.doc_type, doc)
    return list(seen.values())


def access_log_for(person: Person, *, limit: int = 200) -> QuerySet[AccessLog]:
    """The newest reads of ``person``'s data, for the citizen's own page."""
    return AccessLog.objects.filter(person=person).select_related(
        "document", "department", "centre"
    )[:limit]
