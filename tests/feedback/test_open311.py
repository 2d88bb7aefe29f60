"""Open311 GeoReport v2 conformance, written from the spec: every endpoint in
both formats, the attribute rules, the filters and the error matrix."""

from __future__ import annotations

import datetime as dt
import io
from xml.etree import ElementTree as ET

import pytest
from django.core.management import call_command

from yichuang.feedback.models import Complaint

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"


@pytest.fixture
def key(hall):
    out = io.StringIO()
    call_command("open311_key", "12345热线", stdout=out)
    return out.getvalue().strip()


def xml(resp) -> ET.Element:
    assert resp["Content-Type"].startswith("text/xml")
    assert resp.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(resp.content)


def file(client, key, fmt="json", **extra):
    data = {
        "api_key": key,
        "service_code": "attitude",
        "address_id": "county-hall",
        "description": "5号窗口工作人员态度生硬",
        "first_name": "三",
        "last_name": "张",
        "phone": "13800138000",
        "attribute[window_number]": "5",
        **extra,
    }
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{BASE}/requests.{fmt}", data)


def assert_error(resp, status: int, fmt: str = "json") -> str:
    assert resp.status_code == status
    if fmt == "json":
        body = resp.json()
        assert isinstance(body, list) and body[0]["code"] == status
        assert body[0]["description"]
        return body[0]["description"]
    root = xml(resp)
    assert root.tag == "errors"
    err = root.find("error")
    assert err is not None and err.findtext("code") == str(status)
    return err.findtext("description") or ""


def test_discovery_in_both_formats(client, hall):
    body = client.get(f"{BASE}/discovery.json").json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    ep = body["endpoints"][0]
    assert ep["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert ep["url"].endswith("/open311/v2/")
    assert set(ep["formats"]) == {"text/xml", "application/json"}
    root = xml(client.get(f"{BASE}/discovery.xml"))
    assert root.tag == "discovery"
    formats = [f.text for f in root.iter("format")]
    assert "text/xml" in formats and "application/json" in formats


def test_services_in_both_formats(client, hall):
    services = client.get(f"{BASE}/services.json").json()
    codes = {s["service_code"] for s in services}
    assert {"attitude", "unsolved", "praise", "policy"} <= codes
    s = next(s for s in services if s["service_code"] == "attitude")
    assert set(s) == {
        "service_code",
        "service_name",
        "description",
        "metadata",
        "type",
        "keywords",
        "group",
    }
    assert s["metadata"] is True and s["type"] in ("realtime", "batch", "blackbox")
    policy = next(s for s in services if s["service_code"] == "policy")
    assert policy["metadata"] is False
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services"
    first = root.find("service")
    assert first is not None and first.findtext("metadata") in ("true", "false")


def test_service_definition_in_both_formats(client, hall):
    body = client.get(f"{BASE}/services/unsolved.json").json()
    assert body["service_code"] == "unsolved"
    attrs = {a["code"]: a for a in body["attributes"]}
    assert attrs["item_name"]["required"] is True
    assert attrs["item_name"]["datatype"] == "string"
    assert attrs["obstacles"]["datatype"] == "multivaluelist"
    assert {"key", "name"} == set(attrs["obstacles"]["values"][0])
    centre = attrs["centre"]
    assert any(v["key"] == "county-hall" for v in centre["values"])
    for a in body["attributes"]:
        assert {
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        } <= set(a)
    orders = [a["order"] for a in body["attributes"]]
    assert orders == sorted(orders)
    root = xml(client.get(f"{BASE}/services/unsolved.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "unsolved"
    values = root.findall("attributes/attribute/values/value")
    assert values and values[0].findtext("key")


def test_an_unknown_service_definition_is_404(client, hall):
    assert_error(client.get(f"{BASE}/services/nope.json"), 404)
    assert_error(client.get(f"{BASE}/services/nope.xml"), 404, "xml")


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_post_creates_a_request(client, key, fmt, frozen):
    resp = file(client, key, fmt)
    assert resp.status_code == 201
    if fmt == "json":
        item = resp.json()[0]
    else:
        root = xml(resp)
        assert root.tag == "service_requests"
        node = root.find("request")
        assert node is not None
        item = {child.tag: child.text for child in node}
    assert item["service_request_id"].startswith("TS2026")
    assert item["service_notice"]
    c = Complaint.objects.get(reference=item["service_request_id"])
    assert c.channel == "open311" and c.kind == "complaint"
    assert c.centre.code == "county-hall" and c.window.number == 5
    assert c.name == "张 三" and c.phone == "13800138000"
    assert c.due_date == dt.date(2026, 3, 23)
    assert c.source_client.name == "12345热线"


def test_post_error_matrix(client, key, frozen):
    assert "api_key" in assert_error(file(client, None), 403)
    assert_error(file(client, "o311_wrong"), 403)
    assert_error(file(client, "o311_wrong", fmt="xml"), 403, "xml")
    assert_error(file(client, key, service_code=None), 400)
    assert_error(file(client, key, service_code="potholes"), 400)
    assert_error(file(client, key, address_id=None), 400)  # no location at all
    assert_error(file(client, key, address_id="atlantis"), 400)
    assert_error(file(client, key, address_id=None, lat="29.1"), 400)  # lat without long
    assert_error(file(client, key, address_id=None, lat="99", long="120"), 400)
    assert_error(file(client, key, description="长" * 4001), 400)
    assert_error(file(client, key, **{"attribute[window_number]": "five"}), 400)
    assert_error(file(client, key, **{"attribute[bogus]": "1"}), 400)
    assert_error(file(client, key, **{"attribute[happened_at]": "yesterday"}), 400)
    # A required attribute and list values.
    assert_error(file(client, key, service_code="unsolved"), 400)
    resp = file(
        client,
        key,
        service_code="unsolved",
        **{"attribute[item_name]": "新生儿落户", "attribute[obstacles][]": "teleport"},
    )
    assert_error(resp, 400)
    assert Complaint.objects.count() == 0


def test_post_with_lat_long_and_list_attributes(client, key, frozen):
    resp = client.post(
        f"{BASE}/requests.json",
        {
            "api_key": key,
            "service_code": "unsolved",
            "lat": "29.123456",
            "long": "119.654321",
            "description": "跑了三次没办成",
            "attribute[item_name]": "新生儿落户",
            "attribute[obstacles][]": ["materials", "departments"],
            "attribute[centre]": "county-hall",
        },
    )
    assert resp.status_code == 201, resp.content
    c = Complaint.objects.get()
    assert c.kind == "unsolved" and c.centre.code == "county-hall"
    assert c.attributes["obstacles"] == ["materials", "departments"]
    # 办不成事: 5 working days to solve, 3 to give reasons.
    assert c.due_date == dt.date(2026, 3, 23) and c.reasons_due == dt.date(2026, 3, 19)


def test_get_request_and_token_in_both_formats(client, key, frozen):
    created = file(client, key).json()[0]
    rid, token = created["service_request_id"], created["token"]
    item = client.get(f"{BASE}/requests/{rid}.json").json()[0]
    assert item["service_request_id"] == rid and item["status"] == "open"
    assert item["requested_datetime"] == "2026-03-16T10:00:00+08:00"
    assert item["expected_datetime"] == "2026-03-23T17:30:00+08:00"
    assert item["service_code"] == "attitude" and item["address_id"] == "county-hall"
    # The public sees no description; the filing client does.
    assert item["description"] == ""
    mine = client.get(f"{BASE}/requests/{rid}.json", {"api_key": key}).json()[0]
    assert mine["description"] == "5号窗口工作人员态度生硬"
    assert (
        "13800138000"
        not in client.get(f"{BASE}/requests/{rid}.json", {"api_key": key}).content.decode()
    )
    root = xml(client.get(f"{BASE}/requests/{rid}.xml"))
    assert root.tag == "service_requests" and root.find("request/status").text == "open"
    assert client.get(f"{BASE}/tokens/{token}.json").json() == [
        {"service_request_id": rid, "token": token}
    ]
    root = xml(client.get(f"{BASE}/tokens/{token}.xml"))
    assert root.findtext("request/service_request_id") == rid
    assert_error(client.get(f"{BASE}/requests/TS1999000001.json"), 404)
    assert_error(client.get(f"{BASE}/requests/TS1999000001.xml"), 404, "xml")
    assert_error(client.get(f"{BASE}/tokens/nope.json"), 404)


def test_get_requests_filters(client, key, frozen):
    a = file(client, key).json()[0]["service_request_id"]
    b = file(
        client,
        key,
        service_code="environment",
        description="座椅不够",
        **{"attribute[window_number]": None},
    ).json()[0]["service_request_id"]
    c = Complaint.objects.get(reference=b)
    c.status = Complaint.Status.CLOSED
    c.save(update_fields=["status"])
    ids = lambda resp: {r["service_request_id"] for r in resp.json()}  # noqa: E731
    assert ids(client.get(f"{BASE}/requests.json")) == {a, b}
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "attitude"})) == {a}
    assert ids(client.get(f"{BASE}/requests.json", {"service_code": "attitude,environment"})) == {
        a,
        b,
    }
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open"})) == {a}
    assert ids(client.get(f"{BASE}/requests.json", {"status": "closed"})) == {b}
    assert ids(client.get(f"{BASE}/requests.json", {"status": "open,closed"})) == {a, b}
    assert ids(client.get(f"{BASE}/requests.json", {"service_request_id": f"{b}, {a}"})) == {a, b}
    # service_request_id overrides the other filters.
    assert ids(
        client.get(f"{BASE}/requests.json", {"service_request_id": b, "status": "open"})
    ) == {b}
    window = {"start_date": "2026-03-16T00:00:00+08:00", "end_date": "2026-03-16T23:59:59+08:00"}
    assert ids(client.get(f"{BASE}/requests.json", window)) == {a, b}
    earlier = {"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-03-15T00:00:00Z"}
    assert ids(client.get(f"{BASE}/requests.json", earlier)) == set()
    root = xml(client.get(f"{BASE}/requests.xml", {"status": "open"}))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [a]


def test_get_requests_error_matrix(client, hall):
    bad = [
        {"start_date": "2026-03-01"},  # no time zone
        {"start_date": "yesterday"},
        {"end_date": "3000-01-01T00:00:00Z"},
        {"start_date": "2026-03-10T00:00:00Z", "end_date": "2026-03-01T00:00:00Z"},
        {"start_date": "2025-01-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"},  # > 90 days
        {"status": "pending"},
        {"service_code": "potholes"},
    ]
    for params in bad:
        assert_error(client.get(f"{BASE}/requests.json", params), 400)
    assert_error(client.get(f"{BASE}/requests.xml", {"status": "pending"}), 400, "xml")


def test_unknown_resources_formats_and_methods(client, hall):
    assert client.get(f"{BASE}/services.csv").status_code == 404
    assert_error(client.get(f"{BASE}/potholes.json"), 404)
    resp = client.delete(f"{BASE}/requests.json")
    assert_error(resp, 405)
    assert_error(client.post(f"{BASE}/services.json"), 405)


def test_times_carry_the_plus_eight_offset(client, key, frozen):
    file(client, key)
    item = client.get(f"{BASE}/requests.json").json()[0]
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert item[field].endswith("+08:00")


def test_the_key_command(key, hall):
    from yichuang.feedback.models import Open311Client

    assert key.startswith("o311_")
    client = Open311Client.objects.get(name="12345热线")
    assert client.key_hash != key
    from django.core.management.base import CommandError

    with pytest.raises(CommandError):
        call_command("open311_key", "12345热线", stdout=io.StringIO())
    out = io.StringIO()
    call_command("open311_key", "12345热线", "--rotate", stdout=out)
    assert out.getvalue().strip() != key
