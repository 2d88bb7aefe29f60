import re

import pytest
from django.utils import timezone

from yichuang.catalog.actions import notice_issue
from yichuang.catalog.models import OneTimeNotice
from yichuang.lib.errors import Conflict, Unprocessable
from yichuang.lib.models import AuditEntry

MATERIALS = [
    {"code": "M01", "name": "居民身份证", "originals": 1},
    {"code": "M02", "name": "居民户口簿", "originals": 1, "notes": "户主页及本人页"},
    {"code": "M03", "name": "家庭收入情况声明", "originals": 1, "commitment": True},
    {"code": "M04", "name": "出院小结", "copies": 1, "originals": 0, "requirement": "optional"},
    {"code": "M05", "name": "身份证复印件", "copies": 1, "originals": 0, "removable": True},
]


def test_it_lists_every_missing_and_nonconforming_material(make_item, county):
    item = make_item("N-1", materials=MATERIALS)
    notice = notice_issue(
        item=item,
        brought_material_codes=["M01", "M02"],
        nonconforming={"M02": "户口簿本人页与身份证信息不一致"},
        applicant_name="张三",
        actor=county.clerk,
        centre=county.hall,
    )
    assert re.fullmatch(rf"YCGZ-{timezone.localdate():%Y%m%d}-0001", notice.reference)
    # optional and may-not-be-demanded materials are never listed as missing
    assert [m["code"] for m in notice.missing] == ["M03"]
    assert notice.missing[0]["commitment"] is True
    assert notice.nonconforming == [
        {
            "code": "M02",
            "name": "居民户口簿",
            "reason": "户口簿本人页与身份证信息不一致",
            "what_is_needed": "原件 1 份；户主页及本人页",
        }
    ]
    assert notice.version == item.current_version and notice.issued_by == county.clerk
    assert AuditEntry.objects.filter(
        event="catalog.notice_issued", object_id=str(notice.pk)
    ).exists()


def test_it_numbers_notices_uniquely_per_day(make_item, county):
    item = make_item("N-2", materials=MATERIALS)
    refs = [
        notice_issue(item=item, brought_material_codes=[], applicant_name="李四").reference
        for _ in range(3)
    ]
    assert [r[-4:] for r in refs] == ["0001", "0002", "0003"]


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"brought_material_codes": ["M99"]}, "catalog.material_unknown"),
        ({"nonconforming": {"M01": " "}}, "catalog.reason_required"),
        ({"applicant_name": " "}, "catalog.applicant_required"),
        ({"brought_material_codes": ["M01", "M02", "M03"]}, "catalog.materials_complete"),
    ],
)
def test_it_refuses_bad_requests_and_records_nothing(make_item, kwargs, code):
    item = make_item("N-3", materials=MATERIALS)
    args = {"item": item, "brought_material_codes": [], "applicant_name": "王五", **kwargs}
    with pytest.raises((Unprocessable, Conflict)) as exc:
        notice_issue(**args)
    assert exc.value.code == code
    assert not OneTimeNotice.objects.exists()


def test_it_issues_notices_through_the_api_for_staff_only(make_item, api, county):
    make_item("N-4", materials=MATERIALS)
    payload = {"item": "N-4", "applicant_name": "赵六", "brought": ["M01"], "centre": "county-hall"}
    assert (
        api().post("/api/v1/catalog/notices", payload, content_type="application/json").status_code
        == 401
    )
    resp = api(county.clerk).post(
        "/api/v1/catalog/notices", payload, content_type="application/json"
    )
    assert resp.status_code == 201
    body = resp.json()
    assert [m["code"] for m in body["missing"]] == ["M02", "M03"]
    assert body["pdf_url"].endswith(".pdf")
