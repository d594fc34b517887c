"""Property-based requests to every operation of the OpenAPI document (schemathesis): whatever the
generated parameters and bodies, the API never answers 5xx, and the status codes it gives are the ones it
documents. A fixed seed and a few examples per operation keep it deterministic and short; it runs in the
PostgreSQL pass of ``make test``, where a NUL character or an overflowing integer would reach the database.

The operations are walked explicitly rather than through schemathesis' pytest plugin, which does not
support the pytest in use."""

import hypothesis
import pytest
import schemathesis
from schemathesis.checks import allow_header_conformance, not_a_server_error, status_code_conformance

from clusterhub.accounts.services.api_tokens import create_api_token
from clusterhub.extensions import db

EXAMPLES_PER_OPERATION = 8
SEED = 20261204


@pytest.fixture
def api_headers(pg_only, make_tenant, make_user):
    make_tenant("komi")
    user = make_user("center_admin", locale="en")
    _row, secret = create_api_token(user, "fuzz")
    db.session.commit()
    return {"Authorization": f"Bearer {secret}"}


def test_no_api_operation_answers_a_server_error(app, api_headers):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 25  # a guard: an empty walk would prove nothing
    failures, calls = [], []
    for operation in operations:

        @hypothesis.seed(SEED)
        @hypothesis.settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(hypothesis.HealthCheck),
            phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
        )
        @hypothesis.given(case=operation.as_strategy())
        def call(case):
            calls.append(case.operation.label)
            case.call_and_validate(
                headers=api_headers,
                checks=[not_a_server_error, status_code_conformance, allow_header_conformance],
            )

        try:
            call()
        except Exception as error:  # collect every operation's failure, not only the first
            failures.append(f"{operation.label}: {str(error)[:600]}")
        finally:
            db.session.rollback()
    assert failures == [], "\n\n".join(failures)
    assert set(calls) == {operation.label for operation in operations}
