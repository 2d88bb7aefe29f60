"""Demo step: the county's knowledge base — the policies, Q&A and phrase book
of ``demo/knowledge_content.py`` written and published through the actions
(the county admin writes and publishes, so every version has its events),
linked to items by item code and to lines by line code; then the catalogue is
indexed for the search."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

from yichuang.accounts.models import User
from yichuang.catalog.models import Item
from yichuang.knowledge import actions
from yichuang.knowledge.actions import ArticleContent
from yichuang.knowledge.defaults import ensure_synonyms
from yichuang.knowledge.indexing import reindex_items_changed
from yichuang.knowledge.models import Article
from yichuang.org.models import BusinessLine

from .base import DemoRun


def _date(value: Any) -> dt.date | None:
    if value in (None, ""):
        return None
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _list(value: Any) -> list[str]:
    if not value:
        return []
    return [value] if isinstance(value, str) else list(value)


class Loader:
    def __init__(self) -> None:
        self.admin = User.objects.get(username="countyadmin")
        self.items = set(Item.objects.values_list("code", flat=True))
        self.names = dict(Item.objects.values_list("name", "code"))
        self.lines = set(BusinessLine.objects.values_list("code", flat=True))
        self.by_key: dict[str, Article] = {}

    def item_codes(self, row: dict) -> list[str]:
        """Items by code (or, failing that, by exact name); unknown ones dropped."""
        codes = []
        for ref in _list(row.get("items")):
            code = ref if ref in self.items else self.names.get(ref)
            if code and code not in codes:
                codes.append(code)
        return codes

    def line_codes(self, row: dict) -> list[str]:
        return [c for c in _list(row.get("lines") or row.get("line")) if c in self.lines]

    def article(self, kind: str, row: dict, content: ArticleContent) -> Article:
        key = row.get("key") or row.get("code")
        content.items = self.item_codes(row)
        content.lines = self.line_codes(row)
        article = actions.article_create(
            actor=self.admin, kind=kind, content=content, publish=True, code=key
        )
        if key:
            self.by_key[key] = article
        return article

    def policy(self, row: dict) -> Article:
        return self.article(
            "policy",
            row,
            ArticleContent(
                title=row["title"],
                body=row.get("body") or row.get("summary") or "",
                issuer=row.get("issuer", ""),
                doc_number=row.get("doc_number", ""),
                effective_from=_date(row.get("effective_from")),
                expires_on=_date(row.get("expires_on")),
            ),
        )

    def faq(self, row: dict) -> Article:
        rests_on = self.by_key.get(row.get("rests_on") or row.get("policy") or "")
        return self.article(
            "faq",
            row,
            ArticleContent(
                title=row.get("question") or row["title"],
                body=row.get("answer") or row.get("body") or "",
                rests_on=rests_on.pk if rests_on else None,
            ),
        )

    def phrase(self, row: dict) -> Article:
        forbidden = row.get("forbidden")
        text = forbidden or row.get("text") or row.get("title") or ""
        return self.article(
            "phrase",
            row,
            ArticleContent(
                title=text,
                body=row.get("note") or row.get("body") or "",
                moment="forbidden" if forbidden else row.get("moment", ""),
                replacement=row.get("instead") or row.get("replacement") or "",
            ),
        )

    def supersede(self, rows: list[dict]) -> None:
        """Policies the content marks as superseded get a new version naming
        their successor, published."""
        for row in rows:
            old = self.by_key.get(row.get("key") or row.get("code") or "")
            new = self.by_key.get(row.get("superseded_by") or "")
            if old is None or new is None:
                continue
            version = old.current_version
            actions.article_edit(
                actor=self.admin,
                article=old,
                content=ArticleContent(
                    title=version.title,
                    body=version.body,
                    issuer=version.issuer,
                    doc_number=version.doc_number,
                    effective_from=version.effective_from,
                    expires_on=version.expires_on,
                    superseded_by=new.pk,
                ),
            )
            actions.article_publish(actor=self.admin, article=old)


def load_content(content: Any) -> dict[str, int]:
    loader = Loader()
    policies = list(getattr(content, "POLICIES", []))
    counts = {"policy": 0, "faq": 0, "phrase": 0}
    for row in policies:
        loader.policy(row)
        counts["policy"] += 1
    loader.supersede(policies)
    for row in getattr(content, "FAQS", []):
        loader.faq(row)
        counts["faq"] += 1
    for row in getattr(content, "PHRASES", []):
        loader.phrase(row)
        counts["phrase"] += 1
    return counts


def build(run: DemoRun) -> None:
    ensure_synonyms()
    try:
        content = importlib.import_module("yichuang.demo.knowledge_content")
    except ImportError:
        content = None
    if content is not None and not Article.objects.exists():
        counts = load_content(content)
        run.say(
            f"知识库：政策 {counts['policy']} 篇，问答 {counts['faq']} 条，"
            f"服务用语 {counts['phrase']} 条"
        )
    reindex_items_changed()
