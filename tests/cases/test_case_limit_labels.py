"""A case's limits are shown with the unit they count in (the item version's:
working days, calendar days or months), on the case page and in the admin."""

import pytest
from django.test import Client

from .conftest import user


@pytest.fixture
def calendar_item(make_item):
    return make_item("CAL-LABEL", legal=60, legal_unit="day", committed=20)


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
