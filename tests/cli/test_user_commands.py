"""`aftercare user disable` and `aftercare user password` end the user's sessions at once."""
from __future__ import annotations

from datetime import timedelta

from click.testing import CliRunner

from cli.commands import main
from core.users import authenticate, issue_api_token, user_for_token
from tests.builders.core import make_user
from tests.conftest import NOW


def _run(database_url: str, *args: str):
    return CliRunner(env={"AFTERCARE_DATABASE_URL": database_url}).invoke(main, list(args))


def test_disabling_a_user_from_the_command_line_ends_their_tokens(database_url, session):
    user = make_user(session, username="agent.cli")
    token = issue_api_token(session, user=user, now=NOW, lifetime=timedelta(hours=1))
    session.commit()
    result = _run(database_url, "user", "disable", "agent.cli")
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert not user.active and user_for_token(session, token=token, now=NOW) is None


def test_a_new_password_from_the_command_line_ends_their_tokens(database_url, session):
    user = make_user(session, username="agent.cli2")
    token = issue_api_token(session, user=user, now=NOW, lifetime=timedelta(hours=1))
    session.commit()
    result = _run(database_url, "user", "password", "agent.cli2", "--password", "a fresh long passphrase")
    assert result.exit_code == 0, result.output
    session.expire_all()
    assert user_for_token(session, token=token, now=NOW) is None
    assert authenticate(session, username="agent.cli2", password="a fresh long passphrase") is user


def test_an_unknown_user_is_named(database_url, session):
    result = _run(database_url, "user", "disable", "nobody")
    assert result.exit_code == 1 and "no user 'nobody'" in result.output
