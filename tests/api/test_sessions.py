"""Staff sessions and API tokens end when they should: cookie flags and lifetimes, sign-out, a
disabled account and a new password end every session and token of the user at once."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
from flask_login.utils import encode_cookie
from itsdangerous.timed import TimestampSigner

from api.app import create_app
from api.auth import SESSION_ABSOLUTE_LIFETIME, SESSION_IDLE_LIFETIME
from core.users import Role, User, disable_user, set_password
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.core import PASSWORD, make_user

JOBS = "/api/v1/jobs"


@pytest.fixture
def agent(session) -> User:
    user = make_user(session, username="agent.li", role=Role.AGENT)
    session.commit()
    return user


def _copy_of_session(app, client):
    """Another browser holding the same session cookie (say, one copied off the first)."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def _signed_in(client) -> bool:
    return client.get("/agent").status_code == 200


def _set_cookie(response) -> str:
    [cookie] = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    return cookie


def test_the_session_cookie_is_httponly_lax_and_lasts_the_idle_lifetime(client, agent):
    cookie = _set_cookie(sign_in(client, "agent.li"))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie  # the test site is plain http://aftercare.test
    assert SESSION_IDLE_LIFETIME == timedelta(hours=8) and SESSION_ABSOLUTE_LIFETIME == timedelta(days=7)


@pytest.fixture
def https_app(settings, clock):
    app = create_app(replace(settings, public_base_url="https://aftercare.test"), clock=clock, testing=True)
    yield app
    app.extensions["aftercare_engine"].dispose()


def test_the_session_cookie_is_secure_when_the_site_is_https(https_app, agent):
    client = https_app.test_client()
    token = csrf_from(client.get("/login", base_url="https://aftercare.test"))
    # Over HTTPS, Flask-WTF also wants the form to come from the site itself.
    response = client.post("/login", base_url="https://aftercare.test", headers={"Referer": "https://aftercare.test/login"},
                           data={"csrf_token": token, "username": "agent.li", "password": PASSWORD})
    assert response.status_code == 303
    assert "; Secure" in _set_cookie(response)


def test_a_session_unused_for_the_idle_lifetime_is_refused_and_each_request_refreshes_it(client, agent, monkeypatch):
    sign_in(client, "agent.li")
    started = int(time.time())

    def later(hours: float):
        monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: started + int(hours * 3600))

    later(7)
    assert _signed_in(client)  # and the cookie is signed again, at +7 h
    later(14)
    assert _signed_in(client)  # 7 h after the last request
    later(14 + 8 + 0.1)
    assert not _signed_in(client)


def test_a_session_ends_seven_days_after_signing_in_however_busy(client, clock, agent):
    sign_in(client, "agent.li")
    for _ in range(6):
        clock.advance(timedelta(days=1))
        assert _signed_in(client)
    clock.advance(timedelta(days=1))
    response = client.get("/agent")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_cookie_copied_before_sign_out_no_longer_works_after_it(app, client, agent):
    sign_in(client, "agent.li")
    copy = _copy_of_session(app, client)
    assert _signed_in(copy)
    page = client.get("/agent")
    assert client.post("/logout", data={"csrf_token": csrf_from(page)}).status_code == 303
    assert not _signed_in(client)
    assert not _signed_in(copy)


def test_signing_out_on_a_page_ends_the_users_api_tokens_too(client, agent, token_for):
    headers = token_for("agent.li")
    sign_in(client, "agent.li")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/agent"))})
    assert client.get(JOBS, headers=headers).status_code == 401


def test_signing_in_again_after_sign_out_works(client, agent):
    sign_in(client, "agent.li")
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/agent"))})
    sign_in(client, "agent.li")
    assert _signed_in(client)


def test_a_remember_me_cookie_signs_nobody_in(app, agent):
    with app.test_request_context():
        remember = encode_cookie(str(agent.id))  # what Flask-Login would have set with remember=True
    client = app.test_client()
    client.set_cookie("remember_token", remember)
    assert not _signed_in(client)


def test_a_disabled_users_token_and_session_stop_working_and_enabling_revives_neither(app, client, session, agent,
                                                                                       token_for):
    headers = token_for("agent.li")
    sign_in(client, "agent.li")
    assert client.get(JOBS, headers=headers).status_code == 200 and _signed_in(client)
    disable_user(session, user=agent)
    session.commit()
    assert client.get(JOBS, headers=headers).status_code == 401
    assert not _signed_in(client)
    agent.active = True
    session.commit()
    assert client.get(JOBS, headers=headers).status_code == 401
    assert not _signed_in(client)


def test_a_new_password_ends_every_token_and_session_of_the_user(app, client, session, agent, token_for):
    first, second = token_for("agent.li"), token_for("agent.li")
    sign_in(client, "agent.li")
    copy = _copy_of_session(app, client)
    other = make_user(session, username="agent.wang", role=Role.AGENT)
    session.commit()
    theirs = token_for(other.username)
    set_password(session, user=agent, password="a brand new passphrase")
    session.commit()
    assert client.get(JOBS, headers=first).status_code == 401
    assert client.get(JOBS, headers=second).status_code == 401
    assert not _signed_in(client) and not _signed_in(copy)
    assert client.get(JOBS, headers=theirs).status_code == 200  # nobody else is signed out
    response = client.post("/api/v1/auth/tokens", json={"username": "agent.li", "password": "a brand new passphrase"})
    assert response.status_code == 201


def test_signing_out_through_the_api_ends_every_token_and_session(client, agent, token_for):
    first, second = token_for("agent.li"), token_for("agent.li")
    sign_in(client, "agent.li")
    assert client.delete("/api/v1/auth/tokens", headers=first).status_code == 204
    assert client.get(JOBS, headers=first).status_code == 401
    assert client.get(JOBS, headers=second).status_code == 401
    assert not _signed_in(client)
    assert client.delete("/api/v1/auth/tokens").status_code == 401
