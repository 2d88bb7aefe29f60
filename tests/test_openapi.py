"""The API documents itself: /api/v1/openapi.json is a valid OpenAPI document
and every operation declares the schema of each response it may give."""

import pytest
from django.test import Client
from openapi_spec_validator import validate

METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(db):
    resp = Client().get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.json()


def _has_schema(response: dict) -> bool:
    return any("schema" in media for media in response.get("content", {}).values())


def untyped(spec: dict) -> list[str]:
    """``METHOD path: what is missing`` for each operation that does not say
    what it answers: no 2xx response with a schema, or a declared status
    without one."""
    missing = []
    for path, item in spec["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            responses = operation.get("responses", {})
            name = f"{method.upper()} {path}"
            if not any(s.startswith("2") and _has_schema(r) for s, r in responses.items()):
                missing.append(f"{name}: no 2xx schema")
            missing += [
                f"{name}: no schema for {status}"
                for status, response in responses.items()
                if not status.startswith("2") and not _has_schema(response)
            ]
    return missing


def test_it_is_a_valid_openapi_document(spec):
    validate(spec)


def test_every_operation_declares_its_response_schemas(spec):
    missing = untyped(spec)
    assert not missing, "operations without response schemas:\n" + "\n".join(missing)


def test_it_notices_an_operation_without_a_response_schema():
    spec = {
        "paths": {
            "/a": {"get": {"responses": {"200": {"description": "OK"}}}},
            "/b": {
                "post": {
                    "responses": {
                        "201": {"content": {"application/json": {"schema": {}}}},
                        "404": {"description": "Not Found"},
                    }
                }
            },
            "/c": {
                "get": {"responses": {"200": {"content": {"application/json": {"schema": {}}}}}}
            },
        }
    }
    assert untyped(spec) == ["GET /a: no 2xx schema", "POST /b: no schema for 404"]
