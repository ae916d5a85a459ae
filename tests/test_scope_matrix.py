"""The scope matrix: every URL, every persona, an object in scope and one out of scope.

An out-of-scope object answers 404 (never 403, which would say it exists) unless the persona's role
has no access to that page at all, in which case in-scope and out-of-scope answer the same 403.
A URL missing from MATRIX fails `test_every_url_is_in_the_matrix`.
"""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

import tests
from tests.factories import World
from tests.matrix import EDITORS, PERSONAS, STAFF, Case, active_pairing, membership_kwargs, person

MATRIX: dict[str, Case] = {
    "home": Case({*PERSONAS}),
    "health": Case({*PERSONAS}),
    "set_language": Case({*PERSONAS}, method="post", data={"language": "en", "next": "/"}),
    "accounts:login": Case({*PERSONAS}),
    "accounts:logout": Case({*PERSONAS}, method="post"),
    "accounts:users": Case({"sysadmin", "secadmin"}),
    "accounts:user_create": Case({"sysadmin"}),
    "accounts:user": Case({"sysadmin", "secadmin"}, {"sysadmin", "secadmin"},
                          lambda w: {"pk": w.users["street"].pk}, lambda w: {"pk": w.users["bureau"].pk}),
    "accounts:user_unlock": Case({"secadmin"}, {"secadmin"}, lambda w: {"pk": w.users["street"].pk},
                                 lambda w: {"pk": w.users["bureau"].pk}, method="post"),
    "accounts:scope_remove": Case({"secadmin"}, {"secadmin"},
                                  lambda w: {"pk": w.users["street"].pk,
                                             "scope_pk": w.users["street"].scopes.first().pk},
                                  lambda w: {"pk": w.users["bureau"].pk,
                                             "scope_pk": w.users["bureau"].scopes.first().pk}, method="post"),
    "accounts:pairing_add": Case(EDITORS, {"bureau"}, lambda w: {"person_pk": w.zhang.pk},
                                 lambda w: {"person_pk": w.wang.pk}),
    "accounts:pairing_end": Case(EDITORS, {"bureau"}, lambda w: active_pairing(w, w.zhang),
                                 lambda w: active_pairing(w, w.wang), method="post"),
    "accounts:access_log": Case({"auditor"}),
    "accounts:change_log": Case({"auditor"}),
    "people:list": Case(STAFF),
    "people:pending": Case(STAFF),
    "people:create": Case(EDITORS),
    "people:detail": Case({"bureau", "street", "secretary", "pair"}, {"bureau"},
                          lambda w: person(w, w.zhang), lambda w: person(w, w.wang)),
    "people:edit": Case(EDITORS, {"bureau"}, lambda w: person(w, w.zhang), lambda w: person(w, w.wang)),
    "people:transfer": Case(EDITORS, {"bureau"}, lambda w: person(w, w.zhang), lambda w: person(w, w.wang)),
    "people:join": Case(EDITORS, {"bureau"}, lambda w: person(w, w.zhang), lambda w: person(w, w.wang)),
    "people:membership_end": Case(EDITORS, {"bureau"}, lambda w: membership_kwargs(w, w.zhang),
                                  lambda w: membership_kwargs(w, w.wang)),
    "people:death": Case(EDITORS, {"bureau"}, lambda w: person(w, w.zhang), lambda w: person(w, w.wang)),
    "people:move_away": Case(EDITORS, {"bureau"}, lambda w: person(w, w.zhang), lambda w: person(w, w.wang)),
    "people:survivor_add": Case(EDITORS, {"bureau"}, lambda w: person(w, w.zhang), lambda w: person(w, w.wang)),
    "people:reveal": Case(EDITORS, {"bureau"}, lambda w: person(w, w.zhang), lambda w: person(w, w.wang),
                          method="post", data={"field": "mobile", "reason": "上门走访核对电话"}),
    "organizations:list": Case(STAFF),
    "organizations:create": Case(EDITORS),
    "organizations:detail": Case({"bureau", "street", "secretary"}, {"bureau"},
                                 lambda w: {"pk": w.branch.pk}, lambda w: {"pk": w.other_branch.pk}),
    "organizations:children": Case({"bureau", "street"}, {"bureau"},
                                   lambda w: {"pk": w.street_org.pk}, lambda w: {"pk": w.other_street_org.pk}),
    "organizations:edit": Case(EDITORS, {"bureau"}, lambda w: {"pk": w.branch.pk},
                               lambda w: {"pk": w.other_branch.pk}),
    "organizations:move": Case(EDITORS, {"bureau"}, lambda w: {"pk": w.branch.pk},
                               lambda w: {"pk": w.other_branch.pk}),
    "organizations:dissolve": Case(EDITORS, {"bureau"}, lambda w: {"pk": w.branch.pk},
                                   lambda w: {"pk": w.other_branch.pk}),
    "organizations:officer_add": Case(EDITORS, {"bureau"}, lambda w: {"pk": w.branch.pk},
                                      lambda w: {"pk": w.other_branch.pk}),
    "organizations:officer_end": Case(
        EDITORS, {"bureau"},
        lambda w: {"pk": w.branch.pk, "term_pk": w.branch.officer_terms.first().pk},
        lambda w: {"pk": w.other_branch.pk, "term_pk": w.other_branch.officer_terms.first().pk}),
    "organizations:units": Case(STAFF),
    "organizations:unit_create": Case({"bureau"}),
    "organizations:unit_edit": Case({"bureau"}, {"bureau"}, lambda w: {"pk": w.unit.pk}, lambda w: {"pk": w.unit.pk}),
    "regions:list": Case(STAFF),
    "regions:create": Case({"bureau"}),
    "regions:detail": Case(STAFF, STAFF, lambda w: {"pk": w.community.pk}, lambda w: {"pk": w.other_community.pk}),
    "regions:rename": Case({"bureau"}, {"bureau"}, lambda w: {"pk": w.community.pk},
                           lambda w: {"pk": w.other_community.pk}),
    "regions:move": Case({"bureau"}, {"bureau"}, lambda w: {"pk": w.community.pk},
                         lambda w: {"pk": w.other_community.pk}),
}



def _app_matrices() -> dict[str, Case]:
    """MATRIX entries from every tests/<app>/matrix.py."""
    found: dict[str, Case] = {}
    for module in pkgutil.iter_modules(tests.__path__):
        if not module.ispkg:
            continue
        name = f"tests.{module.name}.matrix"
        try:
            extra = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue
            raise
        clash = set(extra.MATRIX) & (set(MATRIX) | set(found))
        assert not clash, f"{name} repeats {sorted(clash)}"
        found.update(extra.MATRIX)
    return found


MATRIX.update(_app_matrices())

# Open pages and the API (which has its own matrix in tests/api) are not walked here.
SKIP_PREFIXES = ("api-", "api:")


def _walk(resolver: URLResolver, prefix: str = "") -> set[str]:
    names = set()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            if entry.namespace and entry.namespace.startswith("api"):
                continue
            names |= _walk(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            names.add(prefix + entry.name)
    return names


def test_every_url_is_in_the_matrix():
    names = {n for n in _walk(get_resolver()) if not n.startswith(SKIP_PREFIXES)}
    missing = names - set(MATRIX)
    assert not missing, f"URLs missing from the scope matrix: {sorted(missing)}"


def _officers(w: World):
    from datetime import date

    from jinqiu.people import services

    services.officer_appoint(actor=None, org=w.branch, role="secretary", started_on=date(2021, 1, 1), person=w.zhang)
    services.officer_appoint(actor=None, org=w.other_branch, role="secretary", started_on=date(2021, 1, 1),
                             person=w.wang)


def _status(client, case: Case, url: str) -> int:
    if case.method == "post":
        return client.post(url, case.data or {}).status_code
    return client.get(url).status_code


OK = {200, 302}


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name, world, client):
    _officers(world)
    case = MATRIX[name]
    for persona in PERSONAS:
        client.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")
        if case.inside is None:
            status = _status(client, case, reverse(name))
            if persona in case.allowed_in:
                assert status in OK, (name, persona, status)
            else:
                assert status == 403, (name, persona, status)
            continue
        inside = _status(client, case, reverse(name, kwargs=case.inside(world)))
        outside = _status(client, case, reverse(name, kwargs=case.outside(world)))
        if persona in case.allowed_in:
            assert inside in OK, (name, persona, "in scope", inside)
        else:
            assert inside in (403, 404), (name, persona, "in scope", inside)
        if persona in case.allowed_out:
            assert outside in OK, (name, persona, "out of scope", outside)
        elif inside == 403:
            assert outside in (403, 404), (name, persona, "out of scope", outside)
        else:
            assert outside == 404, (name, persona, "out of scope must be 404", outside)
