"""Scope first, then role: out of scope answers 404 even to a role that could not change it; an in-scope
object the role may not change answers 403 (organisations, units, regions; pages and API)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from jinqiu.people import services as people_services


@pytest.fixture
def terms(world):
    people_services.officer_appoint(actor=None, org=world.branch, role="secretary", started_on=date(2021, 1, 1),
                                    person=world.zhang)
    people_services.officer_appoint(actor=None, org=world.other_branch, role="secretary",
                                    started_on=date(2021, 1, 1), person=world.wang)
    return world


ORG_PAGES = ["organizations:edit", "organizations:move", "organizations:dissolve", "organizations:officer_add"]


def _org_kwargs(name, org):
    if name == "organizations:officer_end":
        return {"pk": org.pk, "term_pk": org.officer_terms.first().pk}
    return {"pk": org.pk}


@pytest.mark.parametrize("name", [*ORG_PAGES, "organizations:officer_end"])
def test_org_pages_secretary_in_scope_403_out_of_scope_404(terms, client_for, name):
    client = client_for("secretary")
    assert client.get(reverse(name, kwargs=_org_kwargs(name, terms.branch))).status_code == 403
    assert client.get(reverse(name, kwargs=_org_kwargs(name, terms.other_branch))).status_code == 404


@pytest.mark.parametrize("persona", ["member", "pair", "sysadmin"])
@pytest.mark.parametrize("name", [*ORG_PAGES, "organizations:officer_end", "organizations:detail",
                                  "organizations:children"])
def test_org_pages_out_of_everyone_scope_is_404(terms, client_for, persona, name):
    client = client_for(persona)
    assert client.get(reverse(name, kwargs=_org_kwargs(name, terms.other_branch))).status_code == 404


@pytest.mark.parametrize(("method", "suffix", "body"), [
    ("patch", "", {"name": "x"}), ("post", "/move", {"parent": 1}),
    ("post", "/dissolve", {"on": "2020-01-01", "reason": "x"}),
])
def test_org_api_secretary_in_scope_403_out_of_scope_404(terms, client_for, method, suffix, body):
    client = client_for("secretary")
    call = getattr(client, method)
    assert call(f"/api/orgs/{terms.branch.pk}{suffix}", body, content_type="application/json").status_code == 403
    assert call(f"/api/orgs/{terms.other_branch.pk}{suffix}", body,
                content_type="application/json").status_code == 404


@pytest.mark.parametrize("name", ["regions:rename", "regions:move", "regions:detail"])
def test_regions_are_404_to_roles_without_structure(world, client_for, name):
    assert client_for("member").get(reverse(name, kwargs={"pk": world.community.pk})).status_code == 404


@pytest.mark.parametrize("name", ["regions:rename", "regions:move"])
def test_regions_are_403_to_staff_who_may_not_change_them(world, client_for, name):
    assert client_for("street").get(reverse(name, kwargs={"pk": world.community.pk})).status_code == 403


def test_units_scope_then_role(world, client_for):
    url = reverse("organizations:unit_edit", kwargs={"pk": world.unit.pk})
    assert client_for("member").get(url).status_code == 404
    assert client_for("street").get(url).status_code == 403


def test_api_regions_and_units_scope_then_role(world, client_for):
    member = client_for("member")
    assert member.patch(f"/api/regions/{world.community.pk}", {"name": "x"},
                        content_type="application/json").status_code == 404
    assert member.patch(f"/api/units/{world.unit.pk}", {"name": "x"}, content_type="application/json").status_code == 404
    assert member.get(f"/api/units/{world.unit.pk}").status_code == 404
    street = client_for("street")
    assert street.patch(f"/api/regions/{world.community.pk}", {"name": "x"},
                        content_type="application/json").status_code == 403
    assert street.patch(f"/api/units/{world.unit.pk}", {"name": "x"}, content_type="application/json").status_code == 403
