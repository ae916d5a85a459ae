"""Scope matrix entries for 结对联系 and 联系卡 (care/views/pairing.py, care/views/cards.py)."""

from __future__ import annotations

from tests.matrix import PERSONAS, Case, on_person

CARE = {"bureau", "street", "pair"}


def contact_rule(w):
    from jinqiu.care.models import ContactKind
    from jinqiu.care.services import ensure_contact_rules

    return {"pk": ensure_contact_rules()[ContactKind.CALL].pk}


MATRIX: dict[str, Case] = {
    "care:pairing": Case(CARE),
    "care:pairing_export": Case(CARE),
    # The rules are the bureau's to edit and nobody's data: everyone else is refused (403), never 404.
    "care:contact_rule": Case({"bureau"}, {"bureau"}, contact_rule, contact_rule,
                              data={"every_days": 20, "is_active": "on"}, sees_in=set(PERSONAS),
                              sees_out=set(PERSONAS)),
}

MATRIX.update({
    # 联系卡: one person's card for who records visits; a community's cards for the bureau and the street.
    "care:card": on_person({"bureau", "street", "secretary", "pair"}, {"bureau"}),
    "care:cards": Case({"bureau", "street"}),
})
