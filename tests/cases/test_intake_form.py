"""The intake form (issue 18, item 16): a 不得索要 (removable) material is
shown but can't be ticked, and is never received even when posted; the item
list has a filter box; the buttons are styled."""

from __future__ import annotations

import re

from django.test import Client

from yichuang.cases.models import Case, MaterialReceipt

from .conftest import ID_B


def _client(u) -> Client:
    c = Client()
    c.force_login(u)
    return c


def test_a_removable_material_is_not_tickable(item, county):
    html = _client(county.clerk).get("/cases/new/", {"item": item.code}).content.decode()
    row = re.search(r'<tr data-material="M05">(.*?)</tr>', html, re.S).group(1)
    box = re.search(r"<input type=\"checkbox\"[^>]*>", row).group(0)
    assert "disabled" in box and 'name="material"' not in box
    assert "不得索要" in row
    other = re.search(r'<tr data-material="M01">(.*?)</tr>', html, re.S).group(1)
    assert 'name="material" value="M01"' in other
    assert 'data-filter-for="item-select"' in html and 'id="item-select"' in html
    assert '<button class="button primary" id="submit-intake">' in html


def test_a_posted_removable_material_is_not_received(item, county):
    before = Case.objects.count()
    resp = _client(county.clerk).post(
        "/cases/new/",
        {
            "item": item.code,
            "centre": "county-hall",
            "name": "王五",
            "id_number": ID_B,
            "material": ["M01", "M02", "M03", "M04", "M05"],
        },
    )
    assert resp.status_code == 302 and Case.objects.count() == before + 1
    case = Case.objects.order_by("-pk").first()
    codes = set(MaterialReceipt.objects.filter(case=case).values_list("code", flat=True))
    assert "M05" not in codes and {"M01", "M02"} <= codes
