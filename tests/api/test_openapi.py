"""The OpenAPI document tells a client the truth about tokens: every operation that needs one declares
the bearer scheme and its 401 and 403 answers, and really answers 401 without a token."""
from __future__ import annotations

import re

PUBLIC = {("post", "/api/v1/auth/tokens"), ("get", "/api/v1/assets/by-qr/{qr_token}"), ("post", "/api/v1/reports"),
          ("post", "/api/v1/reports/with-photos"),
          ("get", "/api/v1/tracking/{token}"), ("get", "/api/v1/surveys/{token}"),
          ("post", "/api/v1/surveys/{token}"), ("get", "/api/v1/track/{token}/quote"),
          ("post", "/api/v1/track/{token}/quote/{decision}")}
# The customer's appointment window, by the tracking link's token.
PUBLIC |= {("get", "/api/v1/track/{token}/windows"), ("post", "/api/v1/track/{token}/window"),
           ("post", "/api/v1/track/{token}/cancel")}
METHODS = ("get", "post", "put", "patch", "delete")


def _operations(client):
    spec = client.get("/api/v1/openapi.json").json
    return [(method, path, operation) for path, methods in spec["paths"].items()
            for method, operation in methods.items() if method in METHODS]


def test_every_operation_but_the_public_ones_declares_the_bearer_token_and_its_refusals(client):
    operations = _operations(client)
    assert {(m, p) for m, p, _ in operations} >= PUBLIC
    for method, path, operation in operations:
        if (method, path) in PUBLIC:
            assert "security" not in operation, (method, path)
            continue
        assert operation.get("security") == [{"bearer": []}], (method, path)
        assert {"401", "403"} <= set(operation["responses"]), (method, path)


def test_every_operation_that_declares_a_token_answers_401_without_one(client, world):
    checked = 0
    for method, path, operation in _operations(client):
        if "security" not in operation:
            continue
        url = re.sub(r"\{[^}]+\}", "1", path)
        response = getattr(client, method)(url, json={} if method != "get" else None)
        assert response.status_code == 401, (method, path, response.status_code)
        assert response.json["code"] == 401
        checked += 1
    assert checked > 40
