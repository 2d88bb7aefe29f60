"""Live intakes count the cases of each item (Item.case_count), so the
catalogue's volume-weighted one-visit coverage follows live cases."""

import pytest

from yichuang.catalog.metrics import catalog_metrics
from yichuang.catalog.models import Item
from yichuang.lib.errors import DomainError

from .conftest import ALL, ID_B


def count(item):
    return Item.objects.get(pk=item.pk).case_count


def test_the_volume_weighted_coverage_follows_live_cases(intake, make_item):
    one = make_item("VOL-1", department="mz")
    two = make_item("VOL-2", department="mz", visits=2)
    assert catalog_metrics("department:mz")["volume_weighted_coverage"] is None
    intake(item=one)
    intake(item=one, applicant={"name": "李四", "id_number": ID_B})
    intake(item=two)
    assert (count(one), count(two)) == (2, 1)
    m = catalog_metrics("department:mz")
    assert m["cases"] == 3
    assert m["volume_weighted_coverage"] == pytest.approx(2 / 3)


def test_a_notice_opens_a_case_and_its_second_visit_does_not_count_twice(intake, item):
    intake(materials=ALL[:1])  # one-time notice: the case is opened, waiting
    assert count(item) == 1
    intake()  # the second visit completes the same case
    assert count(item) == 1


def test_a_refused_intake_counts_nothing(intake, item):
    with pytest.raises(DomainError):
        intake(materials=[{"code": "NOPE", "source": "submitted"}])
    assert count(item) == 0
