"""The whole API fuzzed from its own OpenAPI document (schemathesis, in-process through
WSGI): whatever a client sends — odd numbers, unknown ids, broken bodies, strange text —
the answer is never a server error. Each run generates the same cases (derandomized), so a
failure here is reproducible, not flaky."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from kefu.api.tests.conftest import Api
from tests.factories import Org, make_case

EXAMPLES = 6  # per operation: ~90 operations on 2 cores


def _schema() -> Any:
    from kefu.wsgi import application

    loaded = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)
    # The boundary values too (the largest numbers, empty and odd bodies), not only random ones.
    loaded.config.phases.coverage.enabled = True
    return loaded


# Revoking the token in use would end the run.
schema = _schema().exclude(path_regex="^/api/v1/auth/")


@pytest.fixture
def supervisor_headers(org: Org, wsgi_app: Any) -> dict[str, str]:
    make_case(org)  # something for the generated ids to find
    return Api(org.supervisor).headers


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_request_makes_the_api_fail(case: Any, supervisor_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=supervisor_headers, checks=[not_a_server_error])
