"""Person pages: masked phones on the edit form, reveals that never travel in a cookie, scope before role,
invalid filters, links only to what the user can open, the pair contact's call, 姓名."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jinqiu.accounts.models import AccessAction, AccessLog
from jinqiu.people import forms
from jinqiu.people.models import Person


def _edit_data(person: Person) -> dict:
    """What the browser sends back from the edit form when nothing is touched."""
    form = forms.PersonForm(instance=person, editing=True, initial={"id_number": ""})
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field.widget, forms.forms.CheckboxInput):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else getattr(value, "isoformat", lambda v=value: v)()
    return data


@pytest.fixture
def zhang_with_landline(world):
    Person.objects.filter(pk=world.zhang.pk).update(phone="02584561234", emergency_phone="13900001111")
    return Person.objects.get(pk=world.zhang.pk)


# --- 1. masked phones on the edit form -----------------------------------------------------------------------


def test_edit_form_shows_masked_phones_and_logs_nothing(world, client_for, zhang_with_landline):
    page = client_for("street").get(reverse("people:edit", args=[world.zhang.pk])).content.decode()
    for clear in ("13812345678", "02584561234", "13900001111"):
        assert clear not in page
    assert 'value="138****5678"' in page and 'value="139****1111"' in page
    assert AccessLog.objects.count() == 0


def test_an_untouched_masked_phone_keeps_the_stored_number(world, client_for, zhang_with_landline):
    data = _edit_data(zhang_with_landline)
    assert data["mobile"] == "138****5678"
    data["skills"] = "书法"
    response = client_for("street").post(reverse("people:edit", args=[world.zhang.pk]), data)
    assert response.status_code == 302, response.content.decode()
    zhang = Person.objects.get(pk=world.zhang.pk)
    assert (zhang.mobile, zhang.phone, zhang.emergency_phone, zhang.skills) == (
        "13812345678", "02584561234", "13900001111", "书法")


def test_a_typed_number_replaces_it_and_a_half_masked_one_is_refused(world, client_for, zhang_with_landline):
    client = client_for("street")
    url = reverse("people:edit", args=[world.zhang.pk])
    data = _edit_data(zhang_with_landline) | {"mobile": "13987654321"}
    assert client.post(url, data).status_code == 302
    assert Person.objects.get(pk=world.zhang.pk).mobile == "13987654321"
    refused = client.post(url, _edit_data(Person.objects.get(pk=world.zhang.pk)) | {"mobile": "139****0000"})
    assert refused.status_code == 200 and "请输入完整号码" in refused.content.decode()
    assert Person.objects.get(pk=world.zhang.pk).mobile == "13987654321"


def test_the_clear_number_appears_on_the_edit_form_only_after_a_logged_reveal(world, client_for):
    client = client_for("street")
    url = reverse("people:edit", args=[world.zhang.pk])
    refused = client.post(url, {"reveal": "1", "field": "mobile", "reason": ""})
    assert "13812345678" not in refused.content.decode() and AccessLog.objects.count() == 0
    response = client.post(url, {"reveal": "1", "field": "mobile", "reason": "核对联系电话"})
    page = response.content.decode()
    assert response.status_code == 200 and 'value="13812345678"' in page
    assert response["Cache-Control"] == "no-store" and "messages" not in response.cookies
    entry = AccessLog.objects.get()
    assert (entry.action, entry.field, entry.reason, entry.person_id) == (
        AccessAction.REVEAL, "mobile", "核对联系电话", world.zhang.pk)
    assert Person.objects.get(pk=world.zhang.pk).mobile == "13812345678"  # a reveal writes nothing


def test_the_no_script_reveal_renders_the_value_and_never_puts_it_in_a_cookie(world, client_for):
    client = client_for("street")
    response = client.post(reverse("people:reveal", args=[world.zhang.pk]),
                           {"field": "id_number", "reason": "核对离休待遇"})
    assert response.status_code == 200
    assert world.zhang.id_number in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    assert all(world.zhang.id_number not in morsel.value for morsel in response.cookies.values())
    assert "messages" not in response.cookies
    # Nothing is left behind for the next page either.
    assert world.zhang.id_number not in client.get(reverse("people:detail", args=[world.zhang.pk])).content.decode()
    assert AccessLog.objects.filter(action=AccessAction.REVEAL, field="id_number").count() == 1


def test_a_no_script_reveal_without_a_reason_answers_on_the_page(world, client_for):
    response = client_for("street").post(reverse("people:reveal", args=[world.zhang.pk]), {"field": "mobile"})
    assert response.status_code == 422 and "13812345678" not in response.content.decode()
    assert "messages" not in response.cookies and AccessLog.objects.count() == 0


# --- 2. scope first, then the role ---------------------------------------------------------------------------


def test_out_of_scope_is_404_whatever_the_role(world, client_for):
    member = client_for("member")
    assert member.get(reverse("people:detail", args=[world.zhang.pk])).status_code == 403  # themselves: the role
    assert member.get(reverse("people:detail", args=[world.wang.pk])).status_code == 404
    assert member.get(f"/api/persons/{world.wang.pk}").status_code == 404
    assert member.get(reverse("organizations:roster_export", args=[world.other_branch.pk])).status_code == 404
    secretary = client_for("secretary")
    for name in ("edit", "transfer", "death", "move_away", "survivor_add", "join"):
        assert secretary.get(reverse(f"people:{name}", args=[world.zhang.pk])).status_code == 403, name
        assert secretary.get(reverse(f"people:{name}", args=[world.li.pk])).status_code == 404, name
    assert secretary.post(reverse("people:reveal", args=[world.li.pk]),
                          {"field": "mobile", "reason": "核对"}).status_code == 404


# --- 3. an invalid filter is an error, never the whole scope --------------------------------------------------


@pytest.mark.parametrize("params, label", [
    (lambda w: {"org": w.other_branch.pk}, "党组织"),
    (lambda w: {"org": 999999}, "党组织"),
    (lambda w: {"region": 999999}, "行政区划"),
    (lambda w: {"unit": "abc"}, "单位"),
    (lambda w: {"status": "gone"}, "状态"),
])
def test_the_list_shows_the_filter_error_and_nobody(world, client_for, params, label):
    response = client_for("street").get(reverse("people:list"), params(world))
    assert response.status_code == 200
    assert response.context["total"] == 0 and not response.context["page"].object_list
    assert any(error.startswith(f"{label}：") for error in response.context["filter_errors"])
    page = response.content.decode()
    for person in (world.zhang, world.li, world.zhao):
        assert reverse("people:detail", args=[person.pk]) not in page
    assert f"{label}：" in page  # shown to the user


def test_the_api_list_names_the_invalid_filter(world, client_for):
    client = client_for("street")
    for params, field in (({"org": world.other_branch.pk}, "org"), ({"region": 999999}, "region"),
                          ({"unit": 999999}, "unit"), ({"status": "gone"}, "status")):
        response = client.get("/api/persons", params)
        assert response.status_code == 422, (params, response.content)
        assert [d["field"] for d in response.json()["detail"]] == [field]


# --- 7. links, the pair contact's call, 姓名 -------------------------------------------------------------------


def test_links_point_only_to_pages_the_user_can_open(world, client_for):
    branch_url = reverse("organizations:detail", args=[world.branch.pk])
    pair_page = client_for("pair").get(reverse("people:detail", args=[world.zhang.pk])).content.decode()
    assert world.branch.name in pair_page and f'href="{branch_url}"' not in pair_page
    street_page = client_for("street").get(reverse("people:detail", args=[world.zhang.pk])).content.decode()
    assert f'href="{branch_url}"' in street_page


def test_the_pair_contact_gets_a_one_tap_call_with_the_reason_preset(world, client_for):
    page = client_for("pair").get(reverse("people:detail", args=[world.zhang.pk])).content.decode()
    form = re.search(r'<form class="inline-form"[^>]*action="([^"]+)".*?</form>', page, re.S)
    assert form and form.group(1) == reverse("people:reveal", args=[world.zhang.pk])
    assert 'name="field" value="mobile"' in form.group(0) and 'name="reason" value="结对联系"' in form.group(0)
    assert "13812345678" not in page
    # Staff who reveal with their own reason do not get the pair contact's button.
    street = client_for("street").get(reverse("people:detail", args=[world.zhang.pk])).content.decode()
    assert 'value="结对联系"' not in street


def test_the_pair_contact_may_reveal_only_the_mobile_of_their_own_persons(world, client_for):
    client = client_for("pair")
    url = reverse("people:reveal", args=[world.zhang.pk])
    assert client.post(url, {"field": "id_number", "reason": "结对联系"}).status_code == 403
    assert client.post(url, {"field": "phone", "reason": "结对联系"}).status_code == 403
    assert client.post(reverse("people:reveal", args=[world.li.pk]),
                       {"field": "mobile", "reason": "结对联系"}).status_code == 404
    assert AccessLog.objects.count() == 0


def test_the_pair_contact_calls_their_person_and_the_call_is_logged(world, client_for):
    user = world.users["pair"]
    response = client_for("pair").post(reverse("people:reveal", args=[world.zhang.pk]),
                                       {"field": "mobile", "reason": "结对联系"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'href="tel:13812345678"' in response.content.decode()
    entry = AccessLog.objects.get()
    assert (entry.user, entry.field, entry.reason) == (user, "mobile", "结对联系")


def test_a_persons_name_is_labelled_xingming(world, client_for):
    client = client_for("street")
    for url in (reverse("people:create"), reverse("people:edit", args=[world.zhang.pk])):
        page = client.get(url).content.decode()
        assert re.search(r'<label for="id_name">姓名', page), url
        assert not re.search(r"<label[^>]*>名称", page), url


def test_the_person_page_has_no_inline_style(world, client_for):
    page = client_for("street").get(reverse("people:detail", args=[world.zhang.pk])).content.decode()
    assert "style=" not in page
