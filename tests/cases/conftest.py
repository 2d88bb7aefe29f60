"""Case fixtures: items built through the catalogue's own actions, a bundle,
applicants with valid ID numbers, and tickets from the demo queues."""

from __future__ import annotations

import pytest

from yichuang.catalog import actions as catalog
from yichuang.org.models import Department

# Valid GB 11643 numbers (check characters computed).
ID_A = "11010519491231002X"
ID_B = "440524188001010014"

MATERIALS = [
    {"code": "M01", "name": "居民身份证", "originals": 1, "document_type": "id_card"},
    {"code": "M02", "name": "出生医学证明", "originals": 1, "document_type": "birth_cert"},
    {"code": "M03", "name": "近期一寸免冠彩色照片", "originals": 2, "tolerable": True},
    {"code": "M04", "name": "家庭收入情况声明", "originals": 1, "commitment": True},
    {"code": "M05", "name": "身份证复印件", "originals": 0, "copies": 1, "removable": True},
    {"code": "M06", "name": "代办人授权委托书", "originals": 1, "requirement": "optional"},
]
ALL = [{"code": c, "source": "submitted"} for c in ("M01", "M02", "M03", "M04")]


def steps(first="rs", second="yb"):
    return [
        {"kind": "accept", "department": first, "share": 10},
        {"kind": "review", "department": second, "share": 40},
        {"kind": "decide", "department": first, "share": 30},
        {"kind": "complete", "department": first, "share": 10},
        {"kind": "deliver", "department": first, "share": 10},
    ]


@pytest.fixture
def make_item(county):
    def make(
        code,
        *,
        department="rs",
        legal=20,
        legal_unit="workday",
        committed=10,
        case_type="promised",
        materials=None,
        step_list=None,
        centres=None,
        visits=1,
    ):
        actor = county.county_admin
        item = catalog.item_create(
            actor=actor,
            code=code,
            department=Department.objects.get(code=department),
            name=f"测试事项{code}",
            centres=centres if centres is not None else [county.hall],
            case_type=case_type,
            legal_limit=legal,
            legal_limit_unit=legal_unit,
            committed_limit=committed,
            visits_required=visits,
            visits_reason="须现场核验原件",
        )
        catalog.version_update(
            actor=actor,
            version=item.draft(),
            materials=materials if materials is not None else MATERIALS,
            steps=step_list if step_list is not None else steps(department),
        )
        catalog.item_publish(actor=actor, item=item)
        item.refresh_from_db()
        return item

    return make


@pytest.fixture
def item(make_item):
    """A promised item of 人社 (10 of 20 working days) reviewed by 医保."""
    return make_item("CASE-1")


@pytest.fixture
def applicant():
    return {"name": "张小花", "id_number": ID_A, "phone": "13800138000"}


@pytest.fixture
def intake(county, item, applicant):
    from yichuang.cases.actions import case_intake

    def run(*, materials=None, actor=None, centre=None, **kw):
        kw.setdefault("item", item if "bundle" not in kw else None)
        return case_intake(
            actor=actor or county.clerk,
            centre=centre or county.hall,
            applicant=kw.pop("applicant", applicant),
            materials=ALL if materials is None else materials,
            **kw,
        )

    return run


@pytest.fixture
def hall_queues(county):
    from yichuang.demo.queueing import build_structure

    build_structure()
    return county.hall


@pytest.fixture
def ticket(hall_queues):
    from yichuang.queueing.actions import ticket_issue

    def make(centre=None):
        return ticket_issue(
            centre=centre or hall_queues, queue_code="general", channel="kiosk", priority="normal"
        )

    return make


def user(username):
    from yichuang.accounts.models import User

    return User.objects.get(username=username)
