"""Every list operation of the API answers 422 naming `limit` or `offset` for values out of range, never 500."""

from __future__ import annotations

import re

import pytest

from jinqiu.api import api

HUGE = str(10**30)


def _paginated_operations() -> list[tuple[str, str]]:
    schema = api.get_openapi_schema(path_prefix="/api")
    found = []
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            names = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
            if {"limit", "offset"} <= names:
                found.append((method, path))
    return found


def _url(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def test_the_schema_has_paginated_operations():
    # people, organisations, units, regions, org members, meetings at the least
    assert len(_paginated_operations()) >= 6


@pytest.mark.parametrize(("field", "value"), [("limit", HUGE), ("offset", HUGE), ("limit", "-1"),
                                              ("offset", "-1"), ("limit", "0"), ("limit", "501")])
@pytest.mark.parametrize(("method", "path"), _paginated_operations())
def test_out_of_range_page_answers_422_naming_the_field(client_for, method, path, field, value):
    client = client_for("bureau")
    response = client.generic(method.upper(), _url(path), QUERY_STRING=f"{field}={value}")
    assert response.status_code == 422, (path, field, value, response.status_code)
    assert [d["field"] for d in response.json()["detail"]] == [field]


@pytest.mark.parametrize(("method", "path"), _paginated_operations())
def test_bounds_are_in_the_schema(method, path):
    schema = api.get_openapi_schema(path_prefix="/api")
    params = {p["name"]: p["schema"] for p in schema["paths"][path][method]["parameters"]}
    assert params["limit"]["maximum"] == 500
    assert params["offset"]["maximum"] == 10_000_000


def test_largest_allowed_values_answer_200(client_for):
    response = client_for("bureau").get("/api/persons", {"limit": 500, "offset": 10_000_000})
    assert response.status_code == 200
    assert response.json()["items"] == []
