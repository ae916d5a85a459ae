"""Shared pieces of the scope matrix (see tests/test_scope_matrix.py).

An app adds its URLs in `tests/<app>/matrix.py` as `MATRIX: dict[str, Case]`; the matrix test merges
every such module, and fails when a URL is in none.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.factories import World

STAFF = {"bureau", "street", "secretary", "pair", "neighbor"}
EDITORS = {"bureau", "street"}
PERSONAS = ["bureau", "street", "secretary", "pair", "member", "neighbor", "sysadmin", "secadmin", "auditor"]


@dataclass
class Case:
    allowed_in: set[str]  # personas answered 200 (or a redirect for POST) on the in-scope object
    allowed_out: set[str] | None = None  # same on the out-of-scope object; None: no object in the URL
    inside: object = None  # world -> kwargs for the in-scope object
    outside: object = None  # world -> kwargs for the out-of-scope object
    method: str = "get"
    data: object = None


def person(w: World, p):
    return {"pk": p.pk}


def membership_kwargs(w: World, p):
    m = p.memberships.first()
    return {"pk": p.pk, "membership_pk": m.pk}


def active_pairing(w: World, p):
    from jinqiu.accounts import services
    from jinqiu.accounts.models import Pairing

    pairing = Pairing.objects.filter(person=p, ended_on__isnull=True).first()
    if pairing is None:
        pairing = services.pairing_create(actor=None, contact=w.users["pair"], person=p)
    return {"person_pk": p.pk, "pairing_pk": pairing.pk}
