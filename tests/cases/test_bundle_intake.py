"""一件事: one intake, one receipt, one case per member item with its own routing."""

import pytest

from yichuang.cases.actions import case_act
from yichuang.catalog import actions as catalog
from yichuang.lib.errors import DomainError

from .conftest import steps, user

BIRTH = [
    {"code": "M01", "name": "居民身份证", "originals": 1, "document_type": "id_card"},
    {"code": "M02", "name": "出生医学证明", "originals": 1, "document_type": "birth_cert"},
]
HUKOU = [
    {"code": "M01", "name": "居民身份证", "originals": 1, "document_type": "id_card"},
    {"code": "M02", "name": "居民户口簿", "originals": 1, "document_type": "hukou_book"},
]


@pytest.fixture
def bundle(make_item, county):
    a = make_item("B-1", department="wj", materials=BIRTH, step_list=steps("wj", "wj"))
    b = make_item("B-2", department="ga", materials=HUKOU, step_list=steps("ga", "ga"))
    return catalog.bundle_save(
        actor=county.county_admin, code="born", name="出生一件事", item_codes=[a.code, b.code]
    )


def test_it_opens_one_case_per_member_under_one_bundle_case(intake, bundle, ticket):
    keys = [{"code": "type:id_card"}, {"code": "type:birth_cert"}]
    first = intake(bundle=bundle, item=None, materials=keys, ticket=ticket())
    parent = first.case
    assert not first.accepted and parent.is_bundle and parent.status == "supplement"
    assert [m["code"] for m in first.missing] == ["M02"] and first.missing[0]["item"] == "B-2"
    assert first.notice_url == f"/cases/{parent.pk}/notices/"
    again = intake(
        bundle=bundle, item=None, materials=[{"code": "type:hukou_book"}], ticket=ticket()
    )
    assert again.accepted and again.case.pk == parent.pk
    parent.refresh_from_db()
    children = list(parent.children.order_by("pk"))
    assert [c.department.code for c in children] == ["wj", "ga"]
    assert parent.status == "accepted" and parent.visit_count == 2
    assert all(c.visit_count == 2 for c in children)
    assert parent.due_date == max(c.due_date for c in children)
    with pytest.raises(DomainError) as exc:
        case_act(case=parent, actor=user("director"), action="approve")
    assert exc.value.code == "cases.bundle_member_action"
    for child, dept in zip(children, ["wj", "ga"], strict=True):
        for action in ("approve", "approve", "complete"):
            child = case_act(case=child, actor=user(f"{dept}_review1"), action=action)
    parent.refresh_from_db()
    assert parent.status == "completed" and parent.rating_code


def test_it_refuses_keys_that_are_not_in_the_bundle(intake, bundle):
    with pytest.raises(DomainError) as exc:
        intake(bundle=bundle, item=None, materials=[{"code": "M01"}])
    assert exc.value.code == "cases.material_unknown"


def test_it_counts_one_case_per_member_item_in_the_catalogue(intake, bundle):
    from yichuang.catalog.models import Item

    intake(bundle=bundle, item=None, materials=[{"code": "type:id_card"}])
    intake(bundle=bundle, item=None, materials=[{"code": "type:id_card"}])  # same case
    counts = dict(Item.objects.filter(code__in=["B-1", "B-2"]).values_list("code", "case_count"))
    assert counts == {"B-1": 1, "B-2": 1}


def test_a_joint_member_case_extends_by_up_to_15_days_with_the_county_head(intake, bundle):
    from yichuang.cases.models import Extension

    keys = [{"code": f"type:{t}"} for t in ("id_card", "birth_cert", "hukou_book")]
    parent = intake(bundle=bundle, item=None, materials=keys).case
    child = parent.children.order_by("pk").first()
    kw = {"action": "extend", "note": "多部门联合办理，情况复杂", "document": "县政延〔2026〕3号"}
    with pytest.raises(DomainError) as exc:
        case_act(case=child, actor=user("director"), days=5, **kw)
    assert exc.value.code == "cases.approval_required"
    with pytest.raises(DomainError) as exc:
        case_act(case=child, actor=user("countyadmin"), days=16, **kw)
    assert exc.value.code == "cases.extension_too_long" and exc.value.details["max_days"] == 15
    due = child.due_date
    child = case_act(case=child, actor=user("countyadmin"), days=15, **kw)
    assert child.extension_days == 15 and child.due_date > due
    event = child.events.get(type="extended")
    assert event.data["basis"] == "行政许可法第四十二条第二款"
    assert Extension.objects.filter(case=child).count() == 1
