"""Round trip with a real Open311 client library from PyPI (``georeport``)
against the live server: services, a service definition, a request filed
form-encoded with an api_key (the library only reads, so the POST is made with
``requests``, as a partner system would), then read back in JSON and XML."""

from __future__ import annotations

import io

import pytest
import requests
from django.core.management import call_command
from georeport import GeoReport


@pytest.fixture
def live(transactional_db, live_server):
    from tests.conftest import ensure_county

    from yichuang.feedback.actions import ensure_defaults

    ensure_county()
    ensure_defaults()
    out = io.StringIO()
    call_command("open311_key", "partner", stdout=out)
    return live_server.url + "/open311/v2", out.getvalue().strip()


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_round_trip_with_the_georeport_client(live, fmt):
    root, key = live
    client = GeoReport(root, api_key=key, output_format=fmt)

    services = client.get_service_list()
    codes = [s["service_code"] for s in services]
    assert "unsolved" in codes and "attitude" in codes

    definition = client.get_service_definition("unsolved")
    assert definition["service_code"] == "unsolved"
    attrs = definition["attributes"]
    if fmt == "xml":  # xmltodict: <attributes><attribute>…</attribute>…</attributes>
        attrs = attrs["attribute"]
    assert "item_name" in [a["code"] for a in attrs]

    resp = requests.post(
        f"{root}/requests.{fmt}",
        data={
            "api_key": key,
            "service_code": "unsolved",
            "address_id": "county-hall",
            "description": "办理新生儿落户跑了三次",
            "attribute[item_name]": "新生儿落户",
            "attribute[obstacles][]": ["materials", "departments"],
        },
        timeout=10,
    )
    assert resp.status_code == 201, resp.text
    if fmt == "json":
        rid = resp.json()[0]["service_request_id"]
    else:
        import xmltodict

        rid = xmltodict.parse(resp.content)["service_requests"]["request"]["service_request_id"]

    one = client.get_service_request(rid)
    assert one["service_request_id"] == rid
    assert one["status"] == "open"
    assert one["requested_datetime"].endswith("+08:00")

    listed = client.get_service_requests(service_code="unsolved", status="open")
    if isinstance(listed, dict):  # xmltodict gives a dict for a single <request>
        listed = [listed]
    assert rid in [r["service_request_id"] for r in listed]
