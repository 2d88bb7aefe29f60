"""A case's limits are shown with the unit they count in (the item version's:
working days, calendar days or months), on the case page and in the admin."""

import pytest
from django.test import Client

from yichuang.catalog import actions as catalog
from yichuang.org.models import Department

from .conftest import MATERIALS, steps, user


@pytest.fixture
def calendar_item(county):
    actor = county.county_admin
    item = catalog.item_create(
        actor=actor,
        code="CAL-LABEL",
        department=Department.objects.get(code="rs"),
        name="测试事项自然日",
        centres=[county.hall],
        case_type="promised",
        legal_limit=60,
        legal_limit_unit="day",
        committed_limit=20,
        visits_required=1,
        visits_reason="须现场核验原件",
    )
    catalog.version_update(actor=actor, version=item.draft(), materials=MATERIALS, steps=steps())
    catalog.item_publish(actor=actor, item=item)
    item.refresh_from_db()
    return item


def test_the_case_page_shows_each_limit_with_its_unit(intake, calendar_item):
    case = intake(item=calendar_item).case
    assert case.committed_limit_text == "20 工作日"
    assert case.legal_limit_text == "60 自然日"
    client = Client()
    client.force_login(user("rs_review1"))
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "（20 工作日）" in page and "（60 自然日）" in page


def test_an_item_done_on_the_spot_says_so(intake, make_item):
    case = intake(item=make_item("NOW-1", case_type="immediate", committed=0)).case
    assert case.committed_limit_text == "即办"
