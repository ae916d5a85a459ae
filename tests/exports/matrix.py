"""Scope matrix entries for the Excel exports."""

from __future__ import annotations

from tests.matrix import BUREAU_READ, EDITORS, STAFF, Case, on_org

MATRIX: dict[str, Case] = {
    "people:export": Case(STAFF),
    "people:export_full": Case(EDITORS),
    "people:pending_export": Case(STAFF),
    "people:export_template": Case(STAFF),
    "organizations:roster_export": on_org({"bureau", "street", "secretary", "leader"}, BUREAU_READ),
    "organizations:roster_export_full": on_org(EDITORS),
    "organizations:units_export": Case(STAFF),
}
