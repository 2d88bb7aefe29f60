"""The admin site speaks Chinese: every field of every model it shows has a
Chinese label (a field without one shows its English attribute name, such as
"Region"), and a case's limits are labelled without a unit of their own."""

from __future__ import annotations

import re

import pytest
from django.contrib import admin
from tests.conftest import login_client

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_field_the_admin_shows_has_a_chinese_label():
    english = []
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("yichuang"):
            continue
        inlines = [i.model for i in model_admin.inlines]
        for shown in [model, *inlines]:
            if not CJK.search(str(shown._meta.verbose_name)):
                english.append(shown._meta.label)
            for field in shown._meta.get_fields():
                if (field.auto_created and not field.concrete) or field.name == "id":
                    continue
                if not CJK.search(str(field.verbose_name)):
                    english.append(f"{shown._meta.label}.{field.name}")
    assert english == []


def test_the_centre_form_names_its_region_in_chinese(county):
    page = login_client(county.admin).get(f"/admin/org/centre/{county.hall.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "所属区划" in html and ">Region<" not in html and "Region:" not in html


def test_a_case_limit_is_labelled_without_a_fixed_unit():
    from yichuang.cases.models import Case

    assert str(Case._meta.get_field("committed_days").verbose_name) == "承诺时限"
    assert str(Case._meta.get_field("legal_days").verbose_name) == "法定时限"
