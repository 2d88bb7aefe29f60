"""What changes the knowledge base: articles written (each edit a new
version), published after review, clerks' flags raised and resolved, and the
searches that found nothing logged. One transaction each; an event row per
state change; the search index follows every publication."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from yichuang.catalog.models import Item
from yichuang.lib.audit import audit_record
from yichuang.lib.crypto import redact_id_numbers
from yichuang.lib.errors import Conflict, Forbidden, Unprocessable
from yichuang.org.calendar import add_workdays
from yichuang.org.models import BusinessLine
from yichuang.org.scopes import staff_of

from .indexing import reindex_article
from .models import (
    Article,
    ArticleEvent,
    ArticleFlag,
    ArticleVersion,
    Kind,
    Moment,
    SearchMiss,
    SearchToken,
)
from .permissions import editor_lines, is_county_editor, require_editor, require_publisher
from .sanitise import sanitise_html
from .text import mask_phones

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_ATTACHMENT = 10 * 1024 * 1024
FLAG_WORKDAYS = 5


@dataclass
class ArticleContent:
    """What an editor writes for one version (validated at the edge; the
    action checks what needs the database)."""

    title: str
    body: str = ""
    issuer: str = ""
    doc_number: str = ""
    effective_from: dt.date | None = None
    expires_on: dt.date | None = None
    superseded_by: int | None = None
    rests_on: int | None = None
    moment: str = ""
    replacement: str = ""
    attachment: bytes | None = None
    attachment_name: str = ""
    items: list[str] | None = None
    lines: list[str] | None = None


def check_pdf(data: bytes) -> None:
    """An attachment must be a PDF (its magic bytes) of at most 10 MB."""
    if len(data) > MAX_ATTACHMENT:
        raise Unprocessable(
            "knowledge.attachment_too_large",
            _("附件不能超过 10 MB。"),
            max_bytes=MAX_ATTACHMENT,
        )
    if not data.lstrip()[:5] == b"%PDF-" or b"%%EOF" not in data[-1024:]:
        raise Unprocessable("knowledge.not_pdf", _("附件必须是 PDF 文件。"))


def _lines(actor, codes: list[str] | None, default) -> list[BusinessLine]:
    if codes is None:
        return list(default)
    found = {line.code: line for line in BusinessLine.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        message = _("没有这些业务条线：%(codes)s") % {"codes": "、".join(unknown)}
        raise Unprocessable("knowledge.unknown_line", message, field="lines")
    allowed = set(editor_lines(actor).values_list("code", flat=True))
    outside = sorted(set(found) - allowed)
    if outside:
        raise Forbidden(
            "knowledge.line_out_of_scope",
            _("您不负责这些业务条线：%(codes)s") % {"codes": "、".join(outside)},
        )
    return [found[c] for c in codes if c in found]


def _items(codes: list[str] | None) -> list[Item] | None:
    if codes is None:
        return None
    found = {item.code: item for item in Item.objects.filter(code__in=codes)}
    unknown = sorted(set(codes) - set(found))
    if unknown:
        message = _("没有这些事项：%(codes)s") % {"codes": "、".join(unknown)}
        raise Unprocessable("knowledge.unknown_item", message, field="items")
    return [found[c] for c in codes if c in found]


def _policy(article_id: int | None, field_name: str) -> Article | None:
    if article_id is None:
        return None
    policy = Article.objects.filter(pk=article_id, kind=Kind.POLICY).first()
    if policy is None:
        raise Unprocessable(
            "knowledge.unknown_policy",
            _("引用的政策文件不存在。"),
            field=field_name,
        )
    return policy


def _version(*, article: Article, actor, content: ArticleContent, number: int) -> ArticleVersion:
    title = " ".join((content.title or "").split())
    if not title:
        raise Unprocessable("knowledge.title_required", _("请填写标题。"), field="title")
    if len(title) > MAX_TITLE or len(content.body or "") > MAX_BODY:
        raise Unprocessable("knowledge.too_long", _("标题不超过 200 字，正文不超过 5 万字。"))
    if (
        content.effective_from
        and content.expires_on
        and content.expires_on < content.effective_from
    ):
        raise Unprocessable(
            "knowledge.bad_dates", _("失效日期不能早于施行日期。"), field="expires_on"
        )
    if content.moment and content.moment not in Moment.values:
        raise Unprocessable("knowledge.bad_moment", _("服务环节不正确。"), field="moment")
    successor = _policy(content.superseded_by, "superseded_by")
    if successor is not None and successor.pk == article.pk:
        raise Unprocessable(
            "knowledge.bad_successor", _("政策文件不能被自身替代。"), field="superseded_by"
        )
    version = ArticleVersion(
        article=article,
        number=number,
        title=title,
        body=sanitise_html(content.body or ""),
        issuer=content.issuer.strip(),
        doc_number=content.doc_number.strip(),
        effective_from=content.effective_from,
        expires_on=content.expires_on,
        superseded_by=successor,
        rests_on=_policy(content.rests_on, "rests_on"),
        moment=content.moment,
        replacement=content.replacement.strip(),
        author=actor,
    )
    if content.attachment is not None:
        check_pdf(content.attachment)
        name = (content.attachment_name or "attachment").rsplit("/", 1)[-1][:80]
        if not name.lower().endswith(".pdf"):
            name += ".pdf"
        version.attachment.save(name, ContentFile(content.attachment), save=False)
    version.save()
    return version


@transaction.atomic
def article_create(
    *, actor, kind: str, content: ArticleContent, publish: bool = False, code: str | None = None
) -> Article:
    """A new article with its first version (a draft, or published at once
    when ``publish`` and the actor may publish it)."""
    require_editor(actor)
    if kind not in Kind.values:
        raise Unprocessable("knowledge.bad_kind", _("类型必须是政策文件、问答或服务用语。"))
    if publish and not is_county_editor(actor):
        # The author may not publish his own draft (docs/knowledge.md).
        require_publisher(actor, ArticleVersion(author=actor))
    staff = staff_of(actor)
    department = staff.department if staff and staff.department_id else None
    default_lines = department.lines.all() if department else []
    lines = _lines(actor, content.lines, default_lines)
    if not lines and not is_county_editor(actor):
        raise Unprocessable("knowledge.line_required", _("请选择业务条线。"), field="lines")
    items = _items(content.items)
    article = Article.objects.create(
        kind=kind,
        title=" ".join(content.title.split())[:MAX_TITLE] or "-",
        code=code or None,
        department=department,
        editor=actor,
    )
    article.lines.set(lines)
    if items:
        article.items.set(items)
    version = _version(article=article, actor=actor, content=content, number=1)
    ArticleEvent.objects.create(
        article=article,
        version=version,
        kind=ArticleEvent.Kind.CREATED,
        new_status=Article.Status.DRAFT,
        actor=actor,
    )
    audit_record("knowledge.article_create", actor=actor, obj=article, kind=kind)
    if publish:
        _publish(actor=actor, article=article, version=version)
    return article


@transaction.atomic
def article_edit(*, actor, article: Article, content: ArticleContent) -> ArticleVersion:
    """A new version of ``article`` (a draft: the published one stays current
    until this one is published). Items and lines are replaced when given."""
    require_editor(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    if content.lines is not None:
        article.lines.set(_lines(actor, content.lines, []))
    items = _items(content.items)
    if items is not None:
        article.items.set(items)
    last = article.versions.order_by("-number").values_list("number", flat=True).first() or 0
    version = _version(article=article, actor=actor, content=content, number=last + 1)
    article.title = version.title
    article.editor = actor
    article.save(update_fields=["title", "editor", "updated_at"])
    ArticleEvent.objects.create(
        article=article,
        version=version,
        kind=ArticleEvent.Kind.EDITED,
        old_status=article.status,
        new_status=article.status,
        actor=actor,
    )
    audit_record("knowledge.article_edit", actor=actor, obj=article, version=version.number)
    if article.status == Article.Status.PUBLISHED and (content.items or content.lines):
        reindex_article(article)
    return version


@transaction.atomic
def article_publish(*, actor, article: Article) -> ArticleVersion:
    """Publish the newest unpublished version of ``article``: it becomes the
    current version, readers and the search see it. The author may not
    publish his own version unless he is the county admin."""
    require_editor(actor)
    article = Article.objects.select_for_update().get(pk=article.pk)
    version = article.versions.filter(published_at__isnull=True).order_by("-number").first()
    if version is None:
        raise Conflict("knowledge.nothing_to_publish", _("没有待发布的新版本。"))
    require_publisher(actor, version)
    return _publish(actor=actor, article=article, version=version)


def _publish(*, actor, article: Article, version: ArticleVersion) -> ArticleVersion:
    now = timezone.now()
    version.published_at = now
    version.published_by = actor
    version.save(update_fields=["published_at", "published_by", "updated_at"])
    old_status = article.status
    article.current_version = version
    article.status = Article.Status.PUBLISHED
    article.title = version.title
    article.valid_until = version.valid_until()
    article.save(update_fields=["current_version", "status", "title", "valid_until", "updated_at"])
    ArticleEvent.objects.create(
        article=article,
        version=version,
        kind=ArticleEvent.Kind.PUBLISHED,
        old_status=old_status,
        new_status=article.status,
        actor=actor,
    )
    audit_record("knowledge.article_publish", actor=actor, obj=article, version=version.number)
    reindex_article(article)
    _refresh_superseded(article)
    return version


def _refresh_superseded(successor: Article) -> None:
    """The policies this article supersedes end the day before it takes effect."""
    for old in Article.objects.filter(current_version__superseded_by=successor).select_related(
        "current_version__superseded_by__current_version"
    ):
        until = old.current_version.valid_until()
        if until != old.valid_until:
            old.valid_until = until
            old.save(update_fields=["valid_until", "updated_at"])
            SearchToken.objects.filter(doc_kind=old.kind, doc_id=old.pk).update(valid_until=until)


@transaction.atomic
def flag_raise(
    *,
    actor,
    reason: str,
    article: Article | None = None,
    note: str = "",
    query: str = "",
    item: Item | None = None,
) -> ArticleFlag:
    """A clerk reports a wrong, outdated or missing answer. It goes to the
    article's editor with a deadline of five working days."""
    if reason not in ArticleFlag.Reason.values:
        raise Unprocessable("knowledge.bad_reason", _("请选择问题类型。"), field="reason")
    if article is None and reason != ArticleFlag.Reason.MISSING:
        raise Unprocessable("knowledge.article_required", _("请指明有问题的条目。"))
    if article is None and not query.strip() and item is None:
        raise Unprocessable("knowledge.query_required", _("请说明没有找到答案的问题。"))
    line = article.lines.first() if article else (item.lines.first() if item else None)
    flag = ArticleFlag.objects.create(
        article=article,
        reason=reason,
        note=mask_phones(redact_id_numbers(note.strip()))[:500],
        query=mask_phones(redact_id_numbers(query.strip()))[:200],
        item=item,
        line=line,
        raised_by=actor,
        assigned_to=article.editor if article else None,
        due_date=add_workdays(timezone.localdate(), FLAG_WORKDAYS),
    )
    if article is not None:
        ArticleEvent.objects.create(
            article=article,
            kind=ArticleEvent.Kind.FLAGGED,
            actor=actor,
            note=flag.get_reason_display(),
        )
    return flag


@transaction.atomic
def flag_resolve(*, actor, flag: ArticleFlag, status: str, resolution: str = "") -> ArticleFlag:
    """The editor closes a flag: resolved (the article fixed) or dismissed."""
    require_editor(actor)
    if status not in (ArticleFlag.Status.RESOLVED, ArticleFlag.Status.DISMISSED):
        raise Unprocessable("knowledge.bad_status", _("处理结果不正确。"), field="status")
    updated = ArticleFlag.objects.filter(pk=flag.pk, status=ArticleFlag.Status.OPEN).update(
        status=status,
        resolution=resolution.strip()[:500],
        resolved_at=timezone.now(),
        resolved_by=actor,
        updated_at=timezone.now(),
    )
    if not updated:
        raise Conflict("knowledge.flag_closed", _("该反馈已处理。"))
    flag.refresh_from_db()
    if flag.article_id is not None:
        ArticleEvent.objects.create(
            article_id=flag.article_id,
            kind=ArticleEvent.Kind.FLAG_RESOLVED,
            actor=actor,
            note=flag.get_status_display(),
        )
    return flag


def search_miss_record(
    *, query: str, user=None, kinds: list[str] | tuple[str, ...] | None = None, item_code: str = ""
) -> SearchMiss:
    """Log a search that found nothing, with ID numbers and phone numbers
    in the query masked."""
    return SearchMiss.objects.create(
        query=mask_phones(redact_id_numbers(query.strip()))[:200],
        user=user if user is not None and user.is_authenticated else None,
        kinds=",".join(kinds or [])[:60],
        item_code=item_code[:40],
    )
