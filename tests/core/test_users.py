"""Ending a user's sessions: every token issued before stops working, whoever else is signed in."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from core.users import (
    ApiToken,
    InvalidCredentials,
    Role,
    User,
    authenticate,
    disable_user,
    end_sessions,
    issue_api_token,
    set_password,
    user_for_token,
)
from tests.builders.core import PASSWORD, make_user
from tests.conftest import NOW

DAY = timedelta(days=1)


def _token(session, user: User) -> str:
    return issue_api_token(session, user=user, now=NOW, lifetime=DAY)


def test_ending_sessions_moves_the_version_on_and_drops_every_token_of_that_user_only(session):
    user, other = make_user(session, role=Role.AGENT), make_user(session, role=Role.AGENT)
    mine, theirs = [_token(session, user), _token(session, user)], _token(session, other)
    before = user.session_version
    end_sessions(session, user=user)
    session.commit()
    assert user.session_version == before + 1
    assert [user_for_token(session, token=t, now=NOW) for t in mine] == [None, None]
    assert session.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.user_id == user.id)) == 0
    assert user_for_token(session, token=theirs, now=NOW) is other
    fresh = _token(session, user)  # signing in again afterwards works
    assert user_for_token(session, token=fresh, now=NOW) is user


def test_a_token_from_before_the_version_moved_on_is_refused_even_if_its_row_is_left(session):
    user = make_user(session)
    token = _token(session, user)
    session.execute(update(User).where(User.id == user.id).values(session_version=User.session_version + 1))
    session.expire_all()
    assert user_for_token(session, token=token, now=NOW) is None


def test_a_new_password_replaces_the_old_one_and_ends_the_tokens(session):
    user = make_user(session, username="agent.pw")
    token = _token(session, user)
    set_password(session, user=user, password="another long passphrase")
    session.commit()
    assert user_for_token(session, token=token, now=NOW) is None
    assert authenticate(session, username="agent.pw", password="another long passphrase") is user
    with pytest.raises(InvalidCredentials):
        authenticate(session, username="agent.pw", password=PASSWORD)


def test_disabling_a_user_ends_the_tokens_for_good(session):
    user = make_user(session, username="agent.gone")
    token = _token(session, user)
    disable_user(session, user=user)
    session.commit()
    assert not user.active and user_for_token(session, token=token, now=NOW) is None
    with pytest.raises(InvalidCredentials):
        authenticate(session, username="agent.gone", password=PASSWORD)
    user.active = True
    session.commit()
    assert user_for_token(session, token=token, now=NOW) is None
