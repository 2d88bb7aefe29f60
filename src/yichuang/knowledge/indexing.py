"""Filling the search's token table: one row per distinct term per field of
each indexed document, and the vocabulary with the terms' pinyin keys.

An article is indexed when it is published (its current version; a draft is
never searched); a catalogue item when the worker or ``yichuang
reindex-knowledge`` sees it changed after the cursor (``catalog`` doesn't know
this app). Only published, active items are indexed."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Max

from yichuang.catalog.models import Item

from .models import Article, DocKind, IndexCursor, SearchTerm, SearchToken
from .text import index_terms, pinyin_keys, plain_text

TITLE_WEIGHT = 10
BODY_WEIGHT = 1
ITEMS_CURSOR = "items"


def _write(doc_kind: str, doc_id: int, title: str, body: str, valid_until=None) -> int:
    """Replace the document's tokens; returns how many were written."""
    SearchToken.objects.filter(doc_kind=doc_kind, doc_id=doc_id).delete()
    title_terms = index_terms(title)
    body_terms = index_terms(body) - title_terms
    rows = [
        SearchToken(
            doc_kind=doc_kind,
            doc_id=doc_id,
            term=term,
            field=SearchToken.Field.TITLE,
            weight=TITLE_WEIGHT,
            valid_until=valid_until,
        )
        for term in sorted(title_terms)
    ] + [
        SearchToken(
            doc_kind=doc_kind,
            doc_id=doc_id,
            term=term,
            field=SearchToken.Field.BODY,
            weight=BODY_WEIGHT,
            valid_until=valid_until,
        )
        for term in sorted(body_terms)
    ]
    SearchToken.objects.bulk_create(rows, batch_size=500)
    vocabulary_add(title_terms | body_terms)
    return len(rows)


def vocabulary_add(terms: set[str]) -> None:
    """Add the terms the vocabulary lacks, with their pinyin keys."""
    if not terms:
        return
    known = set(SearchTerm.objects.filter(term__in=terms).values_list("term", flat=True))
    new = []
    for term in sorted(terms - known):
        full, initials = pinyin_keys(term)
        new.append(SearchTerm(term=term, pinyin=full, initials=initials, length=len(term)))
    SearchTerm.objects.bulk_create(new, batch_size=500, ignore_conflicts=True)


def article_text(article: Article) -> tuple[str, str]:
    """The title and the body text an article is indexed under: the current
    version's content, and the names of its items and lines (a question
    about an item finds the item's answers)."""
    version = article.current_version
    assert version is not None
    parts = [plain_text(version.body)]
    for extra in (version.issuer, version.doc_number, version.replacement):
        if extra:
            parts.append(extra)
    parts.extend(item.name for item in article.items.all())
    parts.extend(line.name for line in article.lines.all())
    return version.title, "\n".join(parts)


@transaction.atomic
def reindex_article(article: Article) -> int:
    """Index the article's current version, or drop it from the index when it
    has none (never published) or isn't published."""
    if article.status != Article.Status.PUBLISHED or article.current_version_id is None:
        return SearchToken.objects.filter(doc_kind=article.kind, doc_id=article.pk).delete()[0]
    title, body = article_text(article)
    return _write(article.kind, article.pk, title, body, article.valid_until)


def item_text(item: Item) -> tuple[str, str]:
    version = item.current_version
    assert version is not None
    parts = [
        version.conditions,
        version.result,
        item.department.name,
        version.legal_basis[:2000],
    ]
    parts.extend(m.name for m in version.materials.all())
    parts.extend(line.name for line in item.lines.all())
    return version.name, "\n".join(p for p in parts if p)


@transaction.atomic
def reindex_item(item: Item) -> int:
    """Index the item's published version, or drop it when it has none or is
    inactive."""
    if not item.is_active or item.current_version_id is None:
        return SearchToken.objects.filter(doc_kind=DocKind.ITEM, doc_id=item.pk).delete()[0]
    title, body = item_text(item)
    return _write(DocKind.ITEM, item.pk, title, body)


def reindex_items_changed(*, since: dt.datetime | None = None) -> int:
    """Reindex the items changed after the cursor (or ``since``), then move
    the cursor to the newest change seen. Returns the number of items."""
    cursor, _ = IndexCursor.objects.get_or_create(name=ITEMS_CURSOR)
    start = since if since is not None else cursor.position
    items = Item.objects.select_related("current_version", "department")
    if start is not None:
        items = items.filter(updated_at__gt=start)
    newest = items.aggregate(newest=Max("updated_at"))["newest"]
    count = 0
    for item in items.order_by("updated_at", "id").prefetch_related(
        "lines", "current_version__materials"
    ):
        reindex_item(item)
        count += 1
    if newest is not None and (cursor.position is None or newest > cursor.position):
        cursor.position = newest
        cursor.save(update_fields=["position", "updated_at"])
    return count


def reindex_all() -> dict[str, int]:
    """Rebuild the whole index: every published article and item."""
    counts = {"articles": 0, "items": 0}
    with transaction.atomic():
        SearchToken.objects.all().delete()
        articles = Article.objects.published().select_related("current_version")
        for article in articles.prefetch_related("items", "lines"):
            reindex_article(article)
            counts["articles"] += 1
        IndexCursor.objects.filter(name=ITEMS_CURSOR).update(position=None)
    counts["items"] = reindex_items_changed()
    return counts


def reindex_tick() -> int:
    """The worker's job: items changed since the last tick."""
    return reindex_items_changed()
