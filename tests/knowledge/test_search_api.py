"""GET /api/v1/knowledge/search: the contract's shape, bad input answered
with a stable code (never a 500), and the searches that found nothing logged
with ID and phone numbers masked."""

import pytest

from yichuang.knowledge.models import SearchMiss


@pytest.fixture
def answers(publish, catalogue):
    return publish("faq", "低保申请要什么材料", "<p>身份证、户口簿。</p>", lines=["minzheng"])


def test_it_answers_in_the_contract_shape(api, county, answers):
    resp = api(county.clerk).get("/api/v1/knowledge/search", {"q": "dbsq"})
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["count"] >= 2
    first = data["items"][0]
    assert set(first) >= {"id", "kind", "title", "snippet", "highlights", "score", "code"}
    items = [h for h in data["items"] if h["kind"] == "item"]
    assert items and all(h["code"] for h in items)


def test_a_citizen_typing_dbsq_gets_the_allowance_first(api, county, answers):
    data = api().get("/api/v1/knowledge/search", {"q": "dbsq"}).json()
    assert data["items"][0]["title"] == "最低生活保障申请"


def test_kinds_can_be_narrowed(api, county, answers):
    data = api(county.clerk).get("/api/v1/knowledge/search", {"q": "低保", "kind": "faq"}).json()
    assert {h["kind"] for h in data["items"]} == {"faq"}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"q": ""}, "knowledge.query_empty"),
        ({"q": "   "}, "knowledge.query_empty"),
        ({}, "knowledge.query_empty"),
        ({"q": "低" * 500}, "knowledge.query_too_long"),
        ({"q": "低保", "kind": "memo"}, "knowledge.bad_kind"),
        ({"q": "低保", "limit": 0}, "api.bad_page"),
    ],
)
def test_bad_queries_are_refused_with_a_code(api, county, params, code):
    resp = api().get("/api/v1/knowledge/search", params)
    assert resp.status_code == 422, resp.content
    assert resp.json()["code"] == code and resp.json()["message"]


def test_an_unknown_item_is_404(api, county):
    resp = api().get("/api/v1/knowledge/search", {"q": "低保", "item": "NOPE"})
    assert resp.status_code == 404 and resp.json()["code"] == "knowledge.unknown_item"


@pytest.mark.parametrize(
    "query",
    [
        '"低保"',
        "低保*",
        "低保 NEAR 申请",
        "低保 OR 1=1",
        "-低保",
        "title:低保",
        "'; DROP TABLE knowledge_searchtoken; --",
        "低保%_\\",
        "！？。，",
        "😀🎉",
    ],
)
def test_search_syntax_is_text_and_never_a_500(api, county, answers, query):
    resp = api().get("/api/v1/knowledge/search", {"q": query})
    assert resp.status_code == 200, resp.content
    if "低保" in query:
        first = resp.json()["items"][0]["title"]
        assert "低保" in first or "最低生活保障" in first


def test_punctuation_only_finds_nothing_and_logs_nothing(api, county, answers):
    data = api().get("/api/v1/knowledge/search", {"q": "……！！😀"}).json()
    assert data == {"items": [], "count": 0}
    assert not SearchMiss.objects.exists()


def test_a_miss_is_logged_with_numbers_masked(api, county, answers):
    query = "11010519491231002X 13812345678 嗯嗯呃呃"
    resp = api().get("/api/v1/knowledge/search", {"q": query, "kind": "faq"})
    assert resp.json()["count"] == 0
    miss = SearchMiss.objects.get()
    assert "11010519491231002X" not in miss.query and "13812345678" not in miss.query
    assert "138****5678" in miss.query and miss.user is None and miss.kinds == "faq"


def test_a_staff_miss_names_the_searcher(api, county, answers):
    api(county.clerk).get("/api/v1/knowledge/search", {"q": "嗯嗯呃呃"})
    assert SearchMiss.objects.get().user == county.clerk


def test_a_hit_is_not_logged(api, county, answers):
    api().get("/api/v1/knowledge/search", {"q": "低保"})
    assert not SearchMiss.objects.exists()


def test_the_lines_are_listed(api, county):
    data = api().get("/api/v1/lines").json()
    assert [line["name"] for line in data] == [
        "社保",
        "医保",
        "户籍",
        "民政",
        "卫健（计生）",
        "残联",
        "退役军人",
        "税务",
        "综合受理",
    ]
    assert set(data[0]) == {"code", "name"}
