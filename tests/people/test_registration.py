"""Registering a person through the form and the API: an ID number on the register answers "已登记" only where
the existing record is in the user's scope; elsewhere one neutral message; a person nobody would see is refused."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from jinqiu.people.models import Person

NEUTRAL = "该身份证号不能由您导入，请联系区委老干部局"
REGISTERED = "该身份证号已登记"


def _api_create(client, id_number, **extra):
    payload = {"id_number": id_number, "name": "新人", "retirement_type": "tuixiu", **extra}
    return client.post("/api/persons", json.dumps(payload), content_type="application/json")


def _form_create(client, id_number, world, **extra):
    return client.post(reverse("people:create"), {"id_number": id_number, "name": "新人", "retirement_type": "tuixiu",
                                                  "region": world.community.pk, "ethnicity": "汉族", **extra})


def test_api_out_of_scope_id_gets_the_neutral_message(world, client_for):
    response = _api_create(client_for("street"), world.wang.id_number, region=world.community.pk)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert {"field": "id_number", "message": NEUTRAL} in detail
    assert REGISTERED not in response.content.decode() and "王五" not in response.content.decode()
    assert Person.objects.filter(name="新人").count() == 0


def test_api_in_scope_id_says_already_registered(world, client_for):
    response = _api_create(client_for("street"), world.li.id_number, region=world.community.pk)
    assert response.status_code == 422
    assert [d["field"] for d in response.json()["detail"]] == ["id_number"]
    assert REGISTERED in response.json()["detail"][0]["message"]


def test_form_out_of_scope_id_gets_the_neutral_message_on_the_id_field(world, client_for):
    response = _form_create(client_for("street"), world.wang.id_number, world)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["id_number"] == [NEUTRAL]
    assert REGISTERED not in response.content.decode()


def test_form_in_scope_id_says_already_registered(world, client_for):
    response = _form_create(client_for("street"), world.li.id_number, world)
    assert response.status_code == 200
    assert REGISTERED in response.context["form"].errors["id_number"][0]


@pytest.mark.parametrize("how", ["form", "api"])
def test_a_person_nobody_would_see_is_refused_on_the_region_field(world, client_for, how):
    from datetime import date

    from tests.factories import new_id

    client = client_for("bureau")
    if how == "api":
        response = _api_create(client, new_id(date(1952, 2, 2)))
        assert response.status_code == 422
        messages = {d["field"]: d["message"] for d in response.json()["detail"]}
    else:
        response = _form_create(client, new_id(date(1952, 2, 2)), world, region="")
        assert response.status_code == 200
        messages = {k: v[0] for k, v in response.context["form"].errors.items()}
    assert "居住社区" in messages["region"] and "所在党组织" in messages["region"]
    assert not Person.objects.filter(name="新人").exists()
