"""The demo's knowledge loader: plain rows become published articles linked
to items by code and to lines; a superseded policy is marked; the synonyms
come back after a reset."""

from types import SimpleNamespace

from yichuang.demo.base import DemoRun
from yichuang.demo.knowledge import build, load_content
from yichuang.knowledge.models import Article, SynonymGroup
from yichuang.knowledge.search import search

CONTENT = SimpleNamespace(
    POLICIES=[
        {
            "key": "old-dibao",
            "title": "云溪县最低生活保障工作实施细则（2019年）",
            "issuer": "云溪县民政局",
            "doc_number": "云民发〔2019〕3号",
            "effective_from": "2019-03-01",
            "body": "低保对象认定。",
            "lines": ["minzheng"],
            "superseded_by": "new-dibao",
        },
        {
            "key": "new-dibao",
            "title": "云溪县最低生活保障工作实施细则",
            "issuer": "云溪县民政局",
            "doc_number": "云民发〔2025〕8号",
            "effective_from": "2025-01-01",
            "body": "低保对象认定、标准和程序。",
            "lines": ["minzheng"],
            "items": ["最低生活保障申请"],
        },
    ],
    FAQS=[
        {
            "question": "低保申请要带什么材料？",
            "answer": "身份证、户口簿和收入证明。",
            "lines": ["minzheng"],
            "items": ["最低生活保障申请"],
            "rests_on": "new-dibao",
        }
    ],
    PHRASES=[
        {"moment": "greeting", "text": "您好，请问您办理什么业务？", "lines": ["zonghe"]},
        {"forbidden": "不知道，去问别人。", "instead": "请稍等，我帮您问清楚。"},
    ],
)


def test_it_loads_the_rows_as_published_articles(county, catalogue):
    counts = load_content(CONTENT)
    assert counts == {"policy": 2, "faq": 1, "phrase": 2}
    assert Article.objects.filter(status="published").count() == 5
    faq = Article.objects.get(kind="faq")
    item = catalogue["最低生活保障申请"]
    assert list(faq.items.all()) == [item]
    assert faq.current_version.rests_on == Article.objects.get(code="new-dibao")
    forbidden = Article.objects.get(title="不知道，去问别人。")
    assert forbidden.current_version.moment == "forbidden"
    assert forbidden.current_version.replacement == "请稍等，我帮您问清楚。"


def test_a_superseded_policy_is_hidden_from_the_search(county, catalogue):
    load_content(CONTENT)
    policies = [h.title for h in search("低保", user=county.clerk, kinds=["policy"]).hits]
    assert policies == ["云溪县最低生活保障工作实施细则"]
    old = Article.objects.get(code="old-dibao")
    assert old.current_version.number == 2 and old.valid_until is not None


def test_the_step_restores_the_synonyms_and_indexes_the_items(county, catalogue):
    SynonymGroup.objects.all().delete()
    build(DemoRun(seed=3))
    assert SynonymGroup.objects.filter(terms__startswith="低保").exists()


def test_the_county_content_loads(county, catalogue):
    from yichuang.demo import knowledge_content

    counts = load_content(knowledge_content)
    assert counts["policy"] >= 20 and counts["faq"] >= 60 and counts["phrase"] >= 20
    assert not Article.objects.exclude(status="published").exists()
    superseded = [p["key"] for p in knowledge_content.POLICIES if p.get("superseded_by")]
    for key in superseded:
        assert Article.objects.get(code=key).current_version.superseded_by is not None
    linked = Article.objects.filter(kind="faq", items__isnull=False).distinct().count()
    assert linked >= counts["faq"] * 0.8
