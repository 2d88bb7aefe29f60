"""The catalogue targets' formulas (docs/domain.md, "The three targets") on
hand-made catalogues."""

import pytest

from yichuang.catalog.metrics import catalog_metrics
from yichuang.catalog.models import Item


@pytest.fixture
def four_items(make_item, county):
    # visits 0, 1, 2, 1; statutory 20, 10, 30, none; committed 10, 10, 15, immediate
    make_item("M-A", legal=20, committed=10, visits=0)
    make_item("M-B", legal=10, committed=10, visits=1, department="yb")
    make_item("M-C", legal=30, committed=15, visits=2, department="yb", centres=[county.town])
    make_item("M-D", legal=None, committed=0, visits=1, case_type="immediate")
    make_item("M-E", legal=10, committed=5, visits=3, publish=False)  # draft: not counted


def test_it_computes_the_county_figures(four_items):
    m = catalog_metrics("county")
    assert m["items"] == 4
    assert m["one_visit_coverage"] == pytest.approx(3 / 4)
    assert m["zero_visit_share"] == pytest.approx(1 / 4)
    # M-D has no statutory limit: 1 − (10 + 10 + 15) / (20 + 10 + 30)
    assert m["committed_compression"] == pytest.approx(1 - 35 / 60)
    assert m["volume_weighted_coverage"] is None


def test_it_counts_immediate_items_as_zero_committed_days(make_item):
    make_item("M-I1", legal=20, committed=0, visits=0, case_type="immediate")
    make_item("M-I2", legal=20, committed=20, visits=0)
    assert catalog_metrics("county")["committed_compression"] == pytest.approx(0.5)


def test_it_breaks_the_figures_down_by_department(four_items):
    depts = {d["department"]: d for d in catalog_metrics("county")["departments"]}
    assert depts["rs"]["items"] == 2 and depts["rs"]["one_visit_coverage"] == 1.0
    assert depts["rs"]["committed_compression"] == pytest.approx(0.5)
    assert depts["yb"]["one_visit_coverage"] == pytest.approx(0.5)
    assert depts["yb"]["committed_compression"] == pytest.approx(1 - 25 / 40)


def test_it_scopes_to_a_centre_and_a_department(four_items):
    assert catalog_metrics("centre:chengguan")["items"] == 1
    assert catalog_metrics("centre:county-hall")["items"] == 3
    town = catalog_metrics("centre:chengguan")
    assert town["one_visit_coverage"] == 0.0 and town["committed_compression"] == 0.5
    assert catalog_metrics("department:yb")["items"] == 2


def test_it_weights_coverage_by_cases_once_cases_exist(four_items):
    Item.objects.filter(code="M-A").update(case_count=70)
    Item.objects.filter(code="M-C").update(case_count=30)
    assert catalog_metrics("county")["volume_weighted_coverage"] == pytest.approx(0.7)


def test_it_returns_nulls_for_an_empty_scope(county):
    m = catalog_metrics("department:tyjr")
    assert m["items"] == 0
    assert m["one_visit_coverage"] is None and m["committed_compression"] is None


def test_it_lists_what_holds_the_figures_back(four_items, make_item):
    make_item(
        "M-F",
        legal=20,
        committed=20,
        visits=0,
        materials=[
            {
                "code": "M01",
                "name": "居民身份证复印件",
                "copies": 1,
                "originals": 0,
                "removable": True,
            }
        ],
    )
    back = catalog_metrics("county", holding_back=10)["holding_back"]
    assert [r["code"] for r in back["most_visits"]] == ["M-C"]
    assert [r["code"] for r in back["least_compression"]][:2] == ["M-F", "M-B"]
    assert [r["material"] for r in back["removable_materials"]] == ["居民身份证复印件"]


def test_it_answers_the_metrics_api_and_rejects_a_bad_scope(four_items, api):
    client = api()
    body = client.get("/api/v1/catalog/metrics?scope=county").json()
    assert body["items"] == 4 and body["one_visit_coverage"] == 0.75
    assert {
        "zero_visit_share",
        "committed_compression",
        "volume_weighted_coverage",
        "departments",
    } <= set(body)
    assert client.get("/api/v1/catalog/metrics?scope=planet:x").status_code == 422
    resp = client.get("/api/v1/catalog/metrics?scope=centre:nowhere")
    assert resp.status_code == 404 and resp.json()["code"] == "catalog.scope_not_found"
