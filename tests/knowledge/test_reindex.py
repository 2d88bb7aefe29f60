"""Catalogue items are reindexed after a cursor: ``catalog`` doesn't know the
search, so the worker's job (and ``yichuang reindex_knowledge``) picks up the
items changed since the last run."""

import io

from django.core.management import call_command

from yichuang.catalog import actions as catalog
from yichuang.knowledge.indexing import reindex_items_changed, reindex_tick
from yichuang.knowledge.models import DocKind, IndexCursor, SearchToken
from yichuang.knowledge.search import search
from yichuang.knowledge.tasks import TASKS


def titles(query, user):
    return [h.title for h in search(query, user=user, kinds=["item"]).hits]


def rename(item, name, actor):
    version = catalog.version_draft(actor=actor, item=item)
    catalog.version_update(actor=actor, version=version, fields={"name": name})
    catalog.item_publish(actor=actor, item=item)


def test_the_worker_reindexes_an_item_changed_after_the_cursor(county, catalogue):
    item = catalogue["高龄津贴申领"]
    cursor = IndexCursor.objects.get(name="items").position
    rename(item, "八十周岁以上老年人高龄补贴申领", county.county_admin)
    title_terms = SearchToken.objects.filter(doc_kind="item", doc_id=item.pk, field="title")
    assert not title_terms.filter(term="老年人").exists()
    assert reindex_tick() == 1
    assert title_terms.filter(term="老年人").exists()
    assert titles("八十周岁老年人", county.clerk)[0] == "八十周岁以上老年人高龄补贴申领"
    assert IndexCursor.objects.get(name="items").position > cursor
    assert reindex_tick() == 0  # nothing changed since


def test_the_job_is_offered_to_the_worker():
    assert [name for name, _every, _fn in TASKS] == ["knowledge.reindex_items"]


def test_an_inactive_item_leaves_the_index(county, catalogue):
    item = catalogue["最低生活保障申请"]
    item.is_active = False
    item.save(update_fields=["is_active", "updated_at"])
    reindex_items_changed()
    assert not SearchToken.objects.filter(doc_kind=DocKind.ITEM, doc_id=item.pk).exists()
    assert "最低生活保障申请" not in titles("低保", county.clerk)


def test_the_command_rebuilds_everything(county, catalogue, publish):
    publish("faq", "低保申请要什么材料", "身份证。", lines=["minzheng"])
    SearchToken.objects.all().delete()
    call_command("reindex_knowledge", "--all", stdout=io.StringIO())
    assert titles("低保", county.clerk)
    assert search("低保", user=county.clerk, kinds=["faq"]).count == 1
