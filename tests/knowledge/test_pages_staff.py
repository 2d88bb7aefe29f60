"""/knowledge/: the staff search, the article page with its versions and its
attachment, the editors' pages (write, edit, publish, flags, gaps), per role
through HTTP; refusals change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yichuang.accounts.models import User
from yichuang.knowledge import actions
from yichuang.knowledge.models import (
    Article,
    ArticleEvent,
    ArticleFlag,
    ArticleVersion,
    SearchMiss,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def snapshot():
    return (
        list(Article.objects.values_list("pk", "status", "title", "current_version")),
        ArticleVersion.objects.count(),
        ArticleEvent.objects.count(),
        list(ArticleFlag.objects.values_list("pk", "status")),
    )


def assert_refused(resp, status: int, code: str, before) -> None:
    assert resp.status_code == status, resp.content.decode()[:500]
    assert code in resp.content.decode()
    assert snapshot() == before


@pytest.fixture
def dept_yb(county, lines):
    return User.objects.get(username="dept_yb")


def test_the_search_page_shows_ranked_articles_and_items_with_marks(county, catalogue, publish):
    policy = publish(
        "policy",
        "跨省异地就医直接结算办法",
        "参保人员办理异地就医备案后可直接结算。",
        issuer="云溪县医疗保障局",
        doc_number="云医保发〔2024〕3号",
        lines=["yibao"],
    )
    resp = client_for(county.clerk).get("/knowledge/", {"q": "异地就医备案"})
    assert resp.status_code == 200
    page = resp.content.decode()
    assert f'href="/knowledge/articles/{policy.pk}/"' in page
    assert "<mark>" in page
    # a catalogue item links to its catalogue page
    resp = client_for(county.clerk).get("/knowledge/", {"q": "社会保障卡", "kind": "item"})
    assert 'href="/catalog/items/' in resp.content.decode()
    assert "/knowledge/articles/" not in resp.content.decode()


def test_an_expired_policy_is_found_only_when_asked_and_marked(county, publish):
    publish(
        "policy",
        "旧版城乡居民医保缴费办法",
        "缴费标准。",
        expires_on=timezone.localdate() - dt.timedelta(days=1),
        lines=["yibao"],
    )
    client = client_for(county.clerk)
    assert (
        "旧版城乡居民医保缴费办法"
        not in client.get("/knowledge/", {"q": "缴费办法"}).content.decode()
    )
    page = client.get("/knowledge/", {"q": "缴费办法", "expired": "1"}).content.decode()
    assert "旧版城乡居民医保缴费办法" in page
    assert "已失效" in page


def test_a_bad_query_is_a_calm_message_never_a_500(county, lines):
    client = client_for(county.clerk)
    resp = client.get("/knowledge/", {"q": "x" * 500})
    assert resp.status_code == 200
    assert "knowledge.query_too_long" in resp.content.decode()
    for q in ['"*" NEAR OR -:', "😀😀", "!!!"]:
        assert client.get("/knowledge/", {"q": q}).status_code == 200


def test_a_search_finding_nothing_is_logged_masked(county, lines):
    client_for(county.clerk).get("/knowledge/", {"q": "火星移民 13812345678"})
    miss = SearchMiss.objects.get()
    assert "13812345678" not in miss.query
    assert miss.user == county.clerk


def test_the_search_page_costs_the_same_queries_with_more_results(county, publish):
    client = client_for(county.clerk)
    publish("faq", "社保卡丢了怎么补办", "带身份证到窗口补办。")
    client.get("/knowledge/", {"q": "社保卡"})  # warm the caches
    with CaptureQueriesContext(connection) as one:
        client.get("/knowledge/", {"q": "社保卡"})
    for n in range(6):
        publish("faq", f"社保卡问题{n}", "带身份证到窗口。")
    with CaptureQueriesContext(connection) as many:
        resp = client.get("/knowledge/", {"q": "社保卡"})
    assert resp.content.decode().count("/knowledge/articles/") >= 7
    assert len(many) == len(one)


def test_the_article_page_shows_the_policy_facts_and_old_versions(county, publish):
    article = publish(
        "policy",
        "云溪县最低生活保障实施细则",
        "第一条 ……",
        issuer="云溪县民政局",
        doc_number="云民发〔2023〕12号",
        effective_from=dt.date(2023, 7, 1),
        attachment=PDF,
        attachment_name="细则.pdf",
        lines=["minzheng"],
    )
    actions.article_edit(
        actor=county.county_admin,
        article=article,
        content=actions.ArticleContent(title="云溪县最低生活保障实施细则（修订）", body="修订"),
    )
    actions.article_publish(actor=county.county_admin, article=article)
    client = client_for(county.clerk)
    page = client.get(f"/knowledge/articles/{article.pk}/").content.decode()
    assert "云民发〔2023〕12号" not in page  # the new version carries no 文号
    old = client.get(f"/knowledge/articles/{article.pk}/", {"v": 1}).content.decode()
    assert "云民发〔2023〕12号" in old and "云溪县民政局" in old and "2023-07-01" in old
    assert "现行版本为第 2 版" in old
    pdf = client.get(f"/knowledge/articles/{article.pk}/v1/attachment.pdf")
    assert pdf.status_code == 200
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # signed out: the attachment is not served
    assert Client().get(f"/knowledge/articles/{article.pk}/v1/attachment.pdf").status_code == 302


def test_an_outsider_is_told_a_draft_does_not_exist(county, draft, dept_yb):
    article = draft("医保报销比例是多少", actor=dept_yb, lines=["yibao"])
    before = snapshot()
    for url in (f"/knowledge/articles/{article.pk}/", f"/knowledge/articles/{article.pk}/edit/"):
        assert_refused(
            client_for(county.clerk).get(url),
            404 if "edit" not in url else 403,
            "knowledge",
            before,
        )
    assert_refused(
        client_for(county.dept_lead).post(
            f"/knowledge/articles/{article.pk}/edit/", {"title": "改"}
        ),
        404,
        "knowledge.article_not_found",
        before,
    )
    assert_refused(
        client_for(county.dept_lead).post(f"/knowledge/articles/{article.pk}/publish/"),
        404,
        "knowledge.article_not_found",
        before,
    )


def test_an_editor_writes_a_draft_and_another_publishes_it(county, dept_yb):
    client = client_for(dept_yb)
    resp = client.post(
        "/knowledge/new/",
        {
            "kind": "faq",
            "title": "异地就医怎么备案",
            "body": "<p>通过国家医保服务平台备案。</p>",
            "lines": ["yibao"],
        },
    )
    assert resp.status_code == 302
    article = Article.objects.get(title="异地就医怎么备案")
    assert article.status == "draft"
    before = snapshot()
    assert_refused(
        client.post(f"/knowledge/articles/{article.pk}/publish/"),
        403,
        "knowledge.self_publish",
        before,
    )
    resp = client_for(county.county_admin).post(f"/knowledge/articles/{article.pk}/publish/")
    assert resp.status_code == 302
    article.refresh_from_db()
    assert article.status == "published"
    resp = client.post(
        f"/knowledge/articles/{article.pk}/edit/",
        {"title": "异地就医如何备案", "body": "线上备案即可。", "lines": ["yibao"]},
    )
    assert resp.status_code == 302
    assert article.versions.count() == 2
    article.refresh_from_db()
    assert article.current_version.number == 1


def test_a_clerk_may_not_write_and_bad_input_changes_nothing(county, lines, dept_yb):
    before = snapshot()
    assert_refused(
        client_for(county.clerk).post("/knowledge/new/", {"kind": "faq", "title": "问"}),
        403,
        "knowledge.not_editor",
        before,
    )
    client = client_for(dept_yb)
    resp = client.post(
        "/knowledge/new/", {"kind": "policy", "title": "办法", "lines": ["yibao"], "attachment": ""}
    )
    assert resp.status_code == 302
    before = snapshot()
    from django.core.files.uploadedfile import SimpleUploadedFile

    resp = client.post(
        "/knowledge/new/",
        {
            "kind": "policy",
            "title": "带附件",
            "lines": ["yibao"],
            "attachment": SimpleUploadedFile("a.pdf", b"<html>not a pdf</html>"),
        },
    )
    assert_refused(resp, 422, "knowledge.not_pdf", before)
    assert "附件必须是 PDF 文件" in resp.content.decode()
    resp = client.post(
        "/knowledge/new/", {"kind": "faq", "title": "问", "expires_on": "2024-13-01"}
    )
    assert_refused(resp, 422, "knowledge.bad_date", before)


def test_a_clerk_flags_an_answer_and_its_editor_resolves_it(county, publish, dept_yb):
    article = publish(
        "faq", "医保卡能借给家人用吗", "可以。", actor=county.county_admin, lines=["yibao"]
    )
    Article.objects.filter(pk=article.pk).update(editor=dept_yb)
    resp = client_for(county.clerk).post(
        "/knowledge/flags/new/", {"article": article.pk, "reason": "wrong", "note": "不能外借"}
    )
    assert resp.status_code == 302
    flag = ArticleFlag.objects.get()
    assert flag.assigned_to == dept_yb and flag.due_date > timezone.localdate()
    page = client_for(dept_yb).get("/knowledge/flags/").content.decode()
    assert "医保卡能借给家人用吗" in page and "不能外借" in page
    before = snapshot()
    assert_refused(
        client_for(county.clerk).get("/knowledge/flags/"), 403, "knowledge.not_editor", before
    )
    assert_refused(
        client_for(county.dept_lead).post(
            f"/knowledge/flags/{flag.pk}/resolve/", {"status": "resolved"}
        ),
        404,
        "knowledge.flag_not_found",
        before,
    )
    resp = client_for(dept_yb).post(
        f"/knowledge/flags/{flag.pk}/resolve/", {"status": "resolved", "resolution": "已改"}
    )
    assert resp.status_code == 302
    flag.refresh_from_db()
    assert flag.status == "resolved" and flag.resolved_by == dept_yb


def test_the_gaps_page_groups_missed_searches_by_week(county, lines, dept_yb):
    now = timezone.now()
    for days, query in [(0, "火星移民"), (0, "火星移民"), (8, "月球户口")]:
        SearchMiss.objects.create(query=query, created_at=now - dt.timedelta(days=days))
    actions.search_miss_record(query="身份证 110101199003077777")
    page = client_for(dept_yb).get("/knowledge/gaps/").content.decode()
    assert page.count('data-week="') == 2
    assert page.index("火星移民") < page.index("月球户口")
    assert "110101199003077777" not in page
    before = snapshot()
    assert_refused(
        client_for(county.clerk).get("/knowledge/gaps/"), 403, "knowledge.not_editor", before
    )
