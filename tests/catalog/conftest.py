"""Helpers for catalogue tests: items built through the actions, as a county
admin would, so every test starts from a published, valid definition."""

from __future__ import annotations

import pytest

from yichuang.catalog import actions
from yichuang.org.models import Department

STEPS = [
    {"kind": "accept", "department": "rs", "share": 20},
    {"kind": "review", "department": "rs", "share": 50},
    {"kind": "complete", "department": "rs", "share": 30},
]
MATERIALS = [
    {"code": "M01", "name": "居民身份证", "originals": 1, "copies": 0, "document_type": "id_card"},
    {
        "code": "M02",
        "name": "居民户口簿",
        "originals": 1,
        "copies": 0,
        "document_type": "hukou_book",
    },
    {"code": "M03", "name": "出院小结", "originals": 0, "copies": 1, "requirement": "optional"},
]


@pytest.fixture
def make_item(county):
    """``make_item(code, legal=20, committed=10, visits=1, …)`` → a published Item."""

    def make(
        code,
        *,
        name=None,
        department="rs",
        legal=20,
        committed=10,
        visits=1,
        case_type="promised",
        legal_unit="workday",
        materials=None,
        steps=None,
        centres=None,
        publish=True,
        actor=None,
    ):
        actor = actor or county.county_admin
        dept = Department.objects.get(code=department)
        item = actions.item_create(
            actor=actor,
            code=code,
            department=dept,
            name=name or f"测试事项{code}",
            centres=centres if centres is not None else [county.hall],
            case_type=case_type,
            legal_limit=legal,
            legal_limit_unit=legal_unit,
            committed_limit=committed,
            visits_required=visits,
            visits_reason="须现场核验原件" if visits else "",
        )
        version = item.draft()
        steps = steps if steps is not None else [dict(s, department=department) for s in STEPS]
        actions.version_update(
            actor=actor,
            version=version,
            materials=materials if materials is not None else MATERIALS,
            steps=steps,
        )
        if publish:
            actions.item_publish(actor=actor, item=item)
            item.refresh_from_db()
        return item

    return make
