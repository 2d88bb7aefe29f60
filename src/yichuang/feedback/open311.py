"""Complaints and suggestions as Open311 GeoReport v2 (part of the public API;
docs/feedback.md).

Services are the complaint categories; a service request is a complaint.
Every resource comes as ``.json`` and ``.xml``; times carry the +08:00 offset;
errors use the spec's shape (a list of ``{code, description}`` / ``<errors>``)
with the HTTP status as the code.

Privacy: GET requests is public, as the spec intends, but the description,
the status notes (our reply) and the media URL are given only to the partner
system that filed the request (it passes its ``api_key``); nobody's contact
details ever leave through this interface.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from decimal import Decimal, InvalidOperation
from typing import Any
from xml.etree import ElementTree as ET

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path, re_path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from yichuang.lib.errors import DomainError
from yichuang.org.models import Centre

from . import actions
from .actions.anonymous import complaint_client_allow
from .models import Complaint, ComplaintCategory, Open311Client

SPEC_URL = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-03-01T00:00:00+08:00"
MAX_DESCRIPTION = 4000
MAX_RANGE = dt.timedelta(days=90)
MAX_RESULTS = 1000
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


class Open311Error(Exception):
    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _iso(value: dt.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


# --- rendering ------------------------------------------------------------------------


def _xml_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _to_xml(parent: ET.Element, key: str, value: Any, item_tag: str | None = None) -> None:
    el = ET.SubElement(parent, key)
    if isinstance(value, dict):
        for k, v in value.items():
            _to_xml(el, k, v, item_tag=None)
    elif isinstance(value, list):
        tag = item_tag or key.rstrip("s")
        for v in value:
            _to_xml(el, tag, v)
    else:
        el.text = _xml_value(value)


def _xml_document(root_tag: str, items: Any, item_tag: str | None = None) -> bytes:
    root = ET.Element(root_tag)
    if isinstance(items, list):
        for item in items:
            _to_xml(root, item_tag or root_tag.rstrip("s"), item)
    else:
        for k, v in items.items():
            _to_xml(root, k, v)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def _respond(fmt: str, data: Any, root: str, item: str | None, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(
            data, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponse(
        _xml_document(root, data, item), status=status, content_type="text/xml; charset=utf-8"
    )


def _error(fmt: str, status: int, description: str) -> HttpResponse:
    payload = [{"code": status, "description": description}]
    if fmt == "json":
        return JsonResponse(
            payload, safe=False, status=status, json_dumps_params={"ensure_ascii": False}
        )
    return HttpResponse(
        _xml_document("errors", payload, "error"),
        status=status,
        content_type="text/xml; charset=utf-8",
    )


def endpoint(*methods: str):
    """Format dispatch, method check and the spec's error shape for one view."""

    def wrap(view):
        @csrf_exempt
        def wrapped(request: HttpRequest, fmt: str, **kwargs) -> HttpResponse:
            if request.method not in methods:
                resp = _error(fmt, 405, _("不支持的请求方法。"))
                resp["Allow"] = ", ".join(methods)
                return resp
            try:
                return view(request, fmt, **kwargs)
            except Open311Error as exc:
                return _error(fmt, exc.status, exc.description)
            except DomainError as exc:
                status = exc.status if exc.status in (400, 403, 404, 429) else 400
                return _error(fmt, status, exc.message)

        wrapped.__name__ = view.__name__
        return wrapped

    return wrap


# --- discovery and services -----------------------------------------------------------


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri("/open311/v2/")


@endpoint("GET")
def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    data: dict[str, Any] = {
        "changeset": CHANGESET,
        "contact": getattr(settings, "OPEN311_CONTACT", "") or _("县政务服务中心 12345"),
        "key_service": _("向县政务服务管理办公室申请接入密钥（yichuang open311-key）。"),
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": _base(request),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    if fmt == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    root = ET.Element("discovery")
    for k in ("changeset", "contact", "key_service"):
        ET.SubElement(root, k).text = str(data[k])
    eps = ET.SubElement(root, "endpoints")
    for ep in data["endpoints"]:
        el = ET.SubElement(eps, "endpoint")
        for k in ("specification", "url", "changeset", "type"):
            ET.SubElement(el, k).text = str(ep[k])
        formats = ET.SubElement(el, "formats")
        for f in ep["formats"]:
            ET.SubElement(formats, "format").text = f
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
    return HttpResponse(body.encode(), content_type="text/xml; charset=utf-8")


def _service(c: ComplaintCategory) -> dict[str, Any]:
    return {
        "service_code": c.code,
        "service_name": c.name,
        "description": c.description,
        "metadata": bool(c.attributes),
        "type": "realtime",
        "keywords": c.keywords,
        "group": c.group,
    }


@endpoint("GET")
def services(request: HttpRequest, fmt: str) -> HttpResponse:
    data = [_service(c) for c in ComplaintCategory.objects.filter(is_active=True)]
    return _respond(fmt, data, "services", "service")


def _attribute_values(attr: dict[str, Any]) -> list[dict[str, str]]:
    values = attr.get("values")
    if values == "centres":
        return [{"key": c.code, "name": c.name} for c in Centre.objects.filter(is_active=True)]
    return [{"key": k, "name": n} for k, n in (values or [])]


def _attributes(c: ComplaintCategory) -> list[dict[str, Any]]:
    out = []
    for attr in sorted(c.attributes, key=lambda a: a.get("order", 0)):
        item = {
            "variable": bool(attr.get("variable", True)),
            "code": attr["code"],
            "datatype": attr["datatype"],
            "required": bool(attr.get("required", False)),
            "datatype_description": attr.get("datatype_description", ""),
            "order": int(attr.get("order", 0)),
            "description": attr.get("description", ""),
        }
        if attr["datatype"] in ("singlevaluelist", "multivaluelist"):
            item["values"] = _attribute_values(attr)
        out.append(item)
    return out


def _category(code: str, status: int) -> ComplaintCategory:
    c = ComplaintCategory.objects.filter(code=code, is_active=True).first()
    if c is None:
        raise Open311Error(status, _("service_code 不存在：%(c)s") % {"c": code})
    return c


@endpoint("GET")
def service_definition(request: HttpRequest, fmt: str, code: str) -> HttpResponse:
    c = _category(code, 404)
    data: dict[str, Any] = {"service_code": c.code, "attributes": _attributes(c)}
    if fmt == "json":
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    root = ET.Element("service_definition")
    ET.SubElement(root, "service_code").text = c.code
    attrs = ET.SubElement(root, "attributes")
    for a in data["attributes"]:
        el = ET.SubElement(attrs, "attribute")
        for k in (
            "variable",
            "code",
            "datatype",
            "required",
            "datatype_description",
            "order",
            "description",
        ):
            ET.SubElement(el, k).text = _xml_value(a[k])
        if "values" in a:
            vals = ET.SubElement(el, "values")
            for v in a["values"]:
                ve = ET.SubElement(vals, "value")
                ET.SubElement(ve, "key").text = v["key"]
                ET.SubElement(ve, "name").text = v["name"]
    body = '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode")
    return HttpResponse(body.encode(), content_type="text/xml; charset=utf-8")


# --- requests -------------------------------------------------------------------------


def _client(raw: str | None, *, required: bool) -> Open311Client | None:
    if not raw:
        if required:
            raise Open311Error(403, _("缺少 api_key。"))
        return None
    client = Open311Client.objects.filter(key_hash=key_hash(raw), is_active=True).first()
    if client is None:
        raise Open311Error(403, _("api_key 无效。"))
    return client


def _parse_attributes(request: HttpRequest, c: ComplaintCategory) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for key in request.POST:
        if key.startswith("attribute[") and "]" in key:
            code = key[len("attribute[") :].split("]")[0]
            values = request.POST.getlist(key)
            given[code] = values
    out: dict[str, Any] = {}
    for attr in _attributes(c):
        if not attr["variable"]:
            continue
        code = attr["code"]
        values = [v for v in given.pop(code, []) if v != ""]
        if not values:
            if attr["required"]:
                raise Open311Error(400, _("缺少必填属性：%(c)s") % {"c": code})
            continue
        dtype = attr["datatype"]
        if dtype == "multivaluelist":
            keys = {v["key"] for v in attr.get("values", [])}
            if any(v not in keys for v in values):
                raise Open311Error(400, _("属性 %(c)s 的取值不在列表中。") % {"c": code})
            out[code] = values
            continue
        value = values[0]
        if dtype == "singlevaluelist" and value not in {v["key"] for v in attr.get("values", [])}:
            raise Open311Error(400, _("属性 %(c)s 的取值不在列表中。") % {"c": code})
        if dtype == "number":
            try:
                Decimal(value)
            except InvalidOperation:
                raise Open311Error(400, _("属性 %(c)s 须为数字。") % {"c": code}) from None
        if dtype == "datetime" and _parse_w3(value) is None:
            raise Open311Error(400, _("属性 %(c)s 须为带时区的 ISO 8601 时间。") % {"c": code})
        out[code] = value[:MAX_DESCRIPTION]
    if given:
        raise Open311Error(400, _("未知属性：%(c)s") % {"c": "、".join(sorted(given))})
    return out


def _decimal(raw: str, name: str, bound: int) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise Open311Error(400, _("%(n)s 须为数字。") % {"n": name}) from None
    if not value.is_finite() or abs(value) > bound:
        raise Open311Error(400, _("%(n)s 超出范围。") % {"n": name})
    return value.quantize(Decimal("0.000001"))


def _create(request: HttpRequest, fmt: str) -> HttpResponse:
    p = request.POST
    client = _client(p.get("api_key"), required=True)
    code = p.get("service_code", "")
    if not code:
        raise Open311Error(400, _("缺少 service_code。"))
    category = _category(code, 400)
    lat = _decimal(p.get("lat", ""), "lat", 90)
    long = _decimal(p.get("long", ""), "long", 180)
    if (lat is None) != (long is None):
        raise Open311Error(400, _("lat 与 long 须同时提供。"))
    address_id = p.get("address_id", "").strip()
    address_string = p.get("address_string", "").strip()
    centre = None
    if address_id:
        centre = Centre.objects.filter(code=address_id).first()
        if centre is None:
            raise Open311Error(400, _("address_id 不存在：%(a)s") % {"a": address_id})
    if lat is None and not address_string and centre is None:
        raise Open311Error(400, _("须提供位置：lat 与 long、address_string 或 address_id。"))
    description = p.get("description", "")
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, _("description 不能超过 4000 字。"))
    attributes = _parse_attributes(request, category)
    if centre is None and attributes.get("centre"):
        centre = Centre.objects.filter(code=attributes["centre"]).first()
    window = None
    number = attributes.get("window_number")
    if centre is not None and number and str(number).isdigit():
        window = centre.windows.filter(number=int(number)).first()
    name = " ".join(x for x in (p.get("last_name", ""), p.get("first_name", "")) if x).strip()
    complaint_client_allow(client_id=client.pk, phone=p.get("phone", ""))
    complaint = actions.complaint_submit(
        kind=category.kind,
        channel=Complaint.Channel.OPEN311,
        category=category,
        description=description or category.name,
        centre=centre,
        window=window,
        name=name,
        phone=p.get("phone", ""),
        email=p.get("email", ""),
        address_string=address_string,
        lat=lat,
        long=long,
        media_url=p.get("media_url", ""),
        attributes={
            **attributes,
            **{k: p[k] for k in ("device_id", "account_id") if p.get(k)},
        },
        source_client=client,
    )
    Open311Client.objects.filter(pk=client.pk).update(last_used_at=timezone.now())
    notice = (
        _("将在 %(d)s 前答复。") % {"d": complaint.due_date.isoformat()}
        if complaint.due_date
        else _("已收到，感谢您的反馈。")
    )
    data = [
        {
            "service_request_id": complaint.reference,
            "token": complaint.track_code,
            "service_notice": notice,
            "account_id": p.get("account_id") or None,
        }
    ]
    return _respond(fmt, data, "service_requests", "request", status=201)


def _request(c: Complaint, private: bool) -> dict[str, Any]:
    expected = None
    if c.due_date and c.status != Complaint.Status.CLOSED:
        expected = timezone.make_aware(dt.datetime.combine(c.due_date, dt.time(17, 30)))
    return {
        "service_request_id": c.reference,
        "status": "closed" if c.status == Complaint.Status.CLOSED else "open",
        "status_notes": (c.reply if private else "") or c.get_status_display(),
        "service_name": c.category.name if c.category else c.get_kind_display(),
        "service_code": c.category.code if c.category else "",
        "description": c.description if private else "",
        "agency_responsible": str(c.department) if c.department else "",
        "service_notice": "",
        "requested_datetime": _iso(c.received_at),
        "updated_datetime": _iso(c.updated_at),
        "expected_datetime": _iso(expected),
        "address": c.address_string or (c.centre.address if c.centre else ""),
        "address_id": c.centre.code if c.centre else "",
        "zipcode": "",
        "lat": float(c.lat) if c.lat is not None else None,
        "long": float(c.long) if c.long is not None else None,
        "media_url": c.media_url if private else "",
    }


def _parse_w3(raw: str) -> dt.datetime | None:
    value = raw.strip().replace(" ", "+")
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return None
    return parsed


def _date_param(request: HttpRequest, name: str) -> dt.datetime | None:
    raw = request.GET.get(name)
    if not raw:
        return None
    parsed = _parse_w3(raw)
    if parsed is None:
        raise Open311Error(
            400, _("%(n)s 须为带时区的 W3C 时间，如 2026-03-01T00:00:00+08:00。") % {"n": name}
        )
    if not 2000 <= parsed.year <= 2100:
        raise Open311Error(400, _("%(n)s 超出范围。") % {"n": name})
    return parsed


def _list(request: HttpRequest, fmt: str) -> HttpResponse:
    client = _client(request.GET.get("api_key"), required=False)
    qs = Complaint.objects.select_related("category", "department", "centre").order_by(
        "-received_at", "-id"
    )
    ids = [i for i in request.GET.get("service_request_id", "").split(",") if i.strip()]
    if ids:
        qs = qs.filter(reference__in=[i.strip() for i in ids[:MAX_RESULTS]])
    else:
        codes = [c for c in request.GET.get("service_code", "").split(",") if c.strip()]
        if codes:
            known = set(
                ComplaintCategory.objects.filter(code__in=codes).values_list("code", flat=True)
            )
            unknown = [c for c in codes if c not in known]
            if unknown:
                raise Open311Error(400, _("service_code 不存在：%(c)s") % {"c": ",".join(unknown)})
            qs = qs.filter(category__code__in=codes)
        statuses = [s for s in request.GET.get("status", "").split(",") if s.strip()]
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error(400, _("status 只能为 open 或 closed。"))
        if statuses == ["open"]:
            qs = qs.exclude(status=Complaint.Status.CLOSED)
        elif statuses == ["closed"]:
            qs = qs.filter(status=Complaint.Status.CLOSED)
        start = _date_param(request, "start_date")
        end = _date_param(request, "end_date")
        if start and end and start > end:
            raise Open311Error(400, _("start_date 晚于 end_date。"))
        if start and end and end - start > MAX_RANGE:
            raise Open311Error(400, _("查询时间范围不能超过 90 天。"))
        if start is None and end is None:
            start = timezone.now() - MAX_RANGE
        elif start is None:
            assert end is not None
            start = end - MAX_RANGE
        elif end is None:
            end = start + MAX_RANGE
        qs = qs.filter(received_at__gte=start)
        if end is not None:
            qs = qs.filter(received_at__lte=end)
    rows = list(qs[:MAX_RESULTS])
    data = [
        _request(c, private=client is not None and c.source_client_id == client.pk) for c in rows
    ]
    return _respond(fmt, data, "service_requests", "request")


@endpoint("GET", "POST")
def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _create(request, fmt)
    return _list(request, fmt)


@endpoint("GET")
def request_detail(request: HttpRequest, fmt: str, request_id: str) -> HttpResponse:
    client = _client(request.GET.get("api_key"), required=False)
    c = (
        Complaint.objects.select_related("category", "department", "centre")
        .filter(reference=request_id)
        .first()
    )
    if c is None:
        raise Open311Error(404, _("service_request_id 不存在：%(i)s") % {"i": request_id})
    private = client is not None and c.source_client_id == client.pk
    return _respond(fmt, [_request(c, private)], "service_requests", "request")


@endpoint("GET")
def token(request: HttpRequest, fmt: str, token: str) -> HttpResponse:
    c = Complaint.objects.filter(track_code=token[:32]).first()
    if c is None:
        raise Open311Error(404, _("token 不存在。"))
    return _respond(
        fmt, [{"service_request_id": c.reference, "token": token}], "service_requests", "request"
    )


@csrf_exempt
def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if rest.endswith(".json") else "xml"
    return _error(fmt, 404, _("没有该资源。"))


FMT = r"(?P<fmt>json|xml)"
urlpatterns = [
    re_path(rf"^open311/v2/discovery\.{FMT}$", discovery, name="open311_discovery"),
    re_path(rf"^open311/v2/services\.{FMT}$", services, name="open311_services"),
    re_path(
        rf"^open311/v2/services/(?P<code>[-\w]+)\.{FMT}$",
        service_definition,
        name="open311_service",
    ),
    re_path(rf"^open311/v2/requests\.{FMT}$", requests_view, name="open311_requests"),
    re_path(
        rf"^open311/v2/requests/(?P<request_id>[-\w]+)\.{FMT}$",
        request_detail,
        name="open311_request",
    ),
    re_path(rf"^open311/v2/tokens/(?P<token>[-\w]+)\.{FMT}$", token, name="open311_token"),
    path("open311/v2/<path:rest>", not_found),
]
