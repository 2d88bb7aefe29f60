import pytest

from yichuang.catalog import actions
from yichuang.catalog.models import Item, ItemVersion, Material, Step
from yichuang.lib.errors import Conflict, Unprocessable
from yichuang.lib.models import AuditEntry


def problem_codes(exc):
    return {p["code"] for p in exc.value.details["problems"]}


def test_it_publishes_a_valid_draft_and_audits_it(make_item, county):
    item = make_item("T-PUB-1")
    assert item.current_version.number == 1
    assert item.current_version.status == ItemVersion.Status.PUBLISHED
    assert item.current_version.published_by == county.county_admin
    entry = AuditEntry.objects.filter(event="catalog.item_published").first()
    assert entry.object_id == str(item.pk) and entry.success


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"legal": 10, "committed": 15}, "catalog.committed_exceeds_statutory"),
        ({"steps": []}, "catalog.steps_required"),
        ({"materials": [{"code": "M01", "name": "  "}]}, "catalog.material_unnamed"),
        ({"steps": [{"kind": "accept", "department": "rs", "share": 40}]}, "catalog.step_shares"),
        ({"committed": 0}, "catalog.committed_required"),
    ],
)
def test_it_refuses_to_publish_a_draft_breaking_a_rule(make_item, county, kwargs, code):
    item = make_item("T-BAD", publish=False, **kwargs)
    with pytest.raises(Unprocessable) as exc:
        actions.item_publish(actor=county.county_admin, item=item)
    assert exc.value.code == "catalog.publish_invalid"
    assert code in problem_codes(exc)
    item.refresh_from_db()
    assert item.current_version is None
    assert AuditEntry.objects.filter(event="catalog.item_published", success=False).exists()


def test_it_requires_a_reason_when_visits_are_needed(make_item, county):
    item = make_item("T-VIS", publish=False)
    actions.version_update(
        actor=county.county_admin,
        version=item.draft(),
        fields={"visits_required": 2, "visits_reason": ""},
    )
    with pytest.raises(Unprocessable) as exc:
        actions.item_publish(actor=county.county_admin, item=item)
    assert problem_codes(exc) == {"catalog.visits_reason_required"}


def test_it_compares_limits_in_working_days_across_units(make_item, county):
    # 30 calendar days ≈ 22 working days: a committed 20 working days is fine …
    make_item("T-UNIT-1", legal=30, legal_unit="day", committed=20)
    # … 25 working days is not.
    item = make_item("T-UNIT-2", legal=30, legal_unit="day", committed=25, publish=False)
    with pytest.raises(Unprocessable):
        actions.item_publish(actor=county.county_admin, item=item)


def test_it_lets_an_immediate_item_have_no_committed_days(make_item):
    item = make_item("T-IMM", case_type="immediate", legal=None, committed=0, visits=0)
    assert item.current_version.committed_limit_days == 0.0


def test_it_refuses_to_publish_without_a_draft(make_item, county):
    item = make_item("T-NODRAFT")
    with pytest.raises(Conflict) as exc:
        actions.item_publish(actor=county.county_admin, item=item)
    assert exc.value.code == "catalog.no_draft"


def test_it_keeps_a_published_version_immutable(make_item, county):
    item = make_item("T-IMMUT")
    version = ItemVersion.objects.get(pk=item.current_version_id)
    version.committed_limit = 1
    with pytest.raises(Conflict) as exc:
        version.save()
    assert exc.value.code == "catalog.version_published"
    with pytest.raises(Conflict):
        version.delete()
    material = Material.objects.filter(version=version).first()
    material.name = "别的材料"
    with pytest.raises(Conflict):
        material.save()
    with pytest.raises(Conflict):
        Step.objects.filter(version=version).first().delete()
    with pytest.raises(Conflict) as exc:
        actions.version_update(
            actor=county.county_admin, version=version, fields={"committed_limit": 1}
        )
    assert exc.value.code == "catalog.version_published"
    version.refresh_from_db()
    assert version.committed_limit == 10
    assert Material.objects.get(pk=material.pk).name == "居民身份证"


def test_it_edits_through_a_new_draft_and_keeps_the_old_version(make_item, county):
    item = make_item("T-V2")
    v1 = item.current_version
    draft = actions.version_draft(actor=county.county_admin, item=item)
    assert draft.number == 2 and draft.status == "draft"
    assert [m.name for m in draft.materials.all()] == [m.name for m in v1.materials.all()]
    assert draft.steps.count() == v1.steps.count()
    assert actions.version_draft(actor=county.county_admin, item=item) == draft
    actions.version_update(
        actor=county.county_admin, version=draft, fields={"committed_limit": 5, "name": "新名称"}
    )
    actions.item_publish(actor=county.county_admin, item=item)
    item.refresh_from_db()
    assert item.current_version.number == 2
    assert item.name == "新名称"
    assert ItemVersion.objects.get(pk=v1.pk).committed_limit == 10
    assert Item.objects.get(pk=item.pk).versions.count() == 2


def test_it_refuses_duplicate_material_codes_in_a_draft(make_item, county):
    item = make_item("T-DUP", publish=False)
    with pytest.raises(Unprocessable) as exc:
        actions.version_update(
            actor=county.county_admin,
            version=item.draft(),
            materials=[{"code": "M01", "name": "甲"}, {"code": "M01", "name": "乙"}],
        )
    assert exc.value.code == "catalog.material_code_duplicate"
    assert [m.name for m in item.draft().materials.all()] == [
        "居民身份证",
        "居民户口簿",
        "出院小结",
    ]
