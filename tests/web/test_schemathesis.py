"""Property-based API testing: schemathesis generates requests from the app's own OpenAPI schema.

Valid (schema-conforming) and invalid inputs alike must never give a server error, and every
answer must match the documented status codes, content types and response schemas. Bounded: a few
dozen examples per operation and mode, so the run takes well under a minute.

schemathesis' own pytest decorator (``schemathesis.pytest.from_fixture``) does not work with
pytest 9 (schemathesis 4.32), so the operations are driven through hypothesis directly.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.shared

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
EXAMPLES = {GenerationMode.POSITIVE: 40, GenerationMode.NEGATIVE: 25}


@pytest.fixture(scope="module")
def operations(app):
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = [result.ok() for result in schema.get_all_operations()]
    assert len(ops) >= 9
    return {f"{op.method.upper()} {op.path}": op for op in ops}


WITH_INPUT = [
    "POST /api/route",
    "POST /api/trip",
    "POST /api/quote",
    "POST /api/hardheid",
    "GET /api/betaaldatum",
    "POST /api/suggest",
]
WITHOUT_INPUT = ["GET /api/info", "GET /api/health", "GET /api/network"]
CASES = [(op, GenerationMode.POSITIVE) for op in WITH_INPUT + WITHOUT_INPUT] + [
    (op, GenerationMode.NEGATIVE) for op in WITH_INPUT
]


@pytest.mark.parametrize(("operation", "mode"), CASES, ids=[f"{o}-{m.value}" for o, m in CASES])
def test_no_server_error(operations, operation, mode):
    op = operations[operation]

    @given(case=op.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        case.call_and_validate(checks=CHECKS)

    run()


def test_every_operation_is_covered(operations):
    assert sorted(operations) == sorted(WITH_INPUT + WITHOUT_INPUT)
    assert all(operations[op].body or operations[op].query for op in WITH_INPUT)


def test_the_fuzzing_would_catch_a_server_error(hengelo_router):
    """The same run against an app whose suggestion source crashes must fail."""
    from ziekenvervoer.web import create_app

    class Broken:
        def suggest(self, prefix, limit=10):
            raise RuntimeError("boom")

    schema = schemathesis.openapi.from_asgi(
        "/openapi.json", create_app(hengelo_router, suggester=Broken())
    )
    op = next(r.ok() for r in schema.get_all_operations() if r.ok().path == "/api/suggest")

    @given(case=op.as_strategy())
    @settings(max_examples=5, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(checks=CHECKS)

    from schemathesis.core.failures import FailureGroup, ServerError

    with pytest.raises(FailureGroup) as info:  # a BaseExceptionGroup of the failures found
        run()
    assert any(isinstance(e, ServerError) for e in info.value.exceptions)
