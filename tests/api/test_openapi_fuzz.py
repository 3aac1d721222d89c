"""Generated requests against every operation of the OpenAPI document (schemathesis), as an anonymous
caller and as each role: no answer may be a server error, and every answer must be one the document
describes (status code, content type, headers, body schema); requests the schema calls invalid must be
refused. Bounded and derandomized, so a run is repeatable and its cost is fixed.

It runs on SQLite: what it probes is the web boundary's answers, which do not depend on the backend.
The counts of cases, answers and failures are printed on every run (pytest -s shows them).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable

from core.migrate import upgrade
from core.users import Role
from tests.builders.core import PASSWORD, make_user

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a test dependency: pip install -e '.[test]'")
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import Failure, FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_headers_conformance,
          response_schema_conformance, negative_data_rejection]
EXAMPLES_PER_OPERATION = 2
# Signing out revokes the caller's token, which would turn the rest of a role's run into 401s; it is
# exercised by the anonymous run and by tests/api/test_sessions.py.
SIGN_OUT = "DELETE /api/v1/auth/tokens"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi-fuzz') / 'aftercare.db'}"
    upgrade(url)
    return url


def _headers_for(client, session, role: Role | None) -> dict[str, str]:
    if role is None:
        return {}
    user = make_user(session, username=f"fuzz.{role.value}", role=role)
    session.commit()
    response = client.post("/api/v1/auth/tokens", json={"username": user.username, "password": PASSWORD})
    assert response.status_code == 201, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def _failure_names(error: BaseException) -> list[str]:
    return [line[2:].strip() for line in str(error).splitlines() if line.startswith("- ")] or [type(error).__name__]


@dataclass
class Tally:
    cases: int = 0
    unsatisfiable: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: Counter = field(default_factory=Counter)
    examples: dict = field(default_factory=dict)


def _probe(operation, mode: GenerationMode, headers: dict[str, str], tally: Tally) -> None:
    @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[Phase.explicit, Phase.generate])
    @given(operation.as_strategy(generation_mode=mode))
    def probe(case):
        tally.cases += 1
        case.headers = {**(case.headers or {}), **headers}
        response = case.call()
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS)
        except (Failure, FailureGroup) as error:
            for name in _failure_names(error):
                key = (operation.label, mode.value, response.status_code, name)
                tally.failures[key] += 1
                tally.examples.setdefault(key, case.as_curl_command())

    try:
        probe()
    except Unsatisfiable:
        tally.unsatisfiable += 1  # no request of this mode can be built (a path parameter with no invalid form)


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r.value if r else "anonymous")
def test_generated_requests_get_no_server_error_and_only_documented_answers(app, client, session, role):
    headers = _headers_for(client, session, role)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    tally = Tally()
    for operation in operations:
        if role is None or operation.label != SIGN_OUT:
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                _probe(operation, mode, headers, tally)
    who = role.value if role else "anonymous"
    print(f"\n[openapi fuzz] {who}: {len(operations)} operations, {tally.cases} cases, "
          f"answers {dict(sorted(tally.statuses.items()))}, {sum(tally.failures.values())} failures in "
          f"{len(tally.failures)} kinds, {tally.unsatisfiable} unsatisfiable")
    assert tally.statuses[500] == 0
    assert not tally.failures, "\n".join(f"{count} × {key}\n    {tally.examples[key]}"
                                         for key, count in tally.failures.most_common(20))
