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


def test_a_user_is_created_under_the_policy_and_audited(database_url, session):
    from core.admin_audit import changes_of

    result = _run(database_url, "user", "create", "agent.new", "--name", "New Agent", "--role", "agent",
                  "--password", "a long enough passphrase")
    assert result.exit_code == 0, result.output
    assert "created agent agent.new" in result.output
    assert changes_of(session, kind="user", key="agent.new")[0].actor == "cli"


def test_a_duplicate_username_is_a_clear_error_without_a_traceback(database_url, session):
    make_user(session, username="agent.dup")
    session.commit()
    result = _run(database_url, "user", "create", "agent.dup", "--name", "Dup", "--role", "agent",
                  "--password", "a long enough passphrase")
    assert result.exit_code == 1
    assert "already taken" in result.output and "Traceback" not in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_a_one_character_password_is_refused_and_nothing_is_created(database_url, session):
    from sqlalchemy import select

    from core.users import User

    result = _run(database_url, "user", "create", "agent.weak", "--name", "Weak", "--role", "agent", "--password", "x")
    assert result.exit_code == 1 and "at least 10 characters" in result.output
    assert session.scalar(select(User).where(User.username == "agent.weak")) is None


def test_a_bad_username_is_refused(database_url):
    result = _run(database_url, "user", "create", "has space", "--name", "X", "--role", "agent",
                  "--password", "a long enough passphrase")
    assert result.exit_code == 1 and "letters, digits" in result.output


def test_enable_and_reset_password_and_the_policy_on_a_reset(database_url, session):
    user = make_user(session, username="agent.back", active=False)
    session.commit()
    assert _run(database_url, "user", "enable", "agent.back").exit_code == 0
    weak = _run(database_url, "user", "reset-password", "agent.back", "--password", "agent.back123")
    assert weak.exit_code == 1 and "username" in weak.output
    ok = _run(database_url, "user", "reset-password", "agent.back", "--password", "another long passphrase")
    assert ok.exit_code == 0, ok.output
    session.expire_all()
    assert user.active and authenticate(session, username="agent.back", password="another long passphrase") is user


def test_the_messages_follow_the_operators_language(database_url, session):
    make_user(session, username="agent.zh")
    session.commit()
    result = CliRunner(env={"AFTERCARE_DATABASE_URL": database_url, "AFTERCARE_LANG": "zh"}).invoke(
        main, ["user", "reset-password", "agent.zh", "--password", "short"])
    assert result.exit_code == 1 and "密码至少需要 10 个字符" in result.output
