"""The 审计管理员 sees who changed which record and which fields, never the values of personal fields."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from jinqiu.people import services
from jinqiu.people.models import Person, Survivor
from tests.security.planted import body_text, leaks, phone_needles, plant

pytestmark = pytest.mark.django_db


def _changes(world, s):
    """Changes through the services, by the bureau: the values that must stay out of the auditor's sight."""
    bureau = world.users["bureau"]
    person = s.far.person
    old = s.far.needles()
    services.person_update(actor=bureau, person=person, fields={
        "name": "改名甲乙", "address": "新址甲乙路六十六号", "health": "bedridden", "living": "care_home",
        "mobile": "13566778899", "phone": "051866778891", "note": "新的私密备注", "emergency_contact": "新联系人甲乙"})
    died_on = timezone.localdate() - timezone.timedelta(days=40)
    services.person_record_death(actor=bureau, person=Person.objects.get(pk=person.pk), died_on=died_on)
    services.survivor_add(actor=bureau, person=Person.objects.get(pk=person.pk), fields={
        "name": "遗属甲乙", "relation": "配偶", "phone": "13877665544", "address": "遗属住址甲乙路"})
    new = ["改名甲乙", "新址甲乙路六十六号", "新的私密备注", "新联系人甲乙", "遗属甲乙", "遗属住址甲乙路",
           *phone_needles("13566778899", masked_too=True), *phone_needles("051866778891", masked_too=True),
           *phone_needles("13877665544", masked_too=True),
           died_on.isoformat(), f"{died_on.year}年{died_on.month}月{died_on.day}日", f"{died_on:%Y/%m/%d}"]
    return person, old + new


def test_the_change_log_shows_no_personal_values(world, client):
    s = plant(world)
    person, needles = _changes(world, s)
    client.force_login(world.users["auditor"], backend="django.contrib.auth.backends.ModelBackend")
    pages, page = [], 1
    while page < 50:
        response = client.get(reverse("accounts:change_log") + f"?page={page}")
        if response.status_code != 200:
            break
        pages.append(body_text(response))
        if f"page={page + 1}" not in pages[-1]:
            break
        page += 1
    text = "\n".join(pages)
    assert leaks(text, needles) == [], f"the change log shows personal values: {leaks(text, needles)}"
    # What the auditor needs is still there: who, which record, which fields.
    with translation.override("zh-hans"):
        labels = [str(Person._meta.get_field(f).verbose_name) for f in ("name", "address", "mobile")]
        labels.append(str(Person._meta.get_field("died_on").verbose_name))
    assert "bureau" in pages[0] and f"{person.pk}" in pages[0]
    missing = [label for label in labels if label not in pages[0]]
    assert not missing, f"the change log does not name the fields changed: {missing}"
    survivor = Survivor.objects.get(person=person)
    assert f"{survivor.pk}" in text


def test_the_access_log_shows_no_personal_values(world, client):
    """The auditor's other page: reveals, exports and imports by record number, not by name or value."""
    s = plant(world)
    street = world.users["street"]
    client.force_login(street, backend="django.contrib.auth.backends.ModelBackend")
    zhang = world.zhang
    client.post(reverse("people:reveal", args=[zhang.pk]), {"field": "mobile", "reason": "上门走访核对电话"},
                HTTP_HX_REQUEST="true")
    client.get(reverse("people:export"))
    client.force_login(world.users["auditor"], backend="django.contrib.auth.backends.ModelBackend")
    text = body_text(client.get(reverse("accounts:access_log")))
    needles = [n for p in s.planted for n in p.needles()] + [zhang.name, zhang.id_number,
                                                              *phone_needles(zhang.mobile)]
    assert leaks(text, needles) == [], f"the access log shows personal values: {leaks(text, needles)}"
    assert "street" in text
