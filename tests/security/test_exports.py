"""Every export, by every persona, with persons planted out of scope: no trace of them in the file, and a
line in the access log.

The exports are found by walking the URL resolver (a pattern named "*export*" or serving .xlsx/.docx/.csv):
an export added tomorrow fails `test_every_export_is_swept` until it is listed in EXPORTS below.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from jinqiu.accounts.models import AccessAction, AccessLog
from tests.security.planted import body_text, leaks, plant

pytestmark = pytest.mark.django_db


def _orgs(s):
    w = s.world
    return [w.root, w.street_org, w.branch, w.neighbor_branch, w.other_branch]


REASON = {"reason": "年度核对花名册", "query": "status=all"}
# url name -> (sweep -> list of (kwargs, query[, POST data])); each persona tries all of them, the scope decides.
# The full exports ask for a reason first (GET) and send the file on the POST.
EXPORTS = {
    "people:export": lambda s: [({}, ""), ({}, "?status=all"), ({}, "?q=甲乙")],
    "people:export_full": lambda s: [({}, "", REASON), ({}, "", {**REASON, "query": ""})],
    "people:pending_export": lambda s: [({}, "")],
    "organizations:roster_export": lambda s: [({"pk": o.pk}, "") for o in _orgs(s)],
    "organizations:roster_export_full": lambda s: [({"pk": o.pk}, "", REASON) for o in _orgs(s)],
    "organizations:units_export": lambda s: [({}, "")],
    "orglife:overview_export": lambda s: [({}, ""), *[({}, f"?org={o.pk}") for o in _orgs(s)]],
    "orglife:book_docx": lambda s: [({"pk": o.pk}, f"?year={s.held_on.year}") for o in _orgs(s)],
    "orglife:book_xlsx": lambda s: [({"pk": o.pk}, f"?year={s.held_on.year}") for o in _orgs(s)],
    "care:task_export": lambda s: [({}, ""), ({}, "?state=done"), ({}, "?q=甲乙")],
    "care:visit_export": lambda s: [({}, "")],
    "care:request_export": lambda s: [({}, ""), ({}, "?state=all")],
    "care:campaign_export": lambda s: [({"pk": pk}, "") for pk in s.care["campaigns"]],
    "care:pairing_export": lambda s: [({}, "?state=all")],
    "care:unpaired_export": lambda s: [({}, "")],
}
# Files that hold no person: nothing to log.
NO_PERSONS = {"people:export_template"}
# The uploader's own rejected rows (swept with the imports in test_imports.py).
ELSEWHERE = {"rosters:errors"}


def _export_names(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    names = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace and entry.namespace.startswith("api"):
                continue
            names |= _export_names(entry, f"{prefix}{entry.namespace}:" if entry.namespace else prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            route = str(entry.pattern)
            if "export" in entry.name or "export" in route or route.endswith((".xlsx", ".docx", ".csv", ".xls")):
                names.add(prefix + entry.name)
    return names


def test_every_export_is_swept():
    missing = _export_names() - set(EXPORTS) - NO_PERSONS - ELSEWHERE
    assert not missing, f"Exports the security sweep does not try (add them to EXPORTS): {sorted(missing)}"


def test_no_export_holds_a_person_out_of_scope_and_every_export_is_logged(world, client, capsys):
    s = plant(world)
    failures, unlogged, files = [], [], 0
    for persona, user in world.users.items():
        needles = [n for p in s.hidden_from(user) for n in p.needles()] + s.hidden_world_ids(user)
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        for name, variants in EXPORTS.items():
            for kwargs, query, *post in variants(s):
                url = reverse(name, kwargs=kwargs) + query
                before = AccessLog.objects.filter(user=user, action=AccessAction.EXPORT).count()
                response = client.post(url, post[0]) if post else client.get(url)
                assert response.status_code < 500, (persona, url, response.status_code)
                if response.status_code != 200 or "text/html" in response.get("Content-Type", ""):
                    continue
                files += 1
                found = leaks(body_text(response), needles)
                if found:
                    failures.append(f"{persona} {url}: {found[:4]}")
                if AccessLog.objects.filter(user=user, action=AccessAction.EXPORT).count() <= before:
                    unlogged.append(f"{persona} {url}")
    with capsys.disabled():
        print(f"\n[sweep] {files} export files opened, {len(failures)} with leaks, {len(unlogged)} not logged")
    assert files, "no export answered"
    assert not failures, "Exports hold persons out of scope:\n" + "\n".join(failures)
    assert not unlogged, "Exports missing from the access log:\n" + "\n".join(sorted(set(unlogged)))


def test_the_book_still_lists_the_joint_meetings(world, client):
    """The sweep above cannot pass by exporting nothing: the branch's book lists both joint meetings."""
    s = plant(world)
    client.force_login(world.users["secretary"], backend="django.contrib.auth.backends.ModelBackend")
    for name in ("orglife:book_xlsx", "orglife:book_docx"):
        response = client.get(reverse(name, args=[world.branch.pk]) + f"?year={s.held_on.year}")
        assert response.status_code == 200
        text = body_text(response)
        assert "联合活动室" in text and "河东活动室" in text, name


def test_the_sweep_would_see_a_leak(world, client):
    """A control: the same reading finds 邻居甲乙 in the bureau's export, where the bureau may see them."""
    s = plant(world)
    client.force_login(world.users["bureau"], backend="django.contrib.auth.backends.ModelBackend")
    text = body_text(client.get(reverse("people:export") + "?status=all"))
    assert leaks(text, s.far.needles()) and s.far.person.name in text
