"""Sign-in throttling: one limit per account and per address, kept in the database (so every web worker
and both sign-in endpoints share it), a lockout that ends, and no timing tell for unknown usernames."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core import users as users_module
from core.sign_in import FAILURES_PER_ACCOUNT, FAILURES_PER_ADDRESS, WINDOW, SignInLocked
from core.sign_in import authenticate_within_limits as sign_in
from core.users import InvalidCredentials, Role
from tests.builders.core import PASSWORD, make_user
from tests.conftest import NOW


def _fail(session, username: str, address: str = "203.0.113.5", at=NOW) -> None:
    with pytest.raises(InvalidCredentials):
        sign_in(session, username=username, password="wrong password", address=address, now=at)


def test_an_account_is_locked_after_repeated_failures_even_for_the_right_password(session):
    user = make_user(session, role=Role.AGENT)
    for _ in range(FAILURES_PER_ACCOUNT):
        _fail(session, user.username)
    with pytest.raises(SignInLocked) as locked:
        sign_in(session, username=user.username, password=PASSWORD, address="198.51.100.1", now=NOW)
    assert timedelta(0) < locked.value.retry_after <= WINDOW


def test_the_lockout_ends_when_the_failures_leave_the_window(session):
    user = make_user(session, role=Role.AGENT)
    for _ in range(FAILURES_PER_ACCOUNT):
        _fail(session, user.username)
    later = NOW + WINDOW + timedelta(seconds=1)
    assert sign_in(session, username=user.username, password=PASSWORD, address="203.0.113.5", now=later) == user


def test_one_address_guessing_many_accounts_is_locked_out(session):
    for n in range(FAILURES_PER_ADDRESS):
        _fail(session, f"guess{n}", address="192.0.2.66")
    user = make_user(session, role=Role.AGENT)
    with pytest.raises(SignInLocked):
        sign_in(session, username=user.username, password=PASSWORD, address="192.0.2.66", now=NOW)
    assert sign_in(session, username=user.username, password=PASSWORD, address="192.0.2.67", now=NOW) == user


def test_a_success_clears_the_accounts_failures(session):
    user = make_user(session, role=Role.AGENT)
    for _ in range(FAILURES_PER_ACCOUNT - 1):
        _fail(session, user.username)
    sign_in(session, username=user.username, password=PASSWORD, address="203.0.113.5", now=NOW)
    for _ in range(FAILURES_PER_ACCOUNT - 1):
        _fail(session, user.username)
    assert sign_in(session, username=user.username, password=PASSWORD, address="203.0.113.5", now=NOW) == user


def test_an_unknown_username_costs_the_same_password_check_as_a_known_one(session, monkeypatch):
    checked = []
    real = users_module.check_password_hash
    monkeypatch.setattr(users_module, "check_password_hash", lambda h, p: checked.append(h) or real(h, p))
    user = make_user(session, role=Role.AGENT)
    user.password_hash = users_module.generate_password_hash(PASSWORD)  # the production hash, not the builders'
    session.flush()
    _fail(session, user.username)
    _fail(session, "nobody.at.all")
    assert len(checked) == 2
    # Both are real hashes of the same kind and cost.
    assert checked[0].split("$")[0] == checked[1].split("$")[0]


def test_a_disabled_account_fails_like_a_wrong_password(session):
    user = make_user(session, role=Role.AGENT, active=False)
    with pytest.raises(InvalidCredentials):
        sign_in(session, username=user.username, password=PASSWORD, address="203.0.113.5", now=NOW)
