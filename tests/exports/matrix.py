"""Scope matrix entries for the Excel exports."""

from __future__ import annotations

from tests.matrix import EDITORS, STAFF, Case

MATRIX: dict[str, Case] = {
    "people:export": Case(STAFF),
    "people:export_full": Case(EDITORS),
    "people:pending_export": Case(STAFF),
    "people:export_template": Case(STAFF),
    "organizations:roster_export": Case({"bureau", "street", "secretary"}, {"bureau"},
                                        lambda w: {"pk": w.branch.pk}, lambda w: {"pk": w.other_branch.pk}),
    "organizations:roster_export_full": Case(EDITORS, {"bureau"}, lambda w: {"pk": w.branch.pk},
                                             lambda w: {"pk": w.other_branch.pk}),
    "organizations:units_export": Case(STAFF),
}
