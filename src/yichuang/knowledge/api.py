"""HTTP API of the knowledge base: write and publish articles, read one with
its versions, and the one search over articles and catalogue items. Thin:
parse, fetch through the scoped selectors, call an action, shape the answer."""

from __future__ import annotations

import base64
import binascii

from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.responses import Status

from yichuang.catalog.models import Item
from yichuang.lib.errors import ErrorOut, NotFound, Unprocessable
from yichuang.lib.pagination import PageIn
from yichuang.org.auth import API_AUTH, caller_staff, staff_user

from . import actions, selectors
from .models import Article
from .schemas import ArticleIn, ArticleOut, SearchOut
from .search import ALL_KINDS

router = Router(tags=["knowledge"])


def _content(payload: ArticleIn) -> actions.ArticleContent:
    attachment = None
    if payload.attachment_base64:
        try:
            attachment = base64.b64decode(payload.attachment_base64, validate=True)
        except (binascii.Error, ValueError):
            raise Unprocessable("knowledge.not_pdf", _("附件必须是 PDF 文件。")) from None
    return actions.ArticleContent(
        title=payload.title,
        body=payload.body,
        issuer=payload.issuer,
        doc_number=payload.doc_number,
        effective_from=payload.effective_from,
        expires_on=payload.expires_on,
        superseded_by=payload.superseded_by,
        rests_on=payload.rests_on,
        moment=payload.moment,
        replacement=payload.replacement,
        attachment=attachment,
        attachment_name=payload.attachment_name,
        items=payload.items,
        lines=payload.lines,
    )


def article_out(user, article: Article) -> dict:
    article = (
        Article.objects.select_related("department", "current_version")
        .prefetch_related("lines", Prefetch("items", queryset=Item.objects.order_by("code")))
        .get(pk=article.pk)
    )
    versions = selectors.article_versions_for(user, article)
    return {
        "id": article.pk,
        "kind": article.kind,
        "status": article.status,
        "title": article.title,
        "department": article.department.name if article.department else None,
        "valid_until": article.valid_until,
        "expired": not article.is_current_on(timezone.localdate()),
        "current_version": article.current_version.number if article.current_version else None,
        "lines": [{"code": line.code, "name": line.name} for line in article.lines.all()],
        "items": [{"code": item.code, "name": item.name} for item in article.items.all()],
        "versions": [
            {
                "number": v.number,
                "title": v.title,
                "body": v.body,
                "issuer": v.issuer,
                "doc_number": v.doc_number,
                "effective_from": v.effective_from,
                "expires_on": v.expires_on,
                "superseded_by": v.superseded_by_id,
                "rests_on": v.rests_on_id,
                "moment": v.moment,
                "replacement": v.replacement,
                "attachment": v.attachment.name or None,
                "author": str(v.author) if v.author else None,
                "created_at": v.created_at,
                "published_at": v.published_at,
                "published_by": str(v.published_by) if v.published_by else None,
                "current": v.pk == article.current_version_id,
            }
            for v in versions
        ],
    }


@router.post(
    "/knowledge/articles",
    auth=API_AUTH,
    response={201: ArticleOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut},
)
def article_create(request, payload: ArticleIn):
    """Editors only (the county admin; department leads for their lines). A
    draft, or published at once with ``publish: true`` by someone who may
    publish it (not one's own draft, unless county admin: 403
    ``knowledge.self_publish``)."""
    user = staff_user(request)
    article = actions.article_create(
        actor=user, kind=payload.kind, content=_content(payload), publish=payload.publish
    )
    return Status(201, article_out(user, article))


@router.post(
    "/knowledge/articles/{article_id}/publish",
    auth=API_AUTH,
    response={200: ArticleOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut},
)
def article_publish(request, article_id: int):
    """Publishes the article's newest draft version. 404 outside the editor's
    lines; 403 ``knowledge.self_publish`` for one's own draft (unless county
    admin); 409 ``knowledge.nothing_to_publish``."""
    user = staff_user(request)
    article = selectors.get_editable_article_for(user, article_id)
    actions.article_publish(actor=user, article=article)
    return article_out(user, article)


@router.get(
    "/knowledge/articles/{article_id}",
    auth=None,
    response={200: ArticleOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
)
def article_detail(request, article_id: int):
    """The article with its versions (drafts for its editors only) and linked
    items. Anonymous callers read published Q&A only."""
    user = caller_staff(request)
    article = selectors.get_article_for(user, article_id)
    return article_out(user, article)


@router.get(
    "/knowledge/search",
    auth=None,
    response={200: SearchOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut},
)
def knowledge_search(
    request,
    page: Query[PageIn],
    q: str = "",
    kind: str | None = None,
    item: str | None = None,
    include_expired: bool = False,
):
    """Ranked published articles (``policy``, ``faq``, ``phrase``) and
    catalogue items (``item``, with ``code``). ``kind`` takes one kind or a
    comma-separated list; ``item`` an item code (that item and its
    articles). Anonymous callers get ``faq`` and ``item`` results only. A
    search that finds nothing is logged (ID and phone numbers masked)."""
    user = caller_staff(request)
    kinds = None
    if kind:
        kinds = [k.strip() for k in kind.split(",") if k.strip()]
        if not kinds or any(k not in ALL_KINDS for k in kinds):
            raise Unprocessable(
                "knowledge.bad_kind", _("kind 只能是 policy、faq、phrase 或 item。"), field="kind"
            )
    the_item = None
    if item:
        the_item = Item.objects.filter(code=item[:40]).first()
        if the_item is None:
            raise NotFound("knowledge.unknown_item", _("没有找到该事项。"))
    result = selectors.search(
        q,
        kinds=kinds,
        item=the_item,
        include_expired=include_expired,
        user=user,
        limit=page.limit,
        offset=page.offset,
    )
    if result.count == 0 and result.groups:
        actions.search_miss_record(
            query=q, user=user, kinds=kinds, item_code=the_item.code if the_item else ""
        )
    return {
        "items": [
            {
                "id": hit.id,
                "kind": hit.kind,
                "title": hit.title,
                "snippet": hit.snippet,
                "highlights": hit.highlights,
                "score": hit.score,
                "code": hit.code,
                "expired": hit.expired,
            }
            for hit in result.hits
        ],
        "count": result.count,
    }
