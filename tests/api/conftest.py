from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select

from core.idempotency import IdempotentRequest
from core.users import Role, User
from dispatch.catalog.models import Asset
from dispatch.jobs.models import Job, JobEvent
from tests.builders.core import PASSWORD, make_user
from tests.builders.dispatch import make_asset


@dataclass
class World:
    asset: Asset
    agent: User
    other_agent: User
    technician: User


@pytest.fixture
def world(session) -> World:
    world = World(asset=make_asset(session), agent=make_user(session, username="agent.li", role=Role.AGENT),
                  other_agent=make_user(session, username="agent.wang", role=Role.AGENT),
                  technician=make_user(session, username="tech01", role=Role.TECHNICIAN))
    session.commit()
    return world


@pytest.fixture
def token_for(client):
    def issue(username: str) -> dict[str, str]:
        response = client.post("/api/v1/auth/tokens", json={"username": username, "password": PASSWORD})
        assert response.status_code == 201, response.json
        return {"Authorization": f"Bearer {response.json['token']}"}

    return issue


@pytest.fixture
def agent_headers(world, token_for):
    return token_for(world.agent.username)


@pytest.fixture
def counts(session):
    """Row counts of everything a request could write; compare before and after a refused request."""

    def snapshot() -> dict[str, int]:
        session.expire_all()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (Job, JobEvent, IdempotentRequest)}
        session.rollback()  # end the read transaction so the app's writers are not kept waiting
        return counted

    return snapshot


def report_body(asset: Asset, **overrides) -> dict:
    body = {"qr_token": asset.qr_token, "fault_text": "The fridge is not cooling since yesterday",
            "contact_name": "Zhang Wei", "contact_phone": "+86 138 1234 5678"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


def assert_error_shape(response, code: int, *, location: str | None = None, field: str | None = None):
    assert response.status_code == code, response.get_data(as_text=True)
    body = response.get_json()
    assert body["code"] == code and body["status"] and body["message"], body
    if field is not None:
        assert field in body["errors"][location or "json"], body
        assert all(isinstance(m, str) for m in body["errors"][location or "json"][field]), body
