"""Named reads of the knowledge base: one access helper per article (the
user's scope applied), the answers beside an item, the editors' queues of
flags and knowledge gaps. The search itself is ``knowledge.search.search``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.models import Item
from yichuang.lib.errors import NotFound

from .models import Article, ArticleFlag, ArticleVersion, Kind, SearchMiss
from .permissions import editable_articles, editor_lines, is_county_editor
from .search import SearchHit, SearchResult, search

__all__ = [
    "SearchHit",
    "SearchResult",
    "article_versions_for",
    "faqs_for_items",
    "flags_for",
    "get_article_for",
    "knowledge_gaps",
    "policies_for_item",
    "search",
]


def readable_articles(user) -> QuerySet[Article]:
    """Published articles a reader sees: every kind for staff, the Q&A for
    an anonymous citizen; plus, for an editor, his own lines' drafts."""
    if user is None or not user.is_authenticated:
        return Article.objects.published().filter(kind=Kind.FAQ)
    return Article.objects.filter(
        Q(status=Article.Status.PUBLISHED, current_version__isnull=False)
        | Q(pk__in=editable_articles(user).values("pk"))
    )


def get_article_for(user, article_id: int) -> Article:
    """The article if ``user`` may read it; otherwise 404 (an outsider is
    told nothing about another department's drafts)."""
    article = (
        readable_articles(user)
        .select_related("current_version", "department", "editor")
        .filter(pk=article_id)
        .first()
    )
    if article is None:
        raise NotFound("knowledge.article_not_found", _("没有找到该条目。"))
    return article


def get_editable_article_for(user, article_id: int) -> Article:
    """The article if ``user`` may edit and publish it; otherwise 404."""
    article = editable_articles(user).filter(pk=article_id).first()
    if article is None:
        raise NotFound("knowledge.article_not_found", _("没有找到该条目。"))
    return article


def article_versions_for(user, article: Article) -> list[ArticleVersion]:
    """The versions ``user`` may read, newest first: all for its editors, the
    published ones for everyone else (an old version stays readable)."""
    versions = article.versions.select_related("author", "published_by").order_by("-number")
    if not editable_articles(user).filter(pk=article.pk).exists():
        versions = versions.filter(published_at__isnull=False)
    return list(versions)


def faqs_for_items(
    items: Iterable[Item], *, limit: int = 5, today: dt.date | None = None
) -> list[Article]:
    """The published Q&A of ``items`` (a ticket's queue's items, a case's
    item), those linked to most of them first, then the newest."""
    today = today or timezone.localdate()
    return list(
        Article.objects.published()
        .filter(kind=Kind.FAQ, items__in=list(items))
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .annotate(hits=Count("items"))
        .select_related("current_version")
        .order_by("-hits", "-updated_at", "id")[:limit]
    )


def policies_for_item(item: Item, *, include_expired: bool = False) -> list[Article]:
    """The published policies linked to ``item`` (for the case intake)."""
    qs = Article.objects.published().filter(kind=Kind.POLICY, items=item)
    if not include_expired:
        today = timezone.localdate()
        qs = qs.filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
    return list(qs.select_related("current_version").order_by("title", "id"))


def flags_for(user, *, status: str | None = ArticleFlag.Status.OPEN) -> QuerySet[ArticleFlag]:
    """The flags an editor handles: on the articles he edits, and the
    missing answers of his lines; the county admin sees all."""
    flags = ArticleFlag.objects.select_related("article", "item", "raised_by")
    if status:
        flags = flags.filter(status=status)
    if is_county_editor(user):
        return flags
    return flags.filter(
        Q(article__in=editable_articles(user).values("pk"))
        | Q(article__isnull=True, line__in=editor_lines(user))
    )


def knowledge_gaps(*, since: dt.datetime | None = None, limit: int = 50) -> list[dict]:
    """The queries that found nothing since ``since`` (default: the last
    seven days), most frequent first: the county's list of knowledge gaps."""
    since = since or timezone.now() - dt.timedelta(days=7)
    return list(
        SearchMiss.objects.filter(created_at__gte=since)
        .values("query")
        .annotate(times=Count("id"))
        .order_by("-times", "query")[:limit]
    )
