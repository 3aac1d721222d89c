"""Escalations over HTTP: listed by state, acknowledged and resolved by the caller with a note; bad
input and second attempts refused in the one error shape, writing nothing; and the same on the board."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from core.users import Role
from dispatch.jobs.models import Escalation, EscalationState
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.care import make_open_job
from tests.builders.core import make_region, make_user
from tests.conftest import NOW


@pytest.fixture
def escalation(session, world):
    make_user(session, username="dispatch.zhou", role=Role.DISPATCHER)
    world.asset.region = make_region(session)
    job = make_open_job(session, asset=world.asset, owner=None, now=NOW)
    escalation = Escalation(job=job, kind="unassignable", reason="Nobody with the 'hvac' skill", raised_at=NOW)
    session.add(escalation)
    session.commit()
    return escalation


@pytest.fixture
def dispatcher(token_for, escalation):
    return token_for("dispatch.zhou")


def _state(session, escalation) -> EscalationState:
    session.expire_all()
    state = session.scalar(select(Escalation).where(Escalation.id == escalation.id)).state
    session.rollback()
    return state


def test_a_dispatcher_acknowledges_and_resolves_an_escalation(client, session, escalation, dispatcher, clock):
    clock.set(NOW + timedelta(minutes=5))
    acked = client.post(f"/api/v1/escalations/{escalation.id}/acknowledge", json={"note": "On it"}, headers=dispatcher)
    assert acked.status_code == 200, acked.json
    assert (acked.json["state"], acked.json["acknowledged_by"], acked.json["acknowledged_note"]) == (
        "acknowledged", "dispatch.zhou", "On it")
    assert [e["id"] for e in client.get("/api/v1/escalations?state=acknowledged", headers=dispatcher).json] == [
        escalation.id]
    assert client.get("/api/v1/escalations?state=open", headers=dispatcher).json == []
    resolved = client.post(f"/api/v1/escalations/{escalation.id}/resolve",
                           json={"note": "Booked an hvac contractor"}, headers=dispatcher)
    assert resolved.status_code == 200
    assert (resolved.json["state"], resolved.json["resolved_by"], resolved.json["resolved_at"]) == (
        "resolved", "dispatch.zhou", (NOW + timedelta(minutes=5)).isoformat())
    assert client.get("/api/v1/escalations", headers=dispatcher).json == []  # by default: not yet resolved
    assert len(client.get("/api/v1/escalations?state=resolved&region=gusu", headers=dispatcher).json) == 1
    assert_error_shape(client.post(f"/api/v1/escalations/{escalation.id}/resolve", json={"note": "again!"},
                                   headers=dispatcher), 409, field="id")
    assert_error_shape(client.post(f"/api/v1/escalations/{escalation.id}/acknowledge", json={},
                                   headers=dispatcher), 409, field="id")


@pytest.mark.parametrize("path, body, code, field", [
    ("resolve", {}, 422, "note"),
    ("resolve", {"note": "  "}, 422, "note"),
    ("resolve", {"note": "x" * 2001}, 422, "note"),
    ("resolve", {"note": ["a list"]}, 422, "note"),
    ("acknowledge", {"note": "x" * 2001}, 422, "note"),
])
def test_bad_escalation_steps_are_refused_and_change_nothing(client, session, escalation, dispatcher, path, body,
                                                             code, field):
    assert_error_shape(client.post(f"/api/v1/escalations/{escalation.id}/{path}", json=body, headers=dispatcher),
                       code, field=field)
    assert _state(session, escalation) == EscalationState.OPEN


def test_unknown_escalations_roles_and_filters_are_refused(client, session, escalation, dispatcher, token_for):
    assert_error_shape(client.post("/api/v1/escalations/424242/acknowledge", json={}, headers=dispatcher), 404)
    assert_error_shape(client.post("/api/v1/escalations/99999999999999999999/resolve", json={"note": "done"},
                                   headers=dispatcher), 404)
    assert_error_shape(client.post(f"/api/v1/escalations/{escalation.id}/acknowledge", json={},
                                   headers=token_for("tech01")), 403)
    assert_error_shape(client.post(f"/api/v1/escalations/{escalation.id}/acknowledge", json={}), 401)
    assert_error_shape(client.get("/api/v1/escalations?state=closed", headers=dispatcher), 422, location="query",
                       field="state")
    assert_error_shape(client.get("/api/v1/escalations?region=atlantis", headers=dispatcher), 422, location="query",
                       field="region")
    assert _state(session, escalation) == EscalationState.OPEN


def test_the_board_acknowledges_resolves_and_filters_escalations_in_local_time(client, session, escalation, clock):
    sign_in(client, "dispatch.zhou")
    board = client.get("/dispatch?region=gusu")
    html = board.get_data(as_text=True)
    assert f'data-testid="acknowledge-{escalation.id}"' in html and "2026-11-23 10:00" in html  # raised, Shanghai time
    form = {"csrf_token": csrf_from(board), "region": "gusu", "day": "2026-11-23", "escalations": "active"}
    clock.set(NOW + timedelta(minutes=30))
    acked = client.post(f"/dispatch/escalations/{escalation.id}/acknowledge", data=form)
    assert acked.status_code == 303
    html = client.get(acked.headers["Location"]).get_data(as_text=True)
    assert "Acknowledged by" in html and "2026-11-23 10:30" in html
    refused = client.post(f"/dispatch/escalations/{escalation.id}/resolve", data={**form, "note": ""})
    assert refused.status_code == 422 and "Say what was done" in refused.get_data(as_text=True)
    assert client.post("/dispatch/escalations/424242/resolve", data={**form, "note": "done"}).status_code == 404
    done = client.post(f"/dispatch/escalations/{escalation.id}/resolve", data={**form, "note": "Contractor booked"})
    assert done.status_code == 303 and _state(session, escalation) == EscalationState.RESOLVED
    assert f'data-escalation="{escalation.id}"' not in client.get("/dispatch?region=gusu").get_data(as_text=True)
    resolved = client.get("/dispatch?region=gusu&escalations=resolved").get_data(as_text=True)
    assert f'data-escalation="{escalation.id}"' in resolved and "Contractor booked" in resolved
    assert client.get("/dispatch?region=gusu&escalations=bogus").status_code == 200  # unknown filter: the default
