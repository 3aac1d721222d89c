"""Security headers on every kind of response, and pages whose own scripts pass their policy."""
from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import replace
from pathlib import Path

import pytest

from api.app import create_app
from api.security_headers import API_POLICY, PAGE_POLICY
from core.users import Role
from tests.api.test_pages import sign_in
from tests.builders.core import make_user

API_ROOT = Path(__file__).resolve().parents[2] / "api"
ALWAYS = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin"}


@pytest.fixture
def failing_app(settings, engine, clock):
    from api.app import create_app

    app = create_app(settings, clock=clock, testing=True)  # its own: a route is added to it

    @app.get("/boom")
    def _boom():
        raise RuntimeError("an unexpected failure")

    return app


def _assert_hardened(response, policy: str) -> None:
    for name, value in ALWAYS.items():
        assert response.headers.get(name) == value, (name, response.headers)
    assert response.headers["Content-Security-Policy"] == policy
    assert "frame-ancestors 'none'" in policy
    assert "Strict-Transport-Security" not in response.headers  # plain http://aftercare.test


@pytest.mark.parametrize("path, status, mimetype, policy", [
    ("/login", 200, "text/html", PAGE_POLICY),                            # a page
    ("/r/no-such-token", 404, "text/html", PAGE_POLICY),                  # a 404 page
    ("/no/such/page", 404, "text/html", PAGE_POLICY),                     # a 404 from routing
    ("/static/app.css", 200, "text/css", PAGE_POLICY),                    # a file
    ("/api/v1/openapi.json", 200, "application/json", API_POLICY),        # an API answer
    ("/api/v1/jobs", 401, "application/json", API_POLICY),                # an API refusal
    ("/api/v1/no-such-thing", 404, "application/json", API_POLICY),       # an API 404
])
def test_every_kind_of_response_carries_the_security_headers(client, path, status, mimetype, policy):
    response = client.get(path)
    assert (response.status_code, response.mimetype) == (status, mimetype)
    _assert_hardened(response, policy)


def test_error_pages_carry_them_too(failing_app, world):
    client = failing_app.test_client()
    refused = client.post("/login", data={})  # no CSRF token: a 400 page
    assert refused.status_code == 400 and refused.mimetype == "text/html"
    _assert_hardened(refused, PAGE_POLICY)
    failed = client.get("/boom")
    assert failed.status_code == 500 and failed.mimetype == "text/html"
    _assert_hardened(failed, PAGE_POLICY)


def test_a_staff_page_cannot_be_framed(client, session):
    make_user(session, username="dispatch.zhou", role=Role.DISPATCHER)
    session.commit()
    sign_in(client, "dispatch.zhou")
    for path in ("/agent", "/staff"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.headers["X-Frame-Options"] == "DENY"
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_hsts_only_when_served_over_https(app, settings, clock):
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
    over_tls = app.test_client().get("/login", base_url="https://aftercare.test")
    assert over_tls.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    # Behind a proxy that ends TLS, the public https:// address says the site is served over HTTPS.
    https_site = create_app(replace(settings, public_base_url="https://aftercare.test"), clock=clock, testing=True)
    try:
        assert "Strict-Transport-Security" in https_site.test_client().get("/login").headers
    finally:
        https_site.extensions["aftercare_engine"].dispose()


def test_the_api_docs_page_runs_only_its_own_inline_script(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    [script] = re.findall(r"<script>(.*?)</script>", response.get_data(as_text=True), re.DOTALL)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'self' 'sha256-{digest}';" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy and response.headers["X-Frame-Options"] == "DENY"


def test_pages_have_no_inline_script_event_handler_or_style_for_the_policy_to_block():
    """script-src and style-src 'self': every script is a file in api/static, with no inline code."""
    found = []
    for template in sorted((API_ROOT / "templates").glob("*.html")):
        html = template.read_text()
        found += [f"{template.name}: inline <script>" for _ in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)]
        found += [f"{template.name}: {m}" for m in re.findall(r"\s(on[a-z]+|style)\s*=", html)]
        found += [f"{template.name}: <style>" for _ in re.findall(r"<style\b", html)]
        found += [f"{template.name}: javascript: URL" for _ in re.findall(r"javascript:", html, re.IGNORECASE)]
    for script in sorted((API_ROOT / "static").glob("*.js")):
        js = script.read_text()
        found += [f"{script.name}: {m}" for m in re.findall(r"\beval\(|new Function\(|setAttribute\(\s*[\"']style", js)]
    assert found == []


def test_an_answer_replaced_when_the_commit_fails_carries_them_too(client, world, monkeypatch):
    from sqlalchemy.exc import DBAPIError
    from sqlalchemy.orm import Session

    def conflict(self):
        raise DBAPIError("COMMIT", {}, Exception("could not serialize access"))

    monkeypatch.setattr(Session, "commit", conflict)
    response = client.get(f"/r/{world.asset.qr_token}")
    assert response.status_code == 409 and response.mimetype == "application/json"
    _assert_hardened(response, PAGE_POLICY)
