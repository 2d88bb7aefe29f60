"""Writing and publishing articles: versions, review before publication,
editors' scope, bad attachments; through the actions and the API."""

import base64
import json

import pytest

from yichuang.accounts.models import User
from yichuang.knowledge import actions
from yichuang.knowledge.actions import ArticleContent
from yichuang.knowledge.models import Article, ArticleEvent, ArticleVersion, SearchToken
from yichuang.knowledge.search import search
from yichuang.lib.errors import DomainError

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def snapshot():
    return (
        list(Article.objects.values_list("pk", "status", "title", "current_version")),
        ArticleVersion.objects.count(),
        ArticleEvent.objects.count(),
        SearchToken.objects.count(),
    )


def assert_refused(resp, status, code, before):
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code
    assert snapshot() == before


def post(client, url, body=None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


@pytest.fixture
def dept_yb(county, lines):
    return User.objects.get(username="dept_yb")


def test_an_edit_makes_a_new_version_and_the_old_stays_readable(county, publish, dept_yb):
    article = publish("faq", "医保转移要多久", "15 个工作日。", lines=["yibao"])
    actions.article_edit(
        actor=dept_yb,
        article=article,
        content=ArticleContent(title="医保关系转移要多久", body="一般 10 个工作日。"),
    )
    article.refresh_from_db()
    assert article.current_version.number == 1  # the draft waits for review
    assert [h.title for h in search("医保转移", user=county.clerk).hits] == ["医保转移要多久"]
    actions.article_publish(actor=county.county_admin, article=article)
    article.refresh_from_db()
    assert article.current_version.number == 2
    assert list(article.versions.values_list("number", "title")) == [
        (2, "医保关系转移要多久"),
        (1, "医保转移要多久"),
    ]
    assert search("医保转移", user=county.clerk).hits[0].title == "医保关系转移要多久"


def test_the_api_reads_an_article_with_its_versions(api, county, publish, catalogue):
    card = catalogue["社会保障卡挂失与补换"]
    article = publish("faq", "社保卡丢了怎么办", "先挂失再补换。", items=[card.code])
    resp = api(county.clerk).get(f"/api/v1/knowledge/articles/{article.pk}")
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["status"] == "published" and data["current_version"] == 1
    assert data["items"] == [{"code": card.code, "name": card.name}]
    assert [v["number"] for v in data["versions"]] == [1]
    assert data["versions"][0]["current"]


def test_a_lead_writes_and_another_editor_publishes(api, county, dept_yb):
    resp = post(
        api(dept_yb),
        "/api/v1/knowledge/articles",
        {"kind": "faq", "title": "异地就医备案后能报多少", "body": "按参保地政策。"},
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert data["status"] == "draft" and [ln["code"] for ln in data["lines"]] == ["yibao"]
    resp = post(api(county.county_admin), f"/api/v1/knowledge/articles/{data['id']}/publish")
    assert resp.status_code == 200, resp.content
    assert resp.json()["status"] == "published"
    assert Article.objects.get(pk=data["id"]).current_version.published_by == county.county_admin


def test_publishing_ones_own_draft_is_refused(api, county, draft, dept_yb):
    article = draft("异地就医怎么备案", actor=dept_yb, lines=["yibao"])
    before = snapshot()
    resp = post(api(dept_yb), f"/api/v1/knowledge/articles/{article.pk}/publish")
    assert_refused(resp, 403, "knowledge.self_publish", before)


def test_create_and_publish_at_once_is_refused_to_a_lead(api, county, dept_yb):
    before = snapshot()
    resp = post(
        api(dept_yb),
        "/api/v1/knowledge/articles",
        {"kind": "faq", "title": "门诊慢特病怎么申请", "publish": True},
    )
    assert_refused(resp, 403, "knowledge.self_publish", before)


def test_the_county_admin_may_publish_his_own(api, county, lines):
    resp = post(
        api(county.county_admin),
        "/api/v1/knowledge/articles",
        {"kind": "faq", "title": "高龄津贴怎么领", "lines": ["minzheng"], "publish": True},
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["status"] == "published"


def test_an_outsider_gets_404_and_nothing_changes(api, county, draft, dept_yb):
    article = draft("医保断缴怎么办", actor=county.county_admin, lines=["yibao"])
    before = snapshot()
    outsider = api(county.dept_lead)  # 人社's lead: not a 医保 editor
    assert_refused(
        post(outsider, f"/api/v1/knowledge/articles/{article.pk}/publish"),
        404,
        "knowledge.article_not_found",
        before,
    )
    resp = outsider.get(f"/api/v1/knowledge/articles/{article.pk}")
    assert_refused(resp, 404, "knowledge.article_not_found", before)
    assert api(dept_yb).get(f"/api/v1/knowledge/articles/{article.pk}").status_code == 200


def test_a_clerk_may_not_write(api, county, lines):
    before = snapshot()
    resp = post(api(county.clerk), "/api/v1/knowledge/articles", {"kind": "faq", "title": "x"})
    assert_refused(resp, 403, "knowledge.not_editor", before)


def test_a_lead_may_not_file_under_another_line(api, county, dept_yb):
    before = snapshot()
    resp = post(
        api(dept_yb),
        "/api/v1/knowledge/articles",
        {"kind": "faq", "title": "低保标准是多少", "lines": ["minzheng"]},
    )
    assert_refused(resp, 403, "knowledge.line_out_of_scope", before)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "memo", "title": "x"}, "knowledge.bad_kind"),
        ({"kind": "faq", "title": "   "}, "knowledge.title_required"),
        ({"kind": "faq", "title": "x", "items": ["NOPE"]}, "knowledge.unknown_item"),
        ({"kind": "faq", "title": "x", "lines": ["nope"]}, "knowledge.unknown_line"),
        (
            {
                "kind": "policy",
                "title": "x",
                "effective_from": "2026-03-01",
                "expires_on": "2026-01-01",
            },
            "knowledge.bad_dates",
        ),
        ({"kind": "faq", "title": "x", "rests_on": 10**9}, "knowledge.unknown_policy"),
        ({"kind": "phrase", "title": "x", "moment": "shouting"}, "knowledge.bad_moment"),
    ],
)
def test_bad_articles_are_refused_with_nothing_written(api, county, lines, body, code):
    before = snapshot()
    resp = post(api(county.county_admin), "/api/v1/knowledge/articles", body)
    assert_refused(resp, 422, code, before)


@pytest.mark.parametrize(
    "data",
    [b"<html>not a pdf</html>", b"%PDF-1.4 but cut short", b"MZ\x90\x00" + PDF],
)
def test_an_attachment_that_is_not_a_pdf_is_refused(api, county, lines, data):
    before = snapshot()
    body = {
        "kind": "policy",
        "title": "云溪县高龄津贴发放办法",
        "attachment_base64": base64.b64encode(data).decode(),
        "attachment_name": "办法.pdf",
    }
    resp = post(api(county.county_admin), "/api/v1/knowledge/articles", body)
    assert_refused(resp, 422, "knowledge.not_pdf", before)


def test_an_oversized_attachment_is_refused():
    with pytest.raises(DomainError) as err:
        actions.check_pdf(PDF + b"0" * actions.MAX_ATTACHMENT)
    assert err.value.code == "knowledge.attachment_too_large"


def test_a_pdf_attachment_is_kept(county, lines, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    article = actions.article_create(
        actor=county.county_admin,
        kind="policy",
        content=ArticleContent(title="高龄津贴发放办法", attachment=PDF, attachment_name="办法"),
    )
    version = article.versions.get()
    assert version.attachment.name.endswith(".pdf")
    assert version.attachment.read() == PDF


def test_nothing_to_publish_is_a_conflict(api, county, publish):
    article = publish("faq", "社保卡激活", "银行网点激活。")
    resp = post(api(county.county_admin), f"/api/v1/knowledge/articles/{article.pk}/publish")
    assert resp.status_code == 409 and resp.json()["code"] == "knowledge.nothing_to_publish"


def test_anonymous_readers_see_published_answers_only(api, county, publish):
    faq = publish("faq", "残疾证丢了怎么办", "到残联补办。", lines=["canlian"])
    policy = publish("policy", "云溪县残疾人两项补贴办法", "补贴标准。", lines=["canlian"])
    anonymous = api()
    assert anonymous.get(f"/api/v1/knowledge/articles/{faq.pk}").status_code == 200
    resp = anonymous.get(f"/api/v1/knowledge/articles/{policy.pk}")
    assert resp.status_code == 404 and resp.json()["code"] == "knowledge.article_not_found"


def test_drafts_versions_are_shown_to_editors_only(api, county, publish):
    article = publish("faq", "低保多久复核", "每年。", lines=["minzheng"])
    actions.article_edit(
        actor=county.county_admin,
        article=article,
        content=ArticleContent(title="低保多久复核一次", body="每年一次。"),
    )
    url = f"/api/v1/knowledge/articles/{article.pk}"
    assert [v["number"] for v in api(county.clerk).get(url).json()["versions"]] == [1]
    assert [v["number"] for v in api(county.county_admin).get(url).json()["versions"]] == [2, 1]
