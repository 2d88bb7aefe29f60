"""A fuzzing pass over the API (issue 17, item 10): schemathesis generates
requests for every operation of /api/v1/openapi.json, valid and not, and sends
them to the application in process, as an anonymous client and with a
director's token (so the authenticated code runs too). No answer may be a 500
or break the schema its operation declares for its status.

A small budget per operation keeps this in the suite; ``bench/fuzz_api.py``
(``make fuzz``) runs a larger one with every persona."""

from __future__ import annotations

from collections import Counter

import pydantic
import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from yichuang.api import api as ninja_api

SPEC = ninja_api.get_openapi_schema()
schema = schemathesis.openapi.from_dict(SPEC)
schema.app = WSGIHandler()

CHECKS = [not_a_server_error, response_schema_conformance]
PERSONAS = [None, "director"]


@pytest.fixture
def keep_connection():
    """The application runs in the test's transaction: the request signals must
    not close the connection (Django's test client does the same)."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def persona_headers(request, county) -> dict[str, str]:
    from yichuang.accounts.actions import api_token_issue
    from yichuang.accounts.models import User

    username = request.param
    if username is None:
        return {}
    token = api_token_issue(user=User.objects.get(username=username))
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("persona_headers", PERSONAS, indirect=True, ids=["anonymous", "director"])
@schema.parametrize()
@settings(
    max_examples=6,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_no_server_error_and_no_schema_break(case, persona_headers, keep_connection):
    case.call_and_validate(headers=persona_headers, checks=CHECKS)


def _api_models() -> Counter:
    """How many of the project's model classes bear each name."""
    classes: set[type] = set()
    stack = [pydantic.BaseModel]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in classes:
                classes.add(sub)
                stack.append(sub)
    return Counter(c.__name__ for c in classes if c.__module__.startswith("yichuang."))


def test_no_two_models_share_a_component_name():
    """The description names each model by its class name: two classes of one
    name become one schema, and one of the operations describes the other's
    answer (the catalogue's targets were described as the insights' ones)."""
    names = _api_models()
    shared = sorted(n for n in SPEC["components"]["schemas"] if names[n] > 1)
    assert shared == []
