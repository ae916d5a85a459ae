"""NUL characters and lone surrogates are refused at the door, naming the field: 422 on the API, 400 on pages."""

from __future__ import annotations

import pytest

from jinqiu.organizations.models import PartyOrg

SURROGATE = '"\\ud800"'  # as a JSON escape: json.loads gives a lone surrogate
NUL = '"\\u0000"'


def _org_body(w, name_json: str) -> str:
    return f'{{"parent": {w.branch.pk}, "name": {name_json}, "kind": "xiaozu", "location_type": "community"}}'


@pytest.mark.parametrize("bad", [SURROGATE, NUL, '"第一\\u0000党小组"', '"a\\udfffb"'])
def test_api_body_text_is_refused_naming_the_field(world, client_for, bad):
    client = client_for("bureau")
    before = PartyOrg.objects.count()
    response = client.post("/api/orgs", _org_body(world, bad), content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "name"
    assert PartyOrg.objects.count() == before


def test_api_nested_and_key_text_is_refused(world, client_for):
    client = client_for("bureau")
    response = client.patch(f"/api/orgs/{world.branch.pk}", '{"features": "ok", "brand\\u0000": "x"}',
                            content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "brand\x00"


def test_api_body_is_checked_whatever_the_content_type(world, client_for):
    client = client_for("bureau")
    response = client.post("/api/orgs", _org_body(world, NUL), content_type="text/plain")
    assert response.status_code == 422


def test_api_query_text_is_refused(world, client_for):
    response = client_for("bureau").get("/api/persons", {"q": "张\x00"})
    assert response.status_code == 422
    assert response.json()["detail"] == [{"field": "q", "message": response.json()["detail"][0]["message"]}]


def test_valid_text_passes(world, client_for):
    client = client_for("bureau")
    response = client.post("/api/orgs", _org_body(world, '"第一党小组 \\ud83d\\ude00"'), content_type="application/json")
    assert response.status_code == 201
    assert response.json()["name"] == "第一党小组 \U0001f600"


def test_page_query_is_refused_with_a_chinese_page(world, client_for):
    response = client_for("bureau").get("/persons/", {"q": "张\x00"})
    assert response.status_code == 400
    text = response.content.decode()
    assert "无法保存" in text


def test_page_form_post_is_refused(world, client_for):
    before = PartyOrg.objects.count()
    response = client_for("bureau").post("/orgs/new/", {"parent": world.branch.pk, "name": "第一\x00党小组",
                                                        "kind": "xiaozu", "location_type": "community"})
    assert response.status_code == 400
    assert PartyOrg.objects.count() == before


def test_login_form_with_nul_is_refused_before_the_lockout_record(db, client):
    response = client.post("/accounts/login/", {"username": "ab\x00c", "password": "x"})
    assert response.status_code == 400
