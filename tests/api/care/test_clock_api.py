"""SLA clocks over HTTP: a recorded contact is the response, a priority change re-makes the
deadlines, a pause moves them for every reader; bad input is refused with field messages and writes
nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from dispatch.jobs.models import Job, ResponseKind
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.care import make_open_job
from tests.conftest import NOW


@pytest.fixture
def job(session, world):
    job = make_open_job(session, asset=world.asset, owner=None, now=NOW)
    session.commit()
    return job


def test_the_pages_and_the_api_read_the_deadline_a_pause_moved(client, session, world, job, agent_headers, clock):
    clock.set(NOW + timedelta(minutes=60))
    assert client.post(f"/api/v1/jobs/{job.number}/sla/pause", json={"reason": "Not at home"},
                       headers=agent_headers).status_code == 200
    clock.set(NOW + timedelta(hours=4))
    resumed = client.delete(f"/api/v1/jobs/{job.number}/sla/pause", json={}, headers=agent_headers)
    assert resumed.status_code == 200, resumed.json
    moved = (NOW + timedelta(hours=5)).isoformat()
    assert resumed.json["clocks"][0]["deadline"] == moved
    assert client.get(f"/api/v1/jobs/{job.number}", headers=agent_headers).json["respond_by"] == moved
    assert client.get(f"/api/v1/tracking/{job.tracking_token}").json["respond_by"] == moved
    assert "2026-11-23 15:00" in client.get(f"/t/{job.tracking_token}").get_data(as_text=True)  # local time


def test_a_contact_over_the_api_is_the_response(client, session, world, job, agent_headers, clock):
    clock.set(NOW + timedelta(minutes=20))
    response = client.post(f"/api/v1/jobs/{job.number}/contacts",
                           json={"channel": "phone", "note": "Called: a technician comes tomorrow"},
                           headers=agent_headers)
    assert response.status_code == 201, response.json
    assert response.json["first_response"] is True and response.json["response_kind"] == "contact"
    assert response.json["by"] == "agent.li"
    sla = client.get(f"/api/v1/jobs/{job.number}/sla", headers=agent_headers).json
    assert (sla["responded_by"], sla["response_kind"]) == ("agent.li", "contact")
    assert sla["clocks"][0]["met"] is True


@pytest.mark.parametrize("body, field", [
    ({}, "note"),
    ({"note": "  "}, "note"),
    ({"note": "x" * 2001}, "note"),
    ({"note": "Called", "channel": "pigeon"}, "channel"),
    ({"note": 12}, "note"),
])
def test_a_bad_contact_is_refused_and_writes_nothing(client, world, job, agent_headers, counts, body, field):
    before = counts()
    assert_error_shape(client.post(f"/api/v1/jobs/{job.number}/contacts", json=body, headers=agent_headers), 422,
                       field=field)
    assert counts() == before


def test_a_contact_needs_a_case_role_and_a_job(client, world, job, token_for, agent_headers):
    assert_error_shape(client.post(f"/api/v1/jobs/{job.number}/contacts", json={"note": "Called"},
                                   headers=token_for("tech01")), 403)
    assert_error_shape(client.post("/api/v1/jobs/AC-NOSUCH/contacts", json={"note": "Called"},
                                   headers=agent_headers), 404)
    assert_error_shape(client.post(f"/api/v1/jobs/{job.number}/contacts", json={"note": "Called"}), 401)


def test_marking_a_job_urgent_over_the_api_re_makes_its_deadlines(client, session, world, job, agent_headers):
    from dispatch.jobs.models import Priority, SlaPolicy

    session.add(SlaPolicy(code="urgent", name="Urgent", priority=Priority.URGENT, respond_minutes=30,
                          repair_minutes=480))
    session.commit()
    response = client.put(f"/api/v1/jobs/{job.number}/priority", json={"priority": "urgent", "note": "Gas smell"},
                          headers=agent_headers)
    assert response.status_code == 200, response.json
    assert response.json == {"job": job.number, "priority": "urgent", "sla_policy": "urgent",
                             "respond_by": (NOW + timedelta(minutes=30)).isoformat(),
                             "repair_by": (NOW + timedelta(hours=8)).isoformat()}
    events = client.get(f"/api/v1/jobs/{job.number}/events", headers=agent_headers).json
    assert events[-1]["kind"] == "priority_changed"
    again = client.put(f"/api/v1/jobs/{job.number}/priority", json={"priority": "urgent"}, headers=agent_headers)
    assert_error_shape(again, 409, field="priority")


@pytest.mark.parametrize("body, field", [({}, "priority"), ({"priority": "asap"}, "priority"),
                                         ({"priority": "urgent", "note": "x" * 2001}, "note")])
def test_a_bad_priority_change_is_refused_and_writes_nothing(client, world, job, agent_headers, counts, body, field):
    before = counts()
    assert_error_shape(client.put(f"/api/v1/jobs/{job.number}/priority", json=body, headers=agent_headers), 422,
                       field=field)
    assert counts() == before


def test_an_agent_records_a_contact_from_the_job_page(client, session, world, job, clock):
    sign_in(client, "agent.li")
    page = client.get(f"/agent/jobs/{job.number}")
    assert page.status_code == 200 and 'data-testid="contact-form"' in page.get_data(as_text=True)
    token = csrf_from(page)
    refused = client.post(f"/agent/jobs/{job.number}/contacts", data={"csrf_token": token, "channel": "phone",
                                                                      "note": ""})
    assert refused.status_code == 422 and "Say what was said" in refused.get_data(as_text=True)
    bad_channel = client.post(f"/agent/jobs/{job.number}/contacts", data={"csrf_token": token, "channel": "x",
                                                                          "note": "Called"})
    assert bad_channel.status_code == 422
    clock.set(NOW + timedelta(minutes=15))
    done = client.post(f"/agent/jobs/{job.number}/contacts",
                       data={"csrf_token": token, "channel": "wechat", "note": "Sent the visit time"})
    assert done.status_code == 303 and done.headers["Location"].endswith(f"/agent/jobs/{job.number}")
    session.expire_all()
    stored = session.get(Job, job.id)
    assert (stored.responded_at, stored.response_kind) == (NOW + timedelta(minutes=15), ResponseKind.CONTACT)
    session.rollback()
    html = client.get(f"/agent/jobs/{job.number}").get_data(as_text=True)
    assert "Responded 2026-11-23 10:15 by" in html


def test_staff_mark_a_job_urgent_on_its_sla_page(client, session, world, job):
    sign_in(client, "agent.li")
    page = client.get(f"/agent/jobs/{job.number}/care")
    assert page.status_code == 200
    token = csrf_from(page)
    assert client.post(f"/agent/jobs/{job.number}/care/priority",
                       data={"csrf_token": token, "priority": "soon"}).status_code == 422
    done = client.post(f"/agent/jobs/{job.number}/care/priority", data={"csrf_token": token, "priority": "urgent"})
    assert done.status_code == 303
    assert "is now" in client.get(done.headers["Location"]).get_data(as_text=True)
    same = client.post(f"/agent/jobs/{job.number}/care/priority", data={"csrf_token": token, "priority": "urgent"})
    assert same.status_code == 409 and "already has this priority" in same.get_data(as_text=True)
