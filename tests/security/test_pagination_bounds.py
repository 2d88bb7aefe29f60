"""Pagination bounds (issue 17, item 10): a negative or astronomic ``offset``
gave a 500. Every paginated list of the OpenAPI description takes ``limit``
1–500 and ``offset`` 0–1,000,000 and answers 422 ``api.bad_page`` past them."""

from __future__ import annotations

import pytest
from django.test import Client

from yichuang.api import api as ninja_api
from yichuang.lib.pagination import MAX_LIMIT, MAX_OFFSET

SPEC = ninja_api.get_openapi_schema()
METHODS = ("get", "post", "put", "patch", "delete")
PATH_VALUES = {"code": "county-hall"}
# Lists that need a query parameter besides the page (a search needs its words).
REQUIRED_QUERY = {"/api/v1/knowledge/search": "q=%E4%BD%8E%E4%BF%9D&"}

BAD_LIMITS = ["0", "-1", str(MAX_LIMIT + 1), str(10**20), "1e20", "abc"]
BAD_OFFSETS = ["-1", "-173521", str(MAX_OFFSET + 1), str(10**20), "1e20", "abc"]


def _query_names(operation: dict) -> set[str]:
    return {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}


def _operations():
    for path, item in SPEC["paths"].items():
        for method in METHODS:
            if method in item:
                yield method, path, item[method]


def _resolve(schema: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        return SPEC["components"]["schemas"][ref.rsplit("/", 1)[1]]
    return schema


def _lists_with_count():
    """Operations answering ``{"items": […], "count": N}`` (CONTRACT §3)."""
    for method, path, operation in _operations():
        responses = operation.get("responses", {})
        ok = responses.get(200) or responses.get("200") or {}
        schema = ok.get("content", {}).get("application/json", {}).get("schema")
        if schema and {"items", "count"} <= set(_resolve(schema).get("properties", {})):
            yield method, path


PAGINATED = sorted(
    (method, path, "offset" in _query_names(op))
    for method, path, op in _operations()
    if "limit" in _query_names(op)
)


def _url(path: str) -> str:
    """The path with its parameters filled in, ready for a query string after ``?``."""
    extra = REQUIRED_QUERY.get(path, "")
    for name, value in PATH_VALUES.items():
        path = path.replace("{" + name + "}", value)
    assert "{" not in path, path
    return f"{path}?{extra}"


@pytest.fixture
def director(api, county):
    return api(county.director)


def test_the_paginated_lists_are_found():
    paths = {path for _method, path, _offset in PAGINATED}
    assert {
        "/api/v1/cases",
        "/api/v1/ratings",
        "/api/v1/rectifications",
        "/api/v1/complaints",
        "/api/v1/centres/{code}/events",
    } <= paths


def test_every_list_with_a_count_takes_limit_and_offset():
    with_offset = {(m, p) for m, p, offset in PAGINATED if offset}
    lists = set(_lists_with_count())
    assert lists
    assert lists - with_offset == set()


def test_the_bounds_are_declared_in_the_description():
    for _method, _path, operation in _operations():
        for param in operation.get("parameters", []):
            if param["in"] == "query" and param["name"] in ("limit", "offset"):
                schema = param["schema"]
                assert schema.get("minimum") == (1 if param["name"] == "limit" else 0)
                assert schema.get("maximum") == (
                    MAX_LIMIT if param["name"] == "limit" else MAX_OFFSET
                )


@pytest.mark.parametrize(("method", "path", "has_offset"), PAGINATED)
def test_limit_out_of_bounds_answers_422(director: Client, method, path, has_offset):
    for value in BAD_LIMITS:
        resp = director.generic(method.upper(), f"{_url(path)}limit={value}")
        assert resp.status_code == 422, (path, value, resp.content)
        body = resp.json()
        assert body["code"] == "api.bad_page", (path, value, body)
        assert body["errors"][0]["loc"] == ["query", "limit"]
        assert body["message"]


@pytest.mark.parametrize(("method", "path", "has_offset"), [p for p in PAGINATED if p[2]])
def test_offset_out_of_bounds_answers_422(director: Client, method, path, has_offset):
    for value in BAD_OFFSETS:
        resp = director.generic(method.upper(), f"{_url(path)}offset={value}")
        assert resp.status_code == 422, (path, value, resp.content)
        body = resp.json()
        assert body["code"] == "api.bad_page", (path, value, body)
        assert body["errors"][0]["loc"] == ["query", "offset"]


@pytest.mark.parametrize(("method", "path", "has_offset"), PAGINATED)
def test_the_bounds_themselves_are_accepted(director: Client, method, path, has_offset):
    query = f"limit={MAX_LIMIT}" + (f"&offset={MAX_OFFSET}" if has_offset else "")
    resp = director.generic(method.upper(), f"{_url(path)}{query}")
    assert resp.status_code == 200, (path, resp.content)
    if has_offset:
        assert resp.json()["items"] == []
    resp = director.generic(method.upper(), f"{_url(path)}limit=1")
    assert resp.status_code == 200, (path, resp.content)


def test_a_page_error_with_another_error_is_a_plain_invalid_request(director: Client):
    resp = director.get("/api/v1/cases?limit=0&mine=notabool")
    assert resp.status_code == 422
    assert resp.json()["code"] == "api.invalid_request"


HUGE = str(194228026150354281299968)  # past 64 bits: SQLite can't bind it


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", f"/api/v1/windows/{HUGE}/start"),
        ("GET", f"/api/v1/tickets/{HUGE}"),
        ("GET", f"/api/v1/cases/{HUGE}"),
    ],
)
def test_a_number_past_the_database_range_is_not_a_server_error(director, method, url):
    """Found by the fuzzing pass: such an id ended in a 500 on SQLite, which
    can't bind it. It names nothing: 404 on either database."""
    resp = director.generic(method, url)
    assert resp.status_code == 404, (url, resp.status_code, resp.content)
    assert resp.json()["code"].endswith("not_found")
    assert resp.json()["message"]


def test_a_number_the_database_cant_hold_elsewhere_answers_422(rf):
    """Past the path (a body or query value SQLite can't bind, a value past a
    PostgreSQL column's type) the same errors answer 422 in the error shape."""
    import json

    from django.db import DataError

    from yichuang.api import on_out_of_range

    for exc in (OverflowError("Python int too large to convert to SQLite INTEGER"), DataError()):
        resp = on_out_of_range(rf.post("/api/v1/complaints"), exc)
        assert resp.status_code == 422
        assert json.loads(resp.content)["code"] == "api.out_of_range"
