"""An invited user with an e-mail address gets their one-time link by e-mail, through the outbox and in
their language, when e-mail is set up; the admin sees the link either way."""
from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select

from care.models import MessageChannel, OutboxMessage
from core.users import Role, User
from tests.api.people.test_pages import _post, as_admin  # noqa: F401  (fixture)

INVITED = {"username": "agent.inv", "display_name": "李娜", "role": "agent"}


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, smtp_host="smtp.example.test")


def _messages(session) -> list[OutboxMessage]:
    session.rollback()
    return list(session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "invitation")))


def test_an_invitation_is_emailed_in_the_invitees_language(client, headers_for, session):
    created = client.post("/api/v1/admin/users", headers=headers_for(Role.ADMIN),
                          json={**INVITED, "email": "li.na@example.com", "locale": "zh_CN"})
    assert created.status_code == 201, created.json
    assert created.json["invite_emailed"] is True and created.json["email"] == "li.na@example.com"
    [message] = _messages(session)
    assert (message.channel, message.recipient) == (MessageChannel.EMAIL, "li.na@example.com")
    assert message.subject == "您的售后无忧账户"
    assert created.json["invite_url"] in message.body and "李娜，您好" in message.body


def test_an_invitee_without_a_language_gets_both(client, headers_for, session):
    client.post("/api/v1/admin/users", headers=headers_for(Role.ADMIN), json={**INVITED, "email": "li@example.com"})
    [message] = _messages(session)
    assert message.subject == "Your Aftercare account / 您的售后无忧账户"
    assert "Choose your password" in message.body and "设置密码" in message.body


def test_no_address_no_mail_and_a_user_with_a_password_gets_no_invitation(client, headers_for, session):
    admin = headers_for(Role.ADMIN)
    created = client.post("/api/v1/admin/users", headers=admin, json=INVITED)
    assert created.json["invite_emailed"] is False and created.json["invite_url"]
    with_password = client.post("/api/v1/admin/users", headers=admin,
                                json={**INVITED, "username": "agent.pw", "email": "pw@example.com",
                                      "password": "a-long-secret-2026"})
    assert with_password.json["invite_url"] is None and with_password.json["invite_emailed"] is False
    assert _messages(session) == []


def test_a_bad_address_is_refused_and_nothing_is_written(client, headers_for, session):
    refused = client.post("/api/v1/admin/users", headers=headers_for(Role.ADMIN),
                          json={**INVITED, "email": "not-an-address"})
    assert refused.status_code == 422 and "email" in str(refused.json)
    session.rollback()
    assert session.scalar(select(User).where(User.username == "agent.inv")) is None and _messages(session) == []


def test_the_page_says_the_link_was_emailed_and_the_address_can_be_changed(as_admin, session):  # noqa: F811
    response = _post(as_admin, "/admin/users/new", {**INVITED, "email": "li.na@example.com"})
    assert response.status_code == 303
    page = as_admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "/welcome/" in page and "The link was also e-mailed to li.na@example.com." in page
    assert len(_messages(session)) == 1
    assert _post(as_admin, "/admin/users/agent.inv", {"display_name": "李娜", "role": "agent", "locale": "",
                                                      "email": ""}).status_code == 303
    session.rollback()
    assert session.scalar(select(User.email).where(User.username == "agent.inv")) is None


def test_without_smtp_the_invitation_is_not_emailed(client, headers_for, session, app, monkeypatch):
    wired = app.extensions["aftercare"]
    monkeypatch.setitem(app.extensions, "aftercare",
                        dataclasses.replace(wired, settings=dataclasses.replace(wired.settings, smtp_host=None)))
    created = client.post("/api/v1/admin/users", headers=headers_for(Role.ADMIN),
                          json={**INVITED, "email": "li@example.com"})
    assert created.json["invite_emailed"] is False and _messages(session) == []
