"""The fragments other pages load from the knowledge base (the answers beside
the console and the case intake, a guide page's Q&A) and the citizens' FAQ on
/m/faq/: who may load them, and that a citizen gets published Q&A and items
only."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.knowledge.models import ArticleFlag

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def world(county, catalogue, publish, draft):
    card = catalogue["社会保障卡挂失与补换"]
    policy = publish("policy", "社会保障卡管理办法", "社保卡挂失补办的规定。", items=[card.code])
    faq = publish(
        "faq",
        "社保卡丢了怎么补办",
        "先挂失，再带身份证补办。",
        items=[card.code],
        rests_on=policy.pk,
    )
    phrase = publish("phrase", "您好，请问办理社保卡什么业务", "", moment="greeting")
    hidden = draft("社保卡补办的内部口径", "内部", items=[card.code])
    return {"card": card, "policy": policy, "faq": faq, "phrase": phrase, "draft": hidden}


def test_the_answers_fragment_shows_an_items_qa_and_policies(county, world):
    url = "/knowledge/fragments/answers/"
    params = {"item": world["card"].code, "policies": "1"}
    page = client_for(county.window_clerk).get(url, params).content.decode()
    assert "社保卡丢了怎么补办" in page and "先挂失" in page
    assert "社会保障卡管理办法" in page
    assert "内部口径" not in page  # a draft is never shown beside the counter
    assert "data-copy-answer" in page
    # by the queue's line when the queue lists no items
    page = client_for(county.window_clerk).get(url, {"line": "shebao"}).content.decode()
    assert "社保卡丢了怎么补办" in page
    # with a search
    page = client_for(county.window_clerk).get(url, {**params, "q": "补办"}).content.decode()
    assert "<mark>" in page


def test_the_answers_fragment_is_for_hall_staff_only(county, world):
    url = f"/knowledge/fragments/answers/?item={world['card'].code}"
    resp = Client().get(url)
    assert resp.status_code == 302 and "next=" in resp["Location"]
    resp = client_for(county.admin).get(url)
    assert resp.status_code == 403
    assert "org.administrators_only" in resp.content.decode()


def test_a_clerk_flags_an_answer_from_the_fragment(county, world):
    resp = client_for(county.window_clerk).post(
        "/knowledge/flags/new/",
        {"article": world["faq"].pk, "reason": "wrong"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 200
    assert "已反馈" in resp.content.decode()
    flag = ArticleFlag.objects.get()
    assert flag.article == world["faq"] and flag.raised_by == county.window_clerk
    # a bad reason: the message in the fragment, nothing written
    resp = client_for(county.window_clerk).post(
        "/knowledge/flags/new/",
        {"article": world["faq"].pk, "reason": "nonsense"},
        HTTP_HX_REQUEST="true",
    )
    assert resp.status_code == 422 and "knowledge.bad_reason" in resp.content.decode()
    assert ArticleFlag.objects.count() == 1
    # a draft of another department's is not there to flag
    resp = client_for(county.outsider).post(
        "/knowledge/flags/new/", {"article": world["draft"].pk, "reason": "wrong"}
    )
    assert resp.status_code == 404
    assert ArticleFlag.objects.count() == 1


def test_a_citizen_gets_published_qa_and_items_only(county, world):
    page = Client().get("/m/faq/", {"q": "社保卡"}).content.decode()
    assert "社保卡丢了怎么补办" in page and "先挂失" in page
    assert "/m/items/" + world["card"].code in page
    for hidden in ("社会保障卡管理办法", "您好，请问办理社保卡", "内部口径"):
        assert hidden not in page
    assert "没找到答案?" in page
    assert "/m/complaints/?kind=consultation&amp;description=%E7%A4%BE%E4%BF%9D%E5%8D%A1" in page


def test_the_complaint_form_is_prefilled_from_the_faq_link(county):
    page = Client().get("/m/complaints/", {"kind": "consultation", "description": "社保卡丢了"})
    html = page.content.decode()
    assert ">社保卡丢了</textarea>" in html
    assert 'value="consultation" selected' in html


def test_a_guide_pages_qa_fragment(county, world):
    page = Client().get(f"/m/faq/items/{world['card'].code}/").content.decode()
    assert "社保卡丢了怎么补办" in page
    assert "内部口径" not in page and "社会保障卡管理办法" not in page
    assert Client().get("/m/faq/items/NOPE/").content.decode().strip() == ""
    guide = Client().get(f"/m/items/{world['card'].code}").content.decode()
    assert f'data-load-fragment="/m/faq/items/{world["card"].code}/"' in guide


def test_anonymous_searches_are_limited_per_address(county, world, monkeypatch):
    from yichuang.knowledge import views
    from yichuang.lib.throttle import Rule

    monkeypatch.setattr(views, "FAQ_SEARCHES", Rule("knowledge-faq-ip", 2, 3600))
    client = Client()
    assert client.get("/m/faq/", {"q": "社保卡"}).status_code == 200
    assert client.get("/m/faq/", {"q": "社保卡"}).status_code == 200
    resp = client.get("/m/faq/", {"q": "社保卡"})
    assert resp.status_code == 429
    assert "knowledge.too_many_searches" in resp.content.decode()
    # the page without a query is not counted
    assert client.get("/m/faq/").status_code == 200


def test_a_bad_citizen_query_is_a_message(county, lines):
    resp = Client().get("/m/faq/", {"q": "字" * 300})
    assert resp.status_code == 200
    assert "knowledge.query_too_long" in resp.content.decode()
