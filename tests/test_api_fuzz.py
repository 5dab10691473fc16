"""The API fuzzed from its own OpenAPI document (schemathesis): for every operation, generated requests (valid
and invalid) sent with a bearer token of a 区安委办管理员 (alice) and of an enterprise user (emma) must never
answer 500, and every answer must be one the document declares: a documented status code, the documented
content type, a body that matches its schema.

Each generated request runs in a savepoint rolled back afterwards, so every example meets the same cast and
the run does not depend on the order of examples; generation is derandomized, so a run is reproducible."""

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from zhiben.accounts.services import api_token_create
from zhiben.testing import build_cast

# Django's own WSGI handler, as a server runs it (not zhiben.wsgi, which would switch the settings to production).
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
USERS = ["alice", "emma"]


class Cast:
    pass


@pytest.fixture(scope="module")
def tokens(django_db_setup, django_db_blocker):
    """The cast, built once for the module in a transaction rolled back at its end, and a bearer token of
    each user the API is fuzzed as."""
    with django_db_blocker.unblock(), transaction.atomic():
        cast = Cast()
        build_cast(cast)
        yield {name: api_token_create(actor=getattr(cast, name), name="模糊测试")[1] for name in USERS}
        transaction.set_rollback(True)


@pytest.fixture(params=USERS)
def token(request, tokens, db):
    """The token of the user the test runs as. The WSGI handler keeps the test's connection, as Django's
    test client does: a request must not close a connection inside the test's transaction."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield tokens[request.param]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.function_scoped_fixture],
)
def test_api_answers_as_documented(case, token):
    # A generated header may be named Host (negative cases add headers the document does not name): Django
    # answers a host outside ALLOWED_HOSTS with 400 before the API sees the request, a deployment setting
    # the API document rightly does not describe.
    if case.headers:
        case.headers = {name: value for name, value in case.headers.items() if name.lower() != "host"}
    with transaction.atomic():
        response = case.call(headers={"Authorization": f"Bearer {token}"})
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS)
