"""The knowledge base (政策知识库): policies, Q&A and standard service phrases,
each a stable ``Article`` with numbered ``ArticleVersion`` rows (an edit makes
a new version; the old ones stay readable), reviewed before publication; the
search's own token table and vocabulary (``SearchToken``, ``SearchTerm``), the
synonym groups, clerks' flags on wrong or missing answers, and the log of
searches that found nothing.

Catalogue items are indexed here too (``doc_kind`` ``item``), so one ranking
covers articles and items; ``catalog`` never imports this app — the worker
reindexes items changed after a cursor (``IndexCursor``)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yichuang.catalog.models import Item
from yichuang.lib.append_only import AppendOnlyModel
from yichuang.org.models import BusinessLine, Department


class Kind(models.TextChoices):
    POLICY = "policy", _("政策文件")
    FAQ = "faq", _("问答")
    PHRASE = "phrase", _("服务用语")


class Moment(models.TextChoices):
    """The moments of service a standard phrase is for (文明用语), and the
    forbidden phrases (服务禁语) with the phrase to say instead."""

    GREETING = "greeting", _("迎客问候")
    MATERIALS = "materials", _("索要材料")
    REFUSING = "refusing", _("说明不予办理理由")
    APOLOGISING = "apologising", _("致歉")
    SEEING_OFF = "seeing_off", _("送别")
    FORBIDDEN = "forbidden", _("服务禁语")


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self):
        return self.filter(status=Article.Status.PUBLISHED, current_version__isnull=False)


class Article(models.Model):
    """One policy, Q&A or phrase, stable across its versions. ``title`` mirrors
    the newest version for listing; ``current_version`` is the published one
    that readers and the search see (``None`` until first published)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("已发布")

    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    # A stable key for imports and the demo (optional).
    code = models.SlugField(_("编号"), max_length=60, unique=True, null=True, blank=True)
    title = models.CharField(_("标题"), max_length=200)
    current_version = models.OneToOneField(
        "ArticleVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("现行版本"),
    )
    lines = models.ManyToManyField(
        BusinessLine, blank=True, related_name="articles", verbose_name=_("业务条线")
    )
    items = models.ManyToManyField(
        Item, blank=True, related_name="articles", verbose_name=_("关联事项")
    )
    department = models.ForeignKey(
        Department,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="articles",
        verbose_name=_("主管部门"),
    )
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("编辑人"),
    )
    # Denormalised from the current version, for the search's filter: the last
    # day the policy applies (``None``: no end); a superseded policy's is the
    # day before its successor took over, or the day it was marked.
    valid_until = models.DateField(_("有效期至"), null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-updated_at", "id"]
        verbose_name = _("知识条目")
        verbose_name_plural = _("知识条目")
        indexes = [models.Index(fields=["status", "kind"], name="knowledge_article_status")]

    def __str__(self) -> str:
        return self.title

    def is_current_on(self, day: dt.date | None = None) -> bool:
        """Not expired and not superseded on ``day`` (default today)."""
        day = day or timezone.localdate()
        return self.valid_until is None or self.valid_until >= day


class ArticleVersion(models.Model):
    """One version of an article: its content as written, and who published
    it when. Only one version of an article is current; the others stay
    readable. ``body`` is sanitised HTML (``knowledge.sanitise``)."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="versions", verbose_name=_("条目")
    )
    number = models.PositiveIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"), blank=True)
    # Policy documents.
    issuer = models.CharField(_("发文机关"), max_length=120, blank=True)
    doc_number = models.CharField(_("文号"), max_length=80, blank=True)
    effective_from = models.DateField(_("施行日期"), null=True, blank=True)
    expires_on = models.DateField(_("失效日期"), null=True, blank=True)
    superseded_by = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supersedes",
        verbose_name=_("被替代为"),
    )
    # Q&A: ``title`` is the question, ``body`` the answer.
    rests_on = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answers",
        verbose_name=_("政策依据"),
    )
    # Standard phrases: the moment of service; for a forbidden phrase, ``title``
    # is what not to say and ``replacement`` what to say instead.
    moment = models.CharField(_("服务环节"), max_length=12, choices=Moment.choices, blank=True)
    replacement = models.CharField(_("规范说法"), max_length=300, blank=True)
    attachment = models.FileField(_("附件（PDF）"), upload_to="knowledge/%Y/", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("撰写人"),
    )
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("发布人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["article_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="uniq_article_version"),
        ]
        verbose_name = _("条目版本")
        verbose_name_plural = _("条目版本")

    def __str__(self) -> str:
        return f"{self.title} v{self.number}"

    @property
    def question(self) -> str:
        return self.title

    @property
    def answer(self) -> str:
        return self.body

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    def valid_until(self, today: dt.date | None = None) -> dt.date | None:
        """The last day this version's policy applies (``None``: no end): its
        expiry, or for a superseded policy the day before its successor took
        effect (the day before ``today`` when the successor gives no date)."""
        ends = [self.expires_on] if self.expires_on else []
        if self.superseded_by_id is not None:
            successor = self.superseded_by.current_version if self.superseded_by else None
            start = successor.effective_from if successor else None
            ends.append((start or today or timezone.localdate()) - dt.timedelta(days=1))
        return min(ends) if ends else None


class ArticleEvent(AppendOnlyModel):
    """One row per state change of an article (created, edited, published,
    flag raised or resolved): the audit trail and the article's history."""

    class Kind(models.TextChoices):
        CREATED = "created", _("创建")
        EDITED = "edited", _("修改")
        PUBLISHED = "published", _("发布")
        FLAGGED = "flagged", _("反馈问题")
        FLAG_RESOLVED = "flag_resolved", _("处理反馈")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events")
    version = models.ForeignKey(
        ArticleVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    old_status = models.CharField(max_length=10, blank=True)
    new_status = models.CharField(max_length=10, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["article_id", "created_at", "id"]
        verbose_name = _("条目事件")
        verbose_name_plural = _("条目事件")


class ArticleFlag(models.Model):
    """A clerk's report that an answer is wrong or missing. It goes to the
    article's editor (or, for a missing answer, the editors of its lines)
    with a deadline; ``supervision`` reads new flags after its cursor."""

    class Reason(models.TextChoices):
        WRONG = "wrong", _("答案有误")
        OUTDATED = "outdated", _("政策已过时")
        MISSING = "missing", _("没有答案")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("待处理")
        RESOLVED = "resolved", _("已处理")
        DISMISSED = "dismissed", _("不予采纳")

    article = models.ForeignKey(
        Article,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
        verbose_name=_("条目"),
    )
    reason = models.CharField(_("问题类型"), max_length=10, choices=Reason.choices)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # For a missing answer: what was searched (masked) and the item concerned.
    query = models.CharField(_("检索词"), max_length=200, blank=True)
    item = models.ForeignKey(
        Item, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    line = models.ForeignKey(
        BusinessLine, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("反馈人"),
    )
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处理人"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    due_date = models.DateField(_("处理期限"), db_index=True)
    resolved_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("处理人（实际）"),
    )
    resolution = models.CharField(_("处理说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["status", "due_date", "id"]
        verbose_name = _("知识反馈")
        verbose_name_plural = _("知识反馈")

    def __str__(self) -> str:
        return f"{self.get_reason_display()} · {self.article or self.query}"


class SearchMiss(AppendOnlyModel):
    """A search that found nothing: the query (ID numbers and phone numbers
    masked), who searched (``None``: a citizen), when, and the kind filter.
    The editors read these weekly as the county's knowledge gaps."""

    query = models.CharField(_("检索词"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("检索人"),
    )
    kinds = models.CharField(_("检索范围"), max_length=60, blank=True)
    item_code = models.CharField(_("事项编码"), max_length=40, blank=True)
    created_at = models.DateTimeField(_("检索时间"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("未命中检索")
        verbose_name_plural = _("未命中检索")


class SynonymGroup(models.Model):
    """Words that mean the same to a citizen (医保 = 医疗保险 = 基本医疗保险).
    A query word in a group also searches for every other word of the group,
    in both directions. Edited by the county admin in the admin site."""

    terms = models.CharField(
        _("同义词"),
        max_length=300,
        help_text=_("用空格、逗号或等号分隔，如：医保 = 医疗保险 = 基本医疗保险"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("同义词组")
        verbose_name_plural = _("同义词组")

    def __str__(self) -> str:
        return " = ".join(self.term_list())

    def term_list(self) -> list[str]:
        import re

        seen: list[str] = []
        for word in re.split(r"[\s,，=、;；/]+", self.terms):
            word = word.strip().lower()
            if word and word not in seen:
                seen.append(word)
        return seen


class DocKind(models.TextChoices):
    """What a search document is: an article of a kind, or a catalogue item."""

    POLICY = "policy", _("政策文件")
    FAQ = "faq", _("问答")
    PHRASE = "phrase", _("服务用语")
    ITEM = "item", _("服务事项")


class SearchTerm(models.Model):
    """The search vocabulary: every term the index holds, with its full pinyin
    and initials, so a query in pinyin, in initials or with a typo is turned
    into terms before the token table is read."""

    term = models.CharField(max_length=40, unique=True)
    pinyin = models.CharField(max_length=160, db_index=True, blank=True)
    initials = models.CharField(max_length=40, db_index=True, blank=True)
    length = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["term"]

    def __str__(self) -> str:
        return self.term


class SearchToken(models.Model):
    """One distinct term in one field of one indexed document (the current
    version of a published article, or a published catalogue item). The
    search sums ``weight`` per document over the matched terms."""

    class Field(models.TextChoices):
        TITLE = "title", _("标题")
        BODY = "body", _("正文")

    doc_kind = models.CharField(max_length=8, choices=DocKind.choices)
    doc_id = models.PositiveBigIntegerField()
    term = models.CharField(max_length=40)
    field = models.CharField(max_length=5, choices=Field.choices)
    weight = models.PositiveSmallIntegerField()
    # Copied from the document: the last day it applies (``None``: no end).
    valid_until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["doc_kind", "doc_id", "field", "term"]
        constraints = [
            models.UniqueConstraint(
                fields=["doc_kind", "doc_id", "field", "term"], name="uniq_search_token"
            ),
        ]
        indexes = [
            # Covers every column the search reads, so the grouped sum and
            # its filters are answered from the index alone (no table rows).
            models.Index(
                fields=["term", "doc_kind", "doc_id", "weight", "field", "valid_until"],
                name="knowledge_token_cover",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.doc_kind}:{self.doc_id} {self.term}"


class IndexCursor(models.Model):
    """How far the worker has reindexed a source (``items``: catalogue items
    by ``updated_at``)."""

    name = models.CharField(max_length=30, unique=True)
    position = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} @ {self.position}"
