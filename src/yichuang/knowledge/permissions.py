"""Who may write and publish knowledge-base articles.

Editors are the county admin (every line) and the department leads (the lines
of their department). An editor sees and edits the articles of their lines
(or of their department); anyone else is told the article doesn't exist (404)
— published articles are read by every member of staff through the search and
the article page, drafts only by their editors. Publishing needs a second pair
of eyes: a department lead may not publish a version he wrote himself
(``knowledge.self_publish``); the county admin may."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from yichuang.accounts.models import Role
from yichuang.lib.errors import Forbidden
from yichuang.org.models import BusinessLine
from yichuang.org.permissions import holds
from yichuang.org.scopes import staff_of

from .models import Article, ArticleVersion


def is_county_editor(user) -> bool:
    return holds(user, Role.COUNTY_ADMIN)


def is_editor(user) -> bool:
    return holds(user, Role.COUNTY_ADMIN, Role.DEPARTMENT_LEAD)


def editor_lines(user) -> QuerySet[BusinessLine]:
    """The lines ``user`` edits: all for the county admin, his department's
    for a department lead, none otherwise."""
    if is_county_editor(user):
        return BusinessLine.objects.all()
    if not holds(user, Role.DEPARTMENT_LEAD):
        return BusinessLine.objects.none()
    staff = staff_of(user)
    if staff is None or staff.department_id is None:
        return BusinessLine.objects.none()
    return BusinessLine.objects.filter(departments=staff.department_id)


def require_editor(user) -> None:
    if not is_editor(user):
        raise Forbidden("knowledge.not_editor", _("只有县级管理员和部门负责人可以编辑知识库。"))


def editable_articles(user) -> QuerySet[Article]:
    """The articles ``user`` may edit and publish (and read as drafts)."""
    if is_county_editor(user):
        return Article.objects.all()
    if not is_editor(user):
        return Article.objects.none()
    staff = staff_of(user)
    department = staff.department_id if staff else None
    lines = editor_lines(user)
    return Article.objects.filter(Q(lines__in=lines) | Q(department_id=department)).distinct()


def can_edit(user, article: Article) -> bool:
    return editable_articles(user).filter(pk=article.pk).exists()


def require_publisher(user, version: ArticleVersion) -> None:
    """``user`` (an editor of the article) may publish ``version``: not the
    author himself, unless he is the county admin."""
    if version.author_id == user.pk and not is_county_editor(user):
        raise Forbidden(
            "knowledge.self_publish",
            _("不能发布自己撰写的内容，请由本条线的其他负责人或县级管理员审核发布。"),
        )
