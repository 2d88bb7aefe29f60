"""Fixtures of the knowledge-base tests: the business lines mapped, the demo
catalogue indexed, and articles written and published through the actions."""

from __future__ import annotations

import pytest

from yichuang.knowledge import actions
from yichuang.knowledge.actions import ArticleContent


@pytest.fixture
def lines(hall):
    from yichuang.demo.lines import map_lines

    map_lines()


@pytest.fixture
def catalogue(county, lines):
    """The demo county's catalogue, its lines mapped and indexed; items by name."""
    from yichuang.catalog.models import Item
    from yichuang.demo import catalog
    from yichuang.demo.base import DemoRun
    from yichuang.demo.lines import map_lines
    from yichuang.knowledge.indexing import reindex_items_changed
    from yichuang.org.models import Centre, Department

    run = DemoRun(seed=3)
    run.ctx.update(
        departments={d.code: d for d in Department.objects.all()},
        centres=list(Centre.objects.all()),
        hall=county.hall,
    )
    catalog.build(run)
    map_lines()
    reindex_items_changed()
    return {item.name: item for item in Item.objects.published()}


@pytest.fixture
def publish(county, lines):
    """``publish(kind, title, body="", **fields)`` → an article written and
    published at once by the county admin."""

    def make(kind, title, body="", *, actor=None, code=None, **fields):
        fields.setdefault("lines", ["shebao"])
        return actions.article_create(
            actor=actor or county.county_admin,
            kind=kind,
            content=ArticleContent(title=title, body=body, **fields),
            publish=True,
            code=code,
        )

    return make


@pytest.fixture
def draft(county, lines):
    """``draft(title, actor=…, **fields)`` → a draft FAQ article."""

    def make(title="社保卡补领要带什么", body="带身份证原件。", *, actor=None, **fields):
        fields.setdefault("lines", ["shebao"])
        return actions.article_create(
            actor=actor or county.county_admin,
            kind=fields.pop("kind", "faq"),
            content=ArticleContent(title=title, body=body, **fields),
        )

    return make
