"""Clear phone numbers and ID numbers appear only after a reveal with a reason, never in a form's initial value,
a cookie, a message or the session."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from jinqiu.accounts.models import AccessAction, AccessLog
from tests.factories import make_person
from tests.security.planted import body_text, leaks, phone_needles, unsigned

pytestmark = pytest.mark.django_db

MOBILE, LANDLINE = "13698765432", "051886427531"


@pytest.fixture
def kept(world):
    """A person in the branch with a mobile and a landline of their own."""
    return make_person("在册壬癸", region=world.community, org=world.branch, mobile=MOBILE, phone=LANDLINE)


def _clear(person) -> list[str]:
    return [person.id_number, person.id_number[-8:], *phone_needles(MOBILE), *phone_needles(LANDLINE)]


@pytest.mark.parametrize("persona", ["street", "bureau"])
def test_the_edit_form_shows_phones_masked(world, client, kept, persona):
    user = world.users[persona]
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    before = AccessLog.objects.filter(user=user).count()
    text = body_text(client.get(reverse("people:edit", args=[kept.pk])))
    assert leaks(text, _clear(kept)) == [], f"the edit form holds clear values: {leaks(text, _clear(kept))}"
    assert f"{MOBILE[:3]}****{MOBILE[-4:]}" in text, "the edit form does not show the masked mobile"
    assert AccessLog.objects.filter(user=user).count() == before  # nothing revealed, nothing to log


def test_saving_the_edit_form_unchanged_keeps_the_phones(world, client, kept):
    """The masked value sent back is not a new number: the clear one stays."""
    client.force_login(world.users["street"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("people:edit", args=[kept.pk]))
    form = page.context["form"]
    data = {}
    for name, _bound in form.fields.items():
        value = form[name].value()
        if value is None:
            continue
        data[name] = value.pk if hasattr(value, "pk") else value
    client.post(reverse("people:edit", args=[kept.pk]), data)
    kept.refresh_from_db()
    assert (kept.mobile, kept.phone) == (MOBILE, LANDLINE)


def _cookie_texts(response) -> list[str]:
    out = []
    for morsel in response.cookies.values():
        out += [morsel.value, unsigned(morsel.value)]
    return out


def _session_text(client) -> str:
    session = client.session
    return json.dumps(dict(session.items()), ensure_ascii=False, default=str)


@pytest.mark.parametrize("field", ["id_number", "mobile", "phone"])
def test_no_reveal_puts_a_clear_value_in_a_cookie_or_a_message(world, client, kept, field):
    user = world.users["street"]
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    clear = {"id_number": kept.id_number, "mobile": MOBILE, "phone": LANDLINE}[field]
    needles = [clear, clear[-8:]]
    url = reverse("people:reveal", args=[kept.pk])
    data = {"field": field, "reason": "上门走访核对"}
    failures = []
    paths = {
        "htmx": lambda: client.post(url, data, HTTP_HX_REQUEST="true"),
        "no script": lambda: client.post(url, data),
        "api": lambda: client.post(f"/api/persons/{kept.pk}/reveal", json.dumps(data),
                                   content_type="application/json"),
    }
    for name, call in paths.items():
        before = AccessLog.objects.filter(user=user, action=AccessAction.REVEAL).count()
        response = call()
        assert response.status_code in (200, 302), (name, response.status_code)
        for text in _cookie_texts(response):
            if leaks(text, needles):
                failures.append(f"{name}: a cookie holds the clear {field}")
        if leaks(_session_text(client), needles):
            failures.append(f"{name}: the session (messages) holds the clear {field}")
        if AccessLog.objects.filter(user=user, action=AccessAction.REVEAL).count() != before + 1:
            failures.append(f"{name}: the reveal was not logged once")
        if response.status_code == 302:  # the page it leads to is rendered from what was stored
            for text in _cookie_texts(client.get(response["Location"])):
                if leaks(text, needles):
                    failures.append(f"{name}: a cookie after the redirect holds the clear {field}")
    assert not failures, "\n".join(failures)
    # The value is still shown where it was asked for, with a reason.
    assert clear in body_text(client.post(url, data, HTTP_HX_REQUEST="true")).replace("-", "")
