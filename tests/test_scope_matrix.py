"""The scope matrix: every URL, every persona, an object in scope and one out of scope, GET and every form's POST.

A persona allowed the page gets 200 (or a redirect); one that sees the object but whose role lacks the
action gets 403; one that does not see the object gets 404 and only 404 (scope first, then role). Every
page with a form is also POSTed (the form as rendered, with `Case.data` on top) by every persona, and a
refused POST writes nothing. A URL missing from MATRIX, or a URL pattern without a name, fails
`test_every_url_is_in_the_matrix`. The rules are spelt out in tests/matrix.py.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from tests.factories import World, make_person, new_id
from tests.matrix import (
    BUREAU_READ,
    EDITORS,
    PERSONAS,
    SEES_OTHER_STREET_ORG,
    SEES_STREET_ORG,
    SEES_STRUCTURE,
    SEES_WANG,
    SEES_ZHANG,
    STAFF,
    Case,
    active_pairing,
    app_matrix_modules,
    changed_tables,
    db_fingerprint,
    expected,
    membership_kwargs,
    on_org,
    on_person,
    page_form,
)


def _days_ago(n: int) -> str:
    return (timezone.localdate() - timedelta(days=n)).isoformat()


def _unplaced(w: World) -> dict:
    from jinqiu.people.models import Person

    p = Person.objects.filter(name="待归属人").first()
    if p is None:
        # The services no longer save a person nobody can see; such a record comes from before that rule.
        p = make_person("待归属人", party=False, region=w.community)
        Person.objects.filter(pk=p.pk).update(region=None)
    return {"pk": p.pk}


def _new_person(w: World) -> dict:
    from datetime import date

    return {"id_number": new_id(date(1952, 6, 1)), "name": "矩阵新人", "gender": "M", "retirement_type": "tuixiu",
            "region": w.community.pk, "org": w.branch.pk, "relation_since": _days_ago(400),
            "is_party_member": "on", "joined_party_on": "1976-07-01"}


MATRIX: dict[str, Case] = {
    "home": Case({*PERSONAS}),
    "health": Case({*PERSONAS}),
    "set_language": Case({*PERSONAS}, method="post", data={"language": "en", "next": "/"}),
    "accounts:login": Case({*PERSONAS}),
    "accounts:logout": Case({*PERSONAS}, method="post"),
    "accounts:users": Case({"sysadmin", "secadmin"}),
    "accounts:user_create": Case({"sysadmin"}),
    # Accounts are not scoped records: every role without the action gets the same 403 for any account.
    "accounts:user": Case({"sysadmin", "secadmin"}, {"sysadmin", "secadmin"},
                          lambda w: {"pk": w.users["street"].pk}, lambda w: {"pk": w.users["bureau"].pk},
                          sees_in={*PERSONAS}, sees_out={*PERSONAS}),
    "accounts:user_unlock": Case({"secadmin"}, {"secadmin"}, lambda w: {"pk": w.users["street"].pk},
                                 lambda w: {"pk": w.users["bureau"].pk}, method="post",
                                 sees_in={*PERSONAS}, sees_out={*PERSONAS}),
    "accounts:scope_remove": Case({"secadmin"}, {"secadmin"},
                                  lambda w: {"pk": w.users["street"].pk,
                                             "scope_pk": w.users["street"].scopes.first().pk},
                                  lambda w: {"pk": w.users["bureau"].pk,
                                             "scope_pk": w.users["bureau"].scopes.first().pk}, method="post",
                                  sees_in={*PERSONAS}, sees_out={*PERSONAS}),
    "accounts:pairing_add": Case(EDITORS, {"bureau"}, lambda w: {"person_pk": w.zhang.pk},
                                 lambda w: {"person_pk": w.wang.pk}, sees_in=SEES_ZHANG, sees_out=SEES_WANG,
                                 data=lambda w: {"contact": w.users["pair"].pk}),
    "accounts:pairing_end": Case(EDITORS, {"bureau"}, lambda w: active_pairing(w, w.zhang),
                                 lambda w: active_pairing(w, w.wang), method="post",
                                 sees_in=SEES_ZHANG, sees_out=SEES_WANG),
    "accounts:password_change": Case({*PERSONAS}),
    "accounts:access_log": Case({"auditor"}),
    "accounts:change_log": Case({"auditor"}),
    "people:list": Case(STAFF),
    "people:pending": Case(STAFF),
    "people:create": Case(EDITORS, data=lambda w: _new_person(w)),
    "people:unplaced": Case({"bureau"}),
    # A person no scope reaches exists only for the bureau (待归属); a placed person is not on that list.
    "people:place": Case({"bureau"}, set(), _unplaced, lambda w: {"pk": w.zhang.pk}, sees_in={"bureau"},
                         sees_out=set(), data=lambda w: {"region": w.community.pk, "on": _days_ago(1)}),
    "people:detail": on_person({"bureau", "street", "secretary", "pair", "leader"}, BUREAU_READ),
    "people:edit": on_person(EDITORS),
    "people:transfer": on_person(EDITORS, data=lambda w: {"org": w.neighbor_branch.pk, "on": _days_ago(30)}),
    "people:join": on_person(EDITORS, data=lambda w: {"org": w.functional.pk, "on": _days_ago(30)}),
    "people:membership_end": Case(EDITORS, {"bureau"}, lambda w: membership_kwargs(w, w.zhang),
                                  lambda w: membership_kwargs(w, w.wang), sees_in=SEES_ZHANG, sees_out=SEES_WANG),
    "people:death": on_person(EDITORS, data=lambda w: {"died_on": _days_ago(3)}),
    "people:move_away": on_person(EDITORS, data=lambda w: {"on": _days_ago(3), "moved_to": "南京市鼓楼区"}),
    "people:survivor_add": on_person(EDITORS),
    # The pair contact calls the persons paired to them: the mobile is revealed to them too (issue 8).
    "people:reveal": on_person(EDITORS | {"pair"}, method="post", data={"field": "mobile", "reason": "上门走访核对电话"}),
    "organizations:list": Case(STAFF),
    "organizations:create": Case(EDITORS, data=lambda w: {"parent": w.street_org.pk, "name": "矩阵新党支部",
                                                          "kind": "zhibu", "location_type": "community"}),
    "organizations:detail": on_org({"bureau", "street", "secretary", "leader"}, BUREAU_READ),
    "organizations:children": Case({"bureau", "street", "leader"}, BUREAU_READ,
                                   lambda w: {"pk": w.street_org.pk}, lambda w: {"pk": w.other_street_org.pk},
                                   sees_in=SEES_STREET_ORG, sees_out=SEES_OTHER_STREET_ORG),
    "organizations:edit": on_org(EDITORS),
    "organizations:move": on_org(EDITORS),
    "organizations:dissolve": on_org(EDITORS),
    "organizations:officer_add": on_org(EDITORS),
    "organizations:officer_end": on_org(
        EDITORS, inside=lambda w: {"pk": w.branch.pk, "term_pk": w.branch.officer_terms.first().pk},
        outside=lambda w: {"pk": w.other_branch.pk, "term_pk": w.other_branch.officer_terms.first().pk}),
    "organizations:units": Case(STAFF),
    "organizations:unit_create": Case({"bureau"}, data={"name": "矩阵单位", "kind": "agency"}),
    "organizations:unit_edit": Case({"bureau"}, {"bureau"}, lambda w: {"pk": w.unit.pk}, lambda w: {"pk": w.unit.pk},
                                    sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "regions:list": Case(STAFF),
    "regions:create": Case({"bureau"}, data=lambda w: {"parent": w.street.pk, "name": "矩阵社区",
                                                        "level": "community"}),
    "regions:detail": Case(STAFF, STAFF, lambda w: {"pk": w.community.pk}, lambda w: {"pk": w.other_community.pk},
                           sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "regions:rename": Case({"bureau"}, {"bureau"}, lambda w: {"pk": w.community.pk},
                           lambda w: {"pk": w.other_community.pk}, sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE),
    "regions:move": Case({"bureau"}, {"bureau"}, lambda w: {"pk": w.community.pk},
                         lambda w: {"pk": w.other_community.pk}, sees_in=SEES_STRUCTURE, sees_out=SEES_STRUCTURE,
                         data=lambda w: {"parent": w.other_street.pk}),
}



def _app_matrices() -> dict[str, Case]:
    """MATRIX entries from every tests/<app>/matrix.py."""
    found: dict[str, Case] = {}
    for name, extra in app_matrix_modules():
        pages = getattr(extra, "MATRIX", {})
        clash = set(pages) & (set(MATRIX) | set(found))
        assert not clash, f"{name} repeats {sorted(clash)}"
        found.update(pages)
    return found


MATRIX.update(_app_matrices())


def _walk(resolver: URLResolver, prefix: str = "") -> tuple[set[str], list[str]]:
    """Names of every page URL, and the patterns that have no name (which the matrix cannot list)."""
    names, unnamed = set(), []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            # The API has its own matrix, walked over the OpenAPI schema (tests/api/test_api_matrix.py).
            if entry.namespace and entry.namespace.startswith("api"):
                continue
            ns = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            more, nameless = _walk(entry, ns)
            names |= more
            unnamed += [f"{entry.pattern}{p}" for p in nameless]
        elif isinstance(entry, URLPattern):
            if entry.name:
                names.add(prefix + entry.name)
            else:
                unnamed.append(str(entry.pattern))
    return names, unnamed


def test_every_url_is_in_the_matrix():
    names, unnamed = _walk(get_resolver())
    assert not unnamed, f"URL patterns without a name (the scope matrix cannot list them): {unnamed}"
    missing = names - set(MATRIX)
    assert not missing, f"URLs missing from the scope matrix: {sorted(missing)}"
    stale = set(MATRIX) - names
    assert not stale, f"scope matrix entries for URLs that do not exist: {sorted(stale)}"


def _officers(w: World):
    from datetime import date

    from jinqiu.people import services

    services.officer_appoint(actor=None, org=w.branch, role="secretary", started_on=date(2021, 1, 1), person=w.zhang)
    services.officer_appoint(actor=None, org=w.other_branch, role="secretary", started_on=date(2021, 1, 1),
                             person=w.wang)


OK = {200, 302}


def _login(client, world, persona):
    client.force_login(world.users[persona], backend="django.contrib.auth.backends.ModelBackend")


def _form_data(client, world, case: Case, url: str) -> dict | None:
    """What a browser sends back from the page's form (as an allowed persona sees it), with `Case.data` on top.

    None when the page has no form that posts to itself.
    """
    fields = None
    for persona in PERSONAS:
        _login(client, world, persona)
        response = client.get(url)
        if response.status_code == 200:
            html = not response.streaming and response.get("Content-Type", "").startswith("text/html")
            fields = page_form(response.content.decode(), url) if html else None
            break
    extra = case.data(world) if callable(case.data) else (case.data or {})
    if fields is None:
        return None if case.method == "get" else extra
    return {**{k: v if len(v) != 1 else v[0] for k, v in fields.items()}, **extra}


def _try(client, url: str, method: str, data) -> tuple[int, list[str]]:
    """The status of one request, in a savepoint that is rolled back, and the tables it changed."""
    with transaction.atomic():
        before = db_fingerprint() if method == "post" else None
        status = (client.post(url, data or {}) if method == "post" else client.get(url)).status_code
        changed = changed_tables(before, db_fingerprint()) if before is not None else []
        transaction.set_rollback(True)
    return status, changed


def _check(problems: list, name: str, persona: str, where: str, method: str, want: int | None, got: int,
           changed: list[str]) -> None:
    if want is None:
        if got not in OK:
            problems.append(f"{method.upper()} {name} {persona} {where}: expected 200/302, got {got}")
    else:
        if got != want:
            problems.append(f"{method.upper()} {name} {persona} {where}: expected {want}, got {got}")
        if changed:
            problems.append(f"{method.upper()} {name} {persona} {where}: refused but wrote {changed}")


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_matrix(name, world, client):
    _officers(world)
    case = MATRIX[name]
    places = [("in scope", case.inside, case.allowed_in, case.sees_in)]
    if case.inside is not None:
        assert case.sees_in is not None and case.sees_out is not None, f"{name}: say who sees its objects"
        places.append(("out of scope", case.outside, case.allowed_out, case.sees_out))
    problems: list[str] = []
    writers = case.writers or (case.allowed_in, case.allowed_out)
    for (where, kwargs, allowed, sees), may_post in zip(places, writers, strict=False):
        url = reverse(name, kwargs=kwargs(world) if kwargs else None)
        methods = [(case.method, allowed)]
        form = _form_data(client, world, case, url)
        if case.method == "get" and form is not None:
            methods.append(("post", may_post))  # the page's form, sent back by every persona
        for persona in PERSONAS:
            _login(client, world, persona)
            for method, may in methods:
                status, changed = _try(client, url, method, form)
                _check(problems, name, persona, where, method, expected(persona, may, sees), status, changed)
    assert not problems, "\n".join(problems)
