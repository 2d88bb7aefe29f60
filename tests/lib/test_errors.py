from ninja import Schema

from yichuang.lib.errors import ErrorOut, NotFound, Unprocessable


def test_it_keeps_the_details_of_an_error():
    error = Unprocessable("cases.materials_incomplete", "缺少材料", missing=["id_card"])
    out = ErrorOut.model_validate(error.as_dict())
    assert out.model_dump() == {
        "code": "cases.materials_incomplete",
        "message": "缺少材料",
        "missing": ["id_card"],
    }


def test_it_keeps_the_details_inside_a_ninja_response_wrapper():
    # ninja validates a response by wrapping it in a Schema read from attributes.
    class Wrapper(Schema):
        response: ErrorOut

    error = NotFound("org.centre_not_found", "没有找到", code_given="x")
    wrapped = Wrapper.model_validate({"response": error.as_dict()}, from_attributes=True)
    assert wrapped.model_dump()["response"] == error.as_dict()


def test_it_documents_code_and_message_as_required():
    schema = ErrorOut.model_json_schema()
    assert schema["required"] == ["code", "message"]
    assert schema["additionalProperties"] is True


def test_the_api_answers_a_404_raised_by_an_operation_in_the_error_shape(db):
    import json

    from django.http import Http404
    from django.test import RequestFactory

    from yichuang.api import api

    resp = api.on_exception(RequestFactory().get("/api/v1/x"), Http404())
    assert resp.status_code == 404
    assert json.loads(resp.content) == {"code": "api.not_found", "message": "没有找到。"}


def test_the_api_names_every_error_code_app_dot_reason(db):
    from django.test import Client

    client = Client()
    codes = [
        client.get("/api/v1/auth/me").json()["code"],
        client.post("/api/v1/auth/token", "{", content_type="application/json").json()["code"],
        client.post("/api/v1/auth/token", {}, content_type="application/json").json()["code"],
    ]
    assert codes == ["accounts.auth_required", "api.malformed_request", "api.invalid_request"]
