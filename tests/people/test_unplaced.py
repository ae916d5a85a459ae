"""待归属: persons on the register whom no scope reaches, listed for the bureau, which places them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jinqiu.accounts.scoping import visible_persons
from jinqiu.people.models import Membership, Person
from tests.factories import make_person


def unplaced(world, name="孙七") -> Person:
    """A record left behind by older code: no 居住社区, no 党组织, no 管理服务单位 (the services refuse that now)."""
    person = make_person(name, region=world.community, party=False)
    Person.objects.filter(pk=person.pk).update(region=None)
    return Person.objects.get(pk=person.pk)


def test_the_bureau_lists_persons_nobody_sees(world, client_for):
    lost = unplaced(world)
    assert not any(visible_persons(u).filter(pk=lost.pk).exists() for u in world.users.values())
    ended = make_person("钱八", region=world.community, org=world.branch)
    Person.objects.filter(pk=ended.pk).update(region=None)
    Membership.objects.filter(person=ended).update(org=None, outside_org_name="某企业党支部")  # outside the system
    response = client_for("bureau").get(reverse("people:unplaced"))
    assert response.status_code == 200
    page = response.content.decode()
    assert "孙七" in page and "钱八" in page and lost.id_number_masked in page
    assert reverse("people:place", args=[lost.pk]) in page
    for placed in (world.zhang, world.li, world.wang, world.zhao):
        assert placed.name not in page
    assert lost.id_number not in page


@pytest.mark.parametrize("persona", ["street", "secretary", "pair", "member", "sysadmin", "secadmin", "auditor"])
def test_only_the_bureau_sees_the_list_or_places(world, client_for, persona):
    lost = unplaced(world)
    client = client_for(persona)
    assert client.get(reverse("people:unplaced")).status_code == 403
    assert client.get(reverse("people:place", args=[lost.pk])).status_code == 404
    assert client.post(reverse("people:place", args=[lost.pk]),
                       {"region": world.community.pk, "on": "2020-01-01"}).status_code == 404
    assert Person.objects.get(pk=lost.pk).region_id is None


def test_the_bureau_places_a_person_in_a_community_and_the_street_then_sees_them(world, client_for):
    lost = unplaced(world)
    client = client_for("bureau")
    assert client.get(reverse("people:place", args=[lost.pk])).status_code == 200
    refused = client.post(reverse("people:place", args=[lost.pk]), {"on": "2020-01-01"})
    assert refused.status_code == 200 and "居住社区" in refused.content.decode()
    response = client.post(reverse("people:place", args=[lost.pk]), {"region": world.community.pk,
                                                                      "on": "2020-01-01"})
    assert response.status_code == 302 and response["Location"] == reverse("people:unplaced")
    assert visible_persons(world.users["street"]).filter(pk=lost.pk).exists()
    assert client.get(reverse("people:unplaced")).context["total"] == 0
    # Placed, the person is no longer on this page: its URL answers 404.
    assert client.get(reverse("people:place", args=[lost.pk])).status_code == 404


def test_the_bureau_places_a_party_member_in_a_branch(world, client_for):
    lost = make_person("孙七", region=world.community)
    Person.objects.filter(pk=lost.pk).update(region=None)
    response = client_for("bureau").post(reverse("people:place", args=[lost.pk]),
                                         {"org": world.branch.pk, "on": "2020-01-01"})
    assert response.status_code == 302
    assert visible_persons(world.users["secretary"]).filter(pk=lost.pk).exists()
    assert Membership.objects.get(person=lost, ended_on__isnull=True).org == world.branch
