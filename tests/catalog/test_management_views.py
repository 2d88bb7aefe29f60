"""The management screens, through HTTP, with outsider tests: a department lead
of another department gets 404, a read-only clerk 403, and nothing changes."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from tests.conftest import login_client

from yichuang.catalog.models import Item, ItemVersion
from yichuang.catalog.workbook import catalog_export


@pytest.fixture
def items(make_item):
    return make_item("V-RS", name="养老保险待遇申领"), make_item("V-YB", department="yb")


def test_it_lists_items_with_filters(items, county, django_assert_max_num_queries):
    client = login_client(county.county_admin)
    with django_assert_max_num_queries(15):
        resp = client.get("/catalog/?q=ylbx")
    assert resp.status_code == 200
    assert "养老保险待遇申领" in resp.text and "V-YB" not in resp.text
    assert "V-YB" in client.get("/catalog/?department=yb").text


def test_it_shows_a_department_lead_only_his_department(items, county):
    client = login_client(county.dept_lead)
    page = client.get("/catalog/").text
    assert "V-RS" in page and "V-YB" not in page
    assert client.get("/catalog/items/V-YB/").status_code == 404


def test_it_edits_and_publishes_through_a_new_draft(items, county):
    client = login_client(county.dept_lead)
    assert client.post("/catalog/items/V-RS/draft/").status_code == 302
    page = client.get("/catalog/items/V-RS/edit/")
    assert page.status_code == 200
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None and k in form.fields}
    data.update({"committed_limit": 5, "in_hall": "on"})
    for prefix, fs in (("m", page.context["mats"]), ("s", page.context["steps"])):
        data[f"{prefix}-TOTAL_FORMS"] = len(fs.initial)
        data[f"{prefix}-INITIAL_FORMS"] = len(fs.initial)
        for i, row in enumerate(fs.initial):
            for k, v in row.items():
                if isinstance(v, bool):
                    if v:
                        data[f"{prefix}-{i}-{k}"] = "on"
                elif v is not None:
                    data[f"{prefix}-{i}-{k}"] = getattr(v, "code", v)
    resp = client.post("/catalog/items/V-RS/edit/", data)
    assert resp.status_code == 302, resp.context and resp.context.get("error")
    assert client.post("/catalog/items/V-RS/publish/").status_code == 302
    item = Item.objects.get(code="V-RS")
    assert item.current_version.number == 2 and item.current_version.committed_limit == 5
    assert item.current_version.materials.count() == 3
    compare = client.get("/catalog/items/V-RS/compare/?a=1&b=2")
    assert compare.status_code == 200 and "v2" in compare.text


def test_it_shows_why_a_draft_cannot_be_published(make_item, county):
    make_item("V-BAD", legal=5, committed=10, publish=False)
    resp = login_client(county.county_admin).post("/catalog/items/V-BAD/publish/")
    assert resp.status_code == 422
    assert "承诺时限（10）不能超过法定时限（5）" in resp.text
    assert Item.objects.get(code="V-BAD").current_version is None


def test_it_hides_another_departments_item_from_a_department_lead(items, county):
    client = login_client(county.dept_lead)  # 人社 lead
    before = ItemVersion.objects.filter(item__code="V-YB").count()
    for path in ("/catalog/items/V-YB/draft/", "/catalog/items/V-YB/publish/"):
        assert client.post(path).status_code == 404
    assert client.get("/catalog/items/V-YB/edit/").status_code == 404
    assert ItemVersion.objects.filter(item__code="V-YB").count() == before


def test_it_refuses_management_to_a_clerk(items, county):
    client = login_client(county.clerk)
    assert client.get("/catalog/").status_code == 200  # read-only list
    assert client.post("/catalog/items/V-RS/draft/").status_code == 403
    assert client.get("/catalog/items/new/").status_code == 403
    assert client.get("/catalog/export.xlsx").status_code == 403
    assert client.get("/catalog/import/").status_code == 403
    assert ItemVersion.objects.filter(item__code="V-RS").count() == 1


def test_it_sends_anonymous_visitors_to_sign_in(items):
    from django.test import Client

    assert Client().get("/catalog/").status_code == 302


def test_it_creates_an_item_in_the_leads_department_only(county):
    client = login_client(county.dept_lead)
    resp = client.post(
        "/catalog/items/new/",
        {"code": "NEW-9", "name": "新事项", "department": county.dept_lead.staff.department_id},
    )
    assert resp.status_code == 302
    other = client.post(
        "/catalog/items/new/", {"code": "NEW-10", "name": "别人的", "department": 2}
    )
    assert other.status_code == 200 and not Item.objects.filter(code="NEW-10").exists()


def test_it_uploads_a_workbook_and_reports_bad_rows(items, county):
    client = login_client(county.county_admin)
    assert client.get("/catalog/template.xlsx")["Content-Type"].startswith(
        "application/vnd.openxmlformats"
    )
    bad = SimpleUploadedFile("cat.xlsx", b"this is not excel")
    resp = client.post("/catalog/import/", {"file": bad})
    assert resp.status_code == 422 and "不是有效的 Excel" in resp.text
    data = catalog_export()
    resp = client.post("/catalog/import/", {"file": SimpleUploadedFile("c.xlsx", data)})
    assert resp.status_code == 200 and "未变化 2 个" in resp.text
    assert io.BytesIO(client.get("/catalog/export.xlsx").content).read(2) == b"PK"


def test_it_shows_the_overview_with_holding_back_lists(make_item, county):
    make_item("V-2V", name="两次跑动的事项", visits=2)
    resp = login_client(county.director).get("/catalog/overview/")
    assert resp.status_code == 200
    assert "两次跑动的事项" in resp.text and "最多跑一次" in resp.text
