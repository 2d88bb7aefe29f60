"""Every feedback operation documents what it returns, for each status."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_every_feedback_operation_declares_its_responses(client):
    spec = client.get("/api/v1/openapi.json").json()
    operations = [
        (path, method, op)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if "feedback" in op.get("tags", [])
    ]
    assert len(operations) == 10
    for path, method, op in operations:
        responses = op["responses"]
        assert any(code.startswith("2") for code in responses), (method, path)
        for code, response in responses.items():
            schema = response.get("content", {}).get("application/json", {}).get("schema")
            assert schema and schema != {"type": "object"}, (method, path, code)


def test_errors_are_documented_with_a_code_and_a_message(client):
    spec = client.get("/api/v1/openapi.json").json()
    op = spec["paths"]["/api/v1/ratings"]["post"]
    ref = op["responses"]["409"]["content"]["application/json"]["schema"]["$ref"]
    error = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert error["required"] == ["code", "message"]
