"""Every 4xx path of the API: malformed JSON, wrong types, huge ids answer 404/422 in the documented shape, never
500, in the user's language; and every status an operation answers is declared in the OpenAPI schema."""

from __future__ import annotations

import re

import pytest

from jinqiu.api import api

HUGE_ID = "99999999999999999999"
ERRORS = {"401", "403", "404", "422"}


def _schema():
    return api.get_openapi_schema(path_prefix="/api")


def _operations():
    return [(method, path, op) for path, item in _schema()["paths"].items() for method, op in item.items()]


def _ids(operations):
    return [f"{method.upper()} {path}" for method, path, _op in operations]


def _with_input():
    """Operations with an id in the path or a body: the ones a bad id or body can reach."""
    return [(method, path, op) for method, path, op in _operations() if "{" in path or "requestBody" in op]


@pytest.fixture
def bureau(client_for):
    client = client_for("bureau")
    client.raise_request_exception = False  # a server error is a status here, not an exception
    return client


@pytest.mark.parametrize(("method", "path", "op"), _with_input(), ids=_ids(_with_input()))
def test_huge_ids_and_bad_bodies_never_answer_500(bureau, method, path, op):
    url = re.sub(r"\{[^}]+\}", HUGE_ID, path)
    has_body = "requestBody" in op
    bodies = ["{not json", "[1, 2]", '{"name": 5, "parent": "x", "on": "2020-02-30", "kind": []}', "\xff"] \
        if has_body else [None]
    for body in bodies:
        if body is None:
            response = bureau.generic(method.upper(), url)
        else:
            response = bureau.generic(method.upper(), url, body.encode("utf-8", "surrogateescape"),
                                      content_type="application/json")
        assert response.status_code in (404, 422), (method, url, body, response.status_code)
        detail = response.json()["detail"]
        if response.status_code == 422:
            assert all(set(d) == {"field", "message"} for d in detail)


def test_malformed_json_answers_422_in_chinese(world, bureau):
    response = bureau.post("/api/orgs", "{not json", content_type="application/json")
    assert response.status_code == 422
    assert response.json() == {"detail": [{"field": None, "message": "请求正文不是有效的 JSON。"}]}


def test_wrong_types_name_each_field_in_chinese(world, bureau):
    response = bureau.post("/api/orgs", {"parent": world.branch.pk, "name": 5, "kind": "nope"},
                           content_type="application/json")
    assert response.status_code == 422
    detail = {d["field"]: d["message"] for d in response.json()["detail"]}
    assert detail == {"name": "请输入文本。", "kind": "请选择列出的值之一。", "location_type": "此项为必填项。"}


def test_huge_path_id_is_404(world, bureau):
    assert bureau.get(f"/api/orgs/{HUGE_ID}").status_code == 404
    assert bureau.get(f"/api/persons/{HUGE_ID}").status_code == 404


@pytest.mark.parametrize(("method", "path", "op"), _operations(), ids=_ids(_operations()))
def test_every_operation_declares_its_error_answers(method, path, op):
    assert set(op["responses"]) >= ERRORS, (method, path, sorted(op["responses"]))
    schemas = _schema()["components"]["schemas"]
    ref = op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schemas[ref]["properties"]["detail"]["type"] == "array"
