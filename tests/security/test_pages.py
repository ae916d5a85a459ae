"""Every page and every API read, by every persona, with persons planted out of their scope: no trace of them.

The walk takes its pages from the scope matrix (every named URL is in it, `test_every_url_is_in_the_matrix`
sees to that) and its API reads from the OpenAPI schema, so a page or an operation added tomorrow is swept
without touching this file.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from django.urls import reverse

from tests.security.planted import body_text, leaks, plant

pytestmark = pytest.mark.django_db

# Path parameters of the API and the world's object to put in them (in scope of most staff personas).
API_PARAMS = {
    "person_id": lambda s: [s.world.zhang.pk, s.world.li.pk],
    "org_id": lambda s: [s.world.branch.pk, s.world.neighbor_branch.pk, s.world.street_org.pk],
    "unit_id": lambda s: [s.world.unit.pk],
    "region_id": lambda s: [s.world.community.pk, s.world.other_community.pk],
    "meeting_id": lambda s: [s.joint.pk, s.joint_theirs.pk],
    "rule_id": lambda s: [_first_rule()],
    "task_id": lambda s: s.care["tasks"],
    "visit_id": lambda s: s.care["visits"],
    "campaign_id": lambda s: s.care["campaigns"],
    "request_id": lambda s: s.care["requests"],
}


def _first_rule() -> int:
    from jinqiu.orglife.models import FrequencyRule

    return FrequencyRule.objects.first().pk


HTMX = {"HTTP_HX_REQUEST": "true"}


def _matrix_urls(world) -> list[tuple[str, set[str] | None]]:
    """(url, personas to try it with; None: all). An out-of-scope object is tried only by the personas allowed
    to open it: for the others the scope matrix already proves it answers 404."""
    from tests import test_scope_matrix
    from tests.test_scope_matrix import MATRIX

    test_scope_matrix._officers(world)  # the officer pages need terms to point at
    urls: list[tuple[str, set[str] | None]] = []
    for name, case in sorted(MATRIX.items()):
        if getattr(case, "method", "get") != "get":
            continue
        if case.inside is None:
            urls.append((reverse(name), None))
            continue
        try:
            inside, outside = case.inside(world), case.outside(world)
        except Exception as exc:  # noqa: BLE001 - the scope matrix test reports its own broken builders
            print(f"[sweep] {name} skipped: its scope matrix entry cannot build its objects ({exc!r:.120})")
            continue
        urls += [(reverse(name, kwargs=inside), None),
                 (reverse(name, kwargs=outside), set(case.allowed_out or ()))]
    assert len(urls) > 40, f"the scope matrix gave only {len(urls)} pages"
    return urls


def _extra_urls(s) -> list[str]:
    """The pages where the planted persons would show first: their meetings, their organisations, a search."""
    w, year = s.world, f"?year={s.held_on.year}"
    urls = [reverse("orglife:meeting", args=[m.pk]) for m in (s.joint, s.joint_theirs)]
    for org in (w.root, w.street_org, w.branch, w.neighbor_branch, w.other_branch, w.other_street_org):
        urls += [reverse("orglife:calendar", args=[org.pk]) + year, reverse("organizations:detail", args=[org.pk]),
                 reverse("orglife:overview") + f"?org={org.pk}"]
    for region in (w.community, w.community2, w.other_community, w.street, w.other_street):
        urls.append(reverse("regions:detail", args=[region.pk]))
    for p in (w.zhang, w.li, w.wang, w.zhao):
        urls += [reverse("people:detail", args=[p.pk]), reverse("orglife:person", args=[p.pk])]
    for q in ("甲乙", "丙丁", "戊己", "庚辛", "jiayi", s.far.id_number, s.far.id_number[-6:], s.far.person.mobile):
        urls.append(reverse("people:list") + f"?q={q}")
    urls += [reverse("people:list") + "?status=all", reverse("people:list") + "?pending=on&party=yes"]
    return urls


def _api_urls(client, s) -> tuple[list[str], list[str]]:
    schema = client.get("/api/openapi.json").json()
    urls, unfilled = [], []
    for path, ops in schema["paths"].items():
        if "get" not in ops or path.endswith("openapi.json"):
            continue
        params = re.findall(r"{(\w+)}", path)
        if any(p not in API_PARAMS for p in params):
            unfilled.append(path)
            continue
        variants = [path]
        for p in params:
            variants = [v.replace("{" + p + "}", str(value)) for v in variants for value in API_PARAMS[p](s)]
        urls += variants
    urls += ["/api/persons?status=all&limit=1000", f"/api/persons?q={s.far.id_number}",
             *[f"/api/persons?q={q}" for q in ("甲乙", "丙丁", "戊己", "庚辛")]]
    return urls, unfilled


def test_no_page_shows_a_person_out_of_scope(world, client, settings, tmp_path, capsys):
    settings.MEDIA_ROOT = tmp_path / "media"
    s = plant(world)
    extra = _extra_urls(s)
    # The person list also as an HTMX partial (filters and searches answer with a fragment).
    searches = [url for url in extra if url.startswith(reverse("people:list"))]
    requests = [(url, who, {}) for url, who in _matrix_urls(world)] + [(url, None, {}) for url in extra]
    requests += [(url, None, HTMX) for url in searches]
    failures, walked = [], 0
    for persona, user in world.users.items():
        hidden = s.hidden_from(user)
        needles = [n for p in hidden for n in p.needles()] + s.hidden_world_ids(user)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for url, who, headers in requests:
            if who is not None and persona not in who:
                continue
            response = client.get(url, **headers)
            walked += 1
            assert response.status_code < 500, (persona, url, response.status_code)
            found = leaks(body_text(response), [n for n in needles if n not in unquote(url)])  # typed, not shown
            if found:
                failures.append(f"{persona} GET {url} ({response.status_code}): {found[:4]}")
    with capsys.disabled():
        print(f"\n[sweep] {walked} page requests by {len(world.users)} personas, {len(failures)} leaks")
    assert not failures, "Pages show persons out of scope:\n" + "\n".join(failures)


def test_no_api_read_shows_a_person_out_of_scope(world, client, capsys):
    s = plant(world)
    client.force_login(world.users["bureau"], backend="django.contrib.auth.backends.ModelBackend")
    urls, unfilled = _api_urls(client, s)
    assert not unfilled, f"API reads whose path parameters the sweep cannot fill (add them to API_PARAMS): {unfilled}"
    failures = []
    for persona, user in world.users.items():
        hidden = s.hidden_from(user)
        needles = [n for p in hidden for n in p.needles()] + s.hidden_world_ids(user)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for url in urls:
            response = client.get(url)
            assert response.status_code < 500, (persona, url, response.status_code)
            found = leaks(body_text(response), [n for n in needles if n not in unquote(url)])  # typed, not shown
            if found:
                failures.append(f"{persona} GET {url} ({response.status_code}): {found[:4]}")
    with capsys.disabled():
        print(f"\n[sweep] {len(urls)} API reads by {len(world.users)} personas, {len(failures)} leaks")
    assert not failures, "API reads show persons out of scope:\n" + "\n".join(failures)
