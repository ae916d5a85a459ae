"""A 403 writes one log line, not a traceback."""

from __future__ import annotations

import logging

import pytest
from django.conf import settings as django_settings

from jinqiu.core.errors import OneLineForbidden


@pytest.fixture
def request_logger():
    """The filter settings.LOGGING puts on `django.request` (added here until settings.py lists it)."""
    logger = logging.getLogger("django.request")
    configured = "django.request" in django_settings.LOGGING.get("loggers", {})
    added = None if configured else OneLineForbidden()
    if added:
        logger.addFilter(added)
    yield logger
    if added:
        logger.removeFilter(added)


def test_a_403_page_logs_one_line_without_traceback(world, client_for, request_logger, caplog):
    client = client_for("secretary")
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/orgs/{world.branch.pk}/edit/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name == "django.request"]
    assert len(records) == 1
    assert records[0].exc_info is None and not records[0].exc_text
    assert records[0].getMessage() == f"Forbidden (Permission denied): /orgs/{world.branch.pk}/edit/"
    assert "Traceback" not in caplog.text


def test_other_errors_keep_their_traceback():
    record = logging.LogRecord("django.request", logging.ERROR, __file__, 1, "boom", (), None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    assert OneLineForbidden().filter(record) and record.exc_info is not None
