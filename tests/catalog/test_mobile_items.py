"""/m/items/ grouped by life event (一件事) and by department, each group
folded; a guide's QR centred and its 预约 link to /m/book for a centre that
offers the item (issue 18, item 12)."""

import re

import pytest
from django.test import Client

from yichuang.catalog import actions

pytestmark = pytest.mark.django_db


def test_items_are_grouped_by_bundle_and_by_department(make_item, county):
    make_item("G-1", name="出生医学证明", department="wj")
    make_item("G-2", name="出生登记", department="ga")
    make_item("G-3", name="失业登记", department="rs")
    actions.bundle_save(
        actor=county.county_admin, code="nb", name="新生儿出生一件事", item_codes=["G-1", "G-2"]
    )
    html = Client().get("/m/items/").content.decode()
    bundle = re.search(r'<details class="m-group" data-bundle="nb">(.*?)</details>', html, re.S)
    assert bundle and "新生儿出生一件事" in bundle[1]
    assert "/m/items/G-1" in bundle[1] and "/m/items/G-2" in bundle[1]
    assert "/m/items/G-3" not in bundle[1] and "/m/bundles/nb" in bundle[1]
    rs = re.search(r'<details class="m-group" data-department="rs">(.*?)</details>', html, re.S)
    assert rs and "/m/items/G-3" in rs[1] and "/m/items/G-1" not in rs[1]
    assert " open" not in html.split('id="by-bundle"')[1]  # folded until opened


def test_a_search_lists_matches_without_the_groups(make_item):
    make_item("G-1", name="最低生活保障申请", department="mz")
    html = Client().get("/m/items/?q=zdsh").content.decode()
    assert "最低生活保障申请" in html and 'id="by-department"' not in html


def test_a_guide_links_to_booking_where_a_queue_serving_it_has_slots(make_item, county, hall):
    from yichuang.demo.queueing import build_slots
    from yichuang.queueing.models import AppointmentSlot, Queue

    item = make_item("G-B", name="社保参保登记", department="rs")
    html = Client().get("/m/items/G-B").content.decode()
    assert 'id="book"' not in html  # no queue serves it yet
    queue = Queue.objects.filter(centre=hall).exclude(slots__isnull=False).first() or (
        Queue.objects.filter(centre=hall).first()
    )
    queue.items.add(item)
    build_slots(days=2)
    assert AppointmentSlot.objects.filter(queue=queue).exists()
    html = Client().get("/m/items/G-B").content.decode()
    assert f'href="/m/book/county-hall?queue={queue.pk}"' in html


def test_the_guide_qr_sits_in_a_centred_block(make_item):
    make_item("G-1")
    html = Client().get("/m/items/G-1").content.decode()
    assert re.search(r'<section class="card m-qr">.*?<div class="qr"><svg', html, re.S)
    assert 'style="' not in html.split('class="card m-qr"')[1].split("</section>")[0]
