"""The API scope matrix: every operation of the OpenAPI schema, every persona, an object in and out of scope.

The expectations are those of the page matrix (tests/matrix.py): allowed → 2xx; a persona that sees the
object but whose role lacks the action → 403; a persona that does not see it → 404 and only 404; no object
in the path → 403 for a role without the action; a refused write changes nothing. An operation of the
schema that no `OPERATIONS` entry lists fails `test_every_operation_is_in_the_matrix`.

Some personas call with a bearer token (the integrations' path), the others with the browser session.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import transaction

from jinqiu.accounts import services as account_services
from tests.matrix import PERSONAS, Op, app_matrix_modules, changed_tables, db_fingerprint, expected

BACKEND = "django.contrib.auth.backends.ModelBackend"
BEARER = {"street", "member", "leader", "auditor"}  # these personas call with a token; the rest with a session
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def _operations() -> dict[str, Op]:
    """OPERATIONS from every tests/<app>/matrix.py (tests/api/matrix.py holds the foundation's)."""
    found: dict[str, Op] = {}
    for name, extra in app_matrix_modules():
        ops = getattr(extra, "OPERATIONS", {})
        clash = set(ops) & set(found)
        assert not clash, f"{name} repeats {sorted(clash)}"
        found.update(ops)
    return found


OPERATIONS = _operations()


def _schema_operations() -> set[str]:
    from jinqiu.api import api

    paths = api.get_openapi_schema()["paths"]
    return {f"{method.upper()} {path}" for path, ops in paths.items() for method in ops}


def test_every_operation_is_in_the_matrix():
    schema = _schema_operations()
    walked = schema & set(OPERATIONS)
    print(f"API scope matrix: {len(walked)} of {len(schema)} operations of the OpenAPI schema walked")
    missing = schema - set(OPERATIONS)
    assert not missing, f"API operations missing from the scope matrix: {sorted(missing)}"
    stale = set(OPERATIONS) - schema
    assert not stale, f"scope matrix entries for operations not in the schema: {sorted(stale)}"


def _value(spec, world, side):
    return spec(world, side) if callable(spec) else dict(spec or {})


def _call(client, method: str, url: str, body, headers) -> tuple[int, list[str]]:
    """One request in a savepoint that is rolled back; the tables a write changed."""
    with transaction.atomic():
        before = db_fingerprint() if method in WRITES else None
        kwargs = {"content_type": "application/json", "data": json.dumps(body)} if method in WRITES else {}
        status = getattr(client, method.lower())(url, **kwargs, **headers).status_code
        changed = changed_tables(before, db_fingerprint()) if before is not None else []
        transaction.set_rollback(True)
    return status, changed


@pytest.fixture
def as_persona(world, client):
    """persona -> (client, headers): a bearer token for BEARER, the session for the others."""
    tokens = {}

    def login(persona: str):
        user = world.users[persona]
        client.logout()
        if persona in BEARER:
            if persona not in tokens:
                tokens[persona] = account_services.token_create(actor=None, user=user, name="矩阵")[1]
            return client, {"HTTP_AUTHORIZATION": f"Bearer {tokens[persona]}"}
        client.force_login(user, backend=BACKEND)
        return client, {}

    return login


@pytest.mark.parametrize("key", sorted(OPERATIONS))
def test_api_matrix(key, world, as_persona):
    op = OPERATIONS[key]
    method, template = key.split(" ", 1)
    places = []  # (where, path params, allowed, who sees the object, side)
    if op.inside is not None:
        assert op.sees_in is not None and op.sees_out is not None, f"{key}: say who sees its objects"
        places += [("in scope", op.inside(world), op.allowed_in, op.sees_in, "in"),
                   ("out of scope", op.outside(world), op.allowed_out, op.sees_out, "out")]
    elif op.refs is None:
        places.append(("no object", {}, op.allowed_in, None, "in"))
    else:
        places += [("names an object in scope", {}, op.allowed_in, op.refs[0], "in"),
                   ("names an object out of scope", {}, op.allowed_in, op.refs[1], "out")]
    problems: list[str] = []
    for where, params, allowed, sees, side in places:
        url = template.format(**params)
        query = _value(op.query, world, side)
        if query:
            url += "?" + urlencode(query, doseq=True)
        body = _value(op.body, world, side)
        for persona in PERSONAS:
            client, headers = as_persona(persona)
            status, changed = _call(client, method, url, body, headers)
            label = f"{key} {persona} {where}"
            named = op.inside is None and sees is not None  # the object is in the body or the query
            if named and persona not in sees:
                # Like an id that does not exist; a role without the action may be refused before that.
                want = "404 or 422" if persona in allowed else "403, 404 or 422"
                ok = status in (404, 422) or (status == 403 and persona not in allowed)
            elif persona in allowed:
                want, ok = "2xx", 200 <= status < 300
            else:
                want = expected(persona, allowed, None if named else sees)
                ok = status == want
            if not ok:
                problems.append(f"{label}: expected {want}, got {status}")
            if changed and not (persona in allowed and ok):
                problems.append(f"{label}: refused but wrote {changed}")
    assert not problems, "\n".join(problems)


def test_the_fingerprint_sees_every_kind_of_write(world):
    """The "refused writes change nothing" check would see a write: an update, an insert, a delete."""
    from jinqiu.accounts.models import Pairing
    from jinqiu.people import services as people_services

    before = db_fingerprint()
    people_services.person_update(actor=None, person=world.li, fields={"skills": "书法"})
    assert "people.Person" in changed_tables(before, db_fingerprint())
    before = db_fingerprint()
    account_services.pairing_create(actor=None, contact=world.users["pair"], person=world.li)
    assert "accounts.Pairing" in changed_tables(before, db_fingerprint())
    before = db_fingerprint()
    Pairing.objects.filter(person=world.li).delete()
    assert "accounts.Pairing" in changed_tables(before, db_fingerprint())
