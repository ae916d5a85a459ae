"""schemathesis over the whole API, in-process through the WSGI application, as the bureau and as a member.

Every operation of the OpenAPI schema gets a bounded number of generated requests (deterministic:
hypothesis derandomized, no deadline, no example database), with two checks: no answer is a server
error, and every status an operation answers is declared for it in the schema. Calling the WSGI app
in this thread shares the test's database transaction, so no live server is needed; the caller
authenticates with a bearer token, as an integration would.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance

from jinqiu.accounts import services as account_services

EXAMPLES = 6  # per operation and persona: 41 operations × 2 personas × 6 stays well under two minutes
CHECKS = [not_a_server_error, status_code_conformance]


def _failures(operation, headers) -> list[str]:
    found: list[str] = []

    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(case=operation.as_strategy())
    def run(case):
        try:
            case.call_and_validate(headers=headers, checks=CHECKS)
        except (AssertionError, BaseExceptionGroup) as exc:  # a Failure, or a FailureGroup of several
            for failure in getattr(exc, "exceptions", [exc]):
                status = getattr(failure, "status_code", "")
                found.append(f"{case.method} {case.operation.path}: {getattr(failure, 'title', failure)} {status}")

    run()
    return found


@pytest.fixture
def wsgi_app():
    """The project's WSGI application, answering in this thread and in the test's transaction.

    A WSGI request ends with `request_finished`, which closes the database connection (and with it the
    test's transaction on PostgreSQL); Django's test client detaches that receiver for its requests,
    and so does this fixture.
    """
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize("persona", ["bureau", "member"])
def test_no_server_error_and_every_status_declared(persona, world, wsgi_app):
    _, key = account_services.token_create(actor=None, user=world.users[persona], name="schemathesis")
    headers = {"Authorization": f"Bearer {key}"}
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", wsgi_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 41
    problems: list[str] = []
    for operation in operations:
        problems += _failures(operation, headers)
    print(f"schemathesis as {persona}: {len(operations)} operations, {EXAMPLES} examples each, "
          f"{len(problems)} failures")
    assert not problems, "\n".join(dict.fromkeys(problems))
