"""Scope matrix entries for care: pages (MATRIX) and API operations (OPERATIONS), one file per part."""

from __future__ import annotations

import importlib

MATRIX: dict = {}
OPERATIONS: dict = {}
for _part in ("matrix_tasks", "matrix_campaigns", "matrix_pairing", "matrix_api"):
    try:
        _module = importlib.import_module(f"tests.care.{_part}")
    except ModuleNotFoundError as exc:  # a part not written yet lists nothing (the walk then fails on its URLs)
        if exc.name != f"tests.care.{_part}":
            raise
        continue
    MATRIX.update(getattr(_module, "MATRIX", {}))
    OPERATIONS.update(getattr(_module, "OPERATIONS", {}))
