"""The one search: synonyms both ways, pinyin and initials, typos, title
before body, expired and superseded policies, kinds and anonymous callers."""

import datetime as dt

import pytest

from yichuang.knowledge import actions
from yichuang.knowledge.actions import ArticleContent
from yichuang.knowledge.models import SynonymGroup
from yichuang.knowledge.search import search


def titles(query, user, **kw):
    return [hit.title for hit in search(query, user=user, **kw).hits]


def test_initials_and_full_pinyin_find_the_subsistence_allowance(county, catalogue):
    assert titles("dbsq", county.clerk)[0] == "最低生活保障申请"
    assert titles("dibao", county.clerk)[0] in {"最低生活保障申请", "低保边缘家庭认定"}
    assert "最低生活保障申请" in titles("dibao", county.clerk)[:3]


def test_an_abbreviation_finds_the_full_name_and_back(county, catalogue, publish):
    publish("faq", "基本医疗保险断缴了怎么办", "断缴后及时续缴。", lines=["yibao"])
    publish("faq", "医保卡在外地能用吗", "已备案可直接结算。", lines=["yibao"])
    assert "基本医疗保险断缴了怎么办" in titles("医保", county.clerk, kinds=["faq"])
    assert "医保卡在外地能用吗" in titles("医疗保险", county.clerk, kinds=["faq"])


def test_a_synonym_group_edited_in_the_database_takes_effect(county, catalogue, publish):
    publish("faq", "光荣牌怎么申请悬挂", "向退役军人服务站申请。", lines=["tuiyi"])
    assert titles("荣誉牌", county.clerk, kinds=["faq"]) == []
    SynonymGroup.objects.create(terms="光荣牌 = 荣誉牌")
    assert titles("荣誉牌", county.clerk, kinds=["faq"]) == ["光荣牌怎么申请悬挂"]


def test_a_lost_card_finds_the_replacement_item(county, catalogue):
    assert titles("社保卡丢了", county.clerk)[0] == "社会保障卡挂失与补换"


def test_a_wrong_character_of_the_same_sound_is_forgiven(county, catalogue):
    assert titles("低宝", county.clerk)[:1] == titles("低保", county.clerk)[:1]


def test_a_missing_character_is_forgiven(county, catalogue):
    assert "异地就医备案" in titles("异地就备案", county.clerk)[:3]


def test_a_title_match_ranks_before_a_body_match(county, lines, publish):
    body_only = publish("faq", "外出务工人员参保须知", "可以办理灵活就业参保。")
    in_title = publish("faq", "灵活就业人员如何参保", "到社保窗口登记。")
    hits = search("灵活就业", user=county.clerk).hits
    assert [h.id for h in hits] == [in_title.pk, body_only.pk]
    assert hits[0].score > hits[1].score


def test_ties_are_broken_by_kind_and_id(county, lines, publish):
    first = publish("faq", "高龄津贴发放时间", "")
    second = publish("faq", "高龄津贴发放时间", "")
    hits = search("高龄津贴", user=county.clerk).hits
    assert [h.id for h in hits] == [first.pk, second.pk]
    assert hits[0].score == hits[1].score


@pytest.fixture
def policies(county, lines, publish):
    today = dt.date.today()
    current = publish(
        "policy", "云溪县临时救助实施办法", "临时救助的对象和标准。", issuer="云溪县民政局"
    )
    expired = publish(
        "policy",
        "云溪县临时救助暂行办法",
        "临时救助旧标准。",
        expires_on=today - dt.timedelta(days=1),
    )
    old = publish("policy", "云溪县临时救助工作规程", "临时救助的老规程。")
    actions.article_edit(
        actor=county.county_admin,
        article=old,
        content=ArticleContent(
            title="云溪县临时救助工作规程", body="临时救助的老规程。", superseded_by=current.pk
        ),
    )
    actions.article_publish(actor=county.county_admin, article=old)
    return current, expired, old


def test_expired_and_superseded_policies_are_hidden_unless_asked(county, policies):
    current, expired, old = policies
    found = search("临时救助", user=county.clerk, kinds=["policy"]).hits
    assert [h.id for h in found] == [current.pk]
    everything = search("临时救助", user=county.clerk, kinds=["policy"], include_expired=True)
    by_id = {h.id: h for h in everything.hits}
    assert set(by_id) == {current.pk, expired.pk, old.pk}
    assert by_id[expired.pk].expired and by_id[old.pk].expired and not by_id[current.pk].expired


def test_anonymous_callers_get_answers_and_items_only(county, catalogue, publish):
    publish("policy", "云溪县最低生活保障实施细则", "低保对象认定。", lines=["minzheng"])
    publish("faq", "低保多久审核一次", "每年复核。", lines=["minzheng"])
    kinds = {h.kind for h in search("低保", user=None).hits}
    assert kinds == {"faq", "item"}
    assert "policy" in {h.kind for h in search("低保", user=county.clerk).hits}


def test_the_item_filter_keeps_the_item_and_its_articles(county, catalogue, publish):
    card = catalogue["社会保障卡挂失与补换"]
    linked = publish("faq", "社保卡补换要多久", "即时办结。", items=[card.code])
    publish("faq", "社保卡激活在哪里", "任一银行网点。")
    hits = search("社保卡", user=county.clerk, item=card).hits
    assert {(h.kind, h.id) for h in hits} == {("faq", linked.pk), ("item", card.pk)}


def test_snippets_are_escaped_and_mark_the_matched_terms(county, lines, publish):
    publish("faq", "残疾证如何办理", "<p>带上 &lt;script&gt; 残疾证 申请表</p>", lines=["canlian"])
    hit = search("残疾证", user=county.clerk).hits[0]
    assert "<mark>残疾证</mark>" in hit.snippet
    assert "<script>" not in hit.snippet and "&lt;script&gt;" in hit.snippet
    assert "残疾证" in hit.highlights
