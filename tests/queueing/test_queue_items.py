"""Queues serve catalogue items: the demo links them by department, the kiosk
and the queue list show them."""

import pytest
from django.test import Client

from yichuang.catalog.models import Item
from yichuang.org.models import Department
from yichuang.queueing.models import Queue

from .test_pages import device_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(county):
    rs = Department.objects.get(code="rs")
    ga = Department.objects.get(code="ga")
    made = [
        Item.objects.create(code="Q-RS-1", department=rs, name="城乡居民养老保险参保登记"),
        Item.objects.create(code="Q-RS-2", department=rs, name="失业保险金申领"),
        Item.objects.create(code="Q-GA-1", department=ga, name="户口迁移"),
    ]
    from yichuang.demo.queueing import build_structure

    build_structure()
    return made


def test_it_links_demo_queues_to_their_departments_items(county, items):
    social = Queue.objects.get(centre=county.hall, code="social")
    household = Queue.objects.get(centre=county.hall, code="household")
    assert set(social.items.values_list("code", flat=True)) == {"Q-RS-1", "Q-RS-2"}
    assert list(household.items.values_list("code", flat=True)) == ["Q-GA-1"]
    assert items[0].queues.filter(centre=county.hall).get() == social


def test_it_shows_what_each_queue_serves(county, items, device_token):
    page = device_client(device_token("kiosk"), "/kiosk/county-hall").get("/kiosk/county-hall")
    html = page.content.decode()
    assert "可办：" in html and "失业保险金申领" in html and "户口迁移" in html
    rows = {q["code"]: q for q in Client().get("/api/v1/centres/county-hall/queues").json()}
    assert rows["social"]["items"] == ["城乡居民养老保险参保登记", "失业保险金申领"]
    assert rows["general"]["items"] == []
