"""Administering accounts: a duplicate username is a clear refusal, the policy holds, disabling ends
every session and token at once, the last admin stays, and every change is audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.admin_audit import changes_of
from core.password_policy import WeakPassword
from core.users import (
    LastAdmin,
    Role,
    User,
    UsernameTaken,
    UserRefused,
    add_user,
    authenticate,
    issue_api_token,
    reset_password,
    set_user_active,
    update_user,
    user_for_token,
    users_query,
)
from tests.builders.core import make_user
from tests.conftest import NOW

GOOD = "a long enough passphrase"


def _count(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


def test_a_new_user_is_created_and_audited_without_the_password(session):
    user = add_user(session, actor="root", now=NOW, username="agent.zhao", display_name="赵敏", role=Role.AGENT,
                    password=GOOD, locale="zh_CN")
    session.commit()
    assert authenticate(session, username="agent.zhao", password=GOOD) is user
    [change] = changes_of(session, kind="user", key="agent.zhao")
    assert change.actor == "root" and change.action == "create" and change.changes["role"] == "agent"
    assert GOOD not in str(change.changes)


@pytest.mark.parametrize("taken", ["agent.zhao", "Agent.Zhao", "  agent.zhao "])
def test_a_duplicate_username_is_refused_in_any_case(session, taken):
    make_user(session, username="agent.zhao")
    before = _count(session)
    with pytest.raises(UsernameTaken, match="already taken"):
        add_user(session, actor="root", now=NOW, username=taken, display_name="X", role=Role.AGENT, password=GOOD)
    assert _count(session) == before


def test_a_weak_password_is_refused_and_nothing_is_created(session):
    with pytest.raises(WeakPassword):
        add_user(session, actor="root", now=NOW, username="agent.q", display_name="Q", role=Role.AGENT,
                 password="password123")
    assert _count(session) == 0


def test_disabling_ends_every_token_at_once_and_enabling_revives_none(session):
    user = make_user(session, username="agent.off")
    token = issue_api_token(session, user=user, now=NOW, lifetime=timedelta(hours=1))
    version = user.session_version
    set_user_active(session, actor="root", now=NOW, user=user, active=False)
    session.commit()
    assert user_for_token(session, token=token, now=NOW) is None
    assert user.session_version == version + 1
    set_user_active(session, actor="root", now=NOW, user=user, active=True)
    session.commit()
    assert user.active and user_for_token(session, token=token, now=NOW) is None
    assert [c.changes["active"] for c in changes_of(session, kind="user", key="agent.off")] == [[True, False],
                                                                                                [False, True]]


def test_a_password_reset_meets_the_policy_and_signs_the_user_out(session):
    user = make_user(session, username="agent.pw")
    token = issue_api_token(session, user=user, now=NOW, lifetime=timedelta(hours=1))
    with pytest.raises(WeakPassword):
        reset_password(session, actor="root", now=NOW, user=user, password="agent.pw12345")
    reset_password(session, actor="root", now=NOW, user=user, password=GOOD)
    session.commit()
    assert user_for_token(session, token=token, now=NOW) is None
    assert authenticate(session, username="agent.pw", password=GOOD) is user
    assert changes_of(session, kind="user", key="agent.pw")[-1].changes == {"password": "reset"}


def test_the_only_active_admin_can_neither_lose_the_role_nor_be_disabled(session):
    admin = make_user(session, username="root", role=Role.ADMIN)
    with pytest.raises(LastAdmin):
        update_user(session, actor="other", now=NOW, user=admin, role=Role.MANAGER)
    with pytest.raises(LastAdmin):
        set_user_active(session, actor="other", now=NOW, user=admin, active=False)
    make_user(session, username="root2", role=Role.ADMIN)
    update_user(session, actor="root2", now=NOW, user=admin, role=Role.MANAGER)
    assert admin.role == Role.MANAGER


def test_nobody_disables_their_own_account(session):
    make_user(session, username="root", role=Role.ADMIN)
    me = make_user(session, username="root2", role=Role.ADMIN)
    with pytest.raises(UserRefused, match="your own"):
        set_user_active(session, actor="root2", now=NOW, user=me, active=False)


def test_an_update_audits_only_what_changed(session):
    user = make_user(session, username="agent.up")
    old_name = user.display_name
    update_user(session, actor="root", now=NOW, user=user, display_name="Up", role=Role.AGENT)
    [change] = changes_of(session, kind="user", key="agent.up")
    assert change.changes == {"display_name": [old_name, "Up"]}


def test_the_list_searches_username_and_name_and_treats_wildcards_as_text(session):
    make_user(session, username="agent.li")
    make_user(session, username="agent_wu")
    make_user(session, username="stock.chen", role=Role.WAREHOUSE)
    found = lambda **kw: [u.username for u in session.scalars(users_query(**kw))]
    assert found(search="agent") == ["agent.li", "agent_wu"]
    assert found(search="_") == ["agent_wu"]
    assert found(search="%") == []
    assert found(role=Role.WAREHOUSE) == ["stock.chen"]
