"""The window API and pages: the customer chooses by tracking token, the agent books by job number; bad
input gets field messages (API) or a readable message (page), and nothing is written."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from care.models import OutboxMessage
from core.users import Role
from dispatch.jobs.models import Job, JobEvent
from dispatch.jobs.status import JobStatus
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.care import make_open_job
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_technician
from tests.conftest import NOW
from tests.dispatch.planning.test_windows import local


@pytest.fixture
def job(session) -> Job:
    region = make_region(session)
    make_technician(session, region=region)
    make_user(session, username="agent.li", role=Role.AGENT)
    make_user(session, username="tech.viewer", role=Role.TECHNICIAN)
    job = make_open_job(session, asset=make_asset(session, region=region), owner=None, now=NOW)
    session.commit()
    return job


def written(session, job) -> tuple:
    session.close()  # a fresh read: the test's own snapshot may predate the request
    state = (session.scalar(select(func.count()).select_from(JobEvent)),
             session.scalar(select(func.count()).select_from(OutboxMessage)),
             session.get(Job, job.id).window_start)
    session.rollback()
    return state


def window(start: datetime) -> dict:
    return {"start": start.isoformat(), "end": (start + timedelta(hours=2)).isoformat()}


def test_the_customer_lists_windows_and_chooses_one_by_token(client, session, job):
    listed = client.get(f"/api/v1/track/{job.tracking_token}/windows")
    assert listed.status_code == 200, listed.json
    body = listed.json
    assert body["confirmed"] is None and body["can_choose"] and body["window_minutes"] == 120
    starts = [datetime.fromisoformat(w["start"]) for w in body["windows"]]
    assert starts[0] == local(23, 10) and starts == sorted(starts)
    assert "technician_id" not in body["windows"][0]  # the customer is not told who, only when

    chosen = client.post(f"/api/v1/track/{job.tracking_token}/window", json=body["windows"][1])
    assert chosen.status_code == 200, chosen.json
    assert datetime.fromisoformat(chosen.json["start"]) == local(23, 12)
    assert local(23, 12) <= datetime.fromisoformat(chosen.json["planned_start"]) <= local(23, 14)
    again = client.get(f"/api/v1/track/{job.tracking_token}/windows").json
    assert datetime.fromisoformat(again["confirmed"]["start"]) == local(23, 12)
    assert again["confirmed"]["confirmed_by"] == "customer"


@pytest.mark.parametrize("body, field", [
    ({}, "start"),
    ({"start": "tomorrow", "end": "later"}, "start"),
    ({"start": "2026-11-23T12:00:00", "end": "2026-11-23T14:00:00"}, "start"),  # no time zone
    ({"start": "99999-01-01T00:00:00+00:00", "end": "99999-01-01T02:00:00+00:00"}, "start"),
    ({"start": "2026-11-23T06:00:00+00:00", "end": "2026-11-23T04:00:00+00:00"}, "end"),
    ({"start": "2026-11-23T04:00:00+00:00\u0000", "end": "2026-11-23T06:00:00+00:00"}, "start"),
    ({"start": 10 ** 30, "end": 10 ** 30}, "start"),
])
def test_malformed_windows_are_refused_with_field_messages(client, session, job, body, field):
    before = written(session, job)
    response = client.post(f"/api/v1/track/{job.tracking_token}/window", json=body)
    assert response.status_code in (400, 422)
    if response.status_code == 422:
        assert_error_shape(response, 422, field=field)
    assert written(session, job) == before


@pytest.mark.parametrize("start", [
    local(23, 6),  # past
    local(23, 11),  # not one of the offered windows
    local(27, 10),  # after the repair deadline
    local(23, 18),  # after working hours
])
def test_a_window_not_offered_is_a_conflict_on_start_and_nothing_is_written(client, session, job, start):
    before = written(session, job)
    response = client.post(f"/api/v1/track/{job.tracking_token}/window", json=window(start))
    assert_error_shape(response, 409, field="start")
    assert written(session, job) == before


def test_a_window_of_another_length_is_refused(client, session, job):
    before = written(session, job)
    response = client.post(f"/api/v1/track/{job.tracking_token}/window",
                           json={"start": local(23, 10).isoformat(), "end": local(23, 11).isoformat()})
    assert_error_shape(response, 409, field="start")
    assert written(session, job) == before


def test_unknown_tokens_get_404(client, job):
    assert client.get("/api/v1/track/nosuchtokennosuchtoken/windows").status_code == 404
    assert client.post("/api/v1/track/nosuchtokennosuchtoken/window", json=window(local(23, 10))).status_code == 404
    assert client.get(f"/api/v1/track/{'x' * 65}/windows").status_code == 404


def test_no_window_once_the_technician_is_on_the_way(client, session, job):
    assert client.post(f"/api/v1/track/{job.tracking_token}/window", json=window(local(23, 10))).status_code == 200
    session.close()  # a fresh read: the test's own snapshot may predate the request
    session.get(Job, job.id).status = JobStatus.EN_ROUTE
    session.commit()
    assert client.get(f"/api/v1/track/{job.tracking_token}/windows").json["windows"] == []
    assert_error_shape(client.post(f"/api/v1/track/{job.tracking_token}/window", json=window(local(24, 10))), 409)
    assert_error_shape(client.post(f"/api/v1/track/{job.tracking_token}/cancel", json={"reason": "Not needed"}), 409)


def test_the_customer_cancels_by_api_with_a_reason(client, session, job):
    assert_error_shape(client.post(f"/api/v1/track/{job.tracking_token}/cancel", json={"reason": "no"}), 422,
                       field="reason")
    response = client.post(f"/api/v1/track/{job.tracking_token}/cancel", json={"reason": "Fixed it myself"})
    assert response.status_code == 200 and response.json["can_choose"] is False
    session.close()  # a fresh read: the test's own snapshot may predate the request
    assert session.get(Job, job.id).status == JobStatus.CANCELLED


def test_the_agent_offers_the_same_windows_and_books_one(client, session, job, token_for):
    headers = token_for("agent.li")
    public = client.get(f"/api/v1/track/{job.tracking_token}/windows").json["windows"]
    staff = client.get(f"/api/v1/jobs/{job.number}/windows", headers=headers)
    assert staff.status_code == 200, staff.json
    assert [(w["start"], w["end"]) for w in staff.json["windows"]] == [(w["start"], w["end"]) for w in public]
    assert all(w["technician_id"] and w["eta"] for w in staff.json["windows"])
    booked = client.post(f"/api/v1/jobs/{job.number}/window", headers=headers, json=window(local(24, 8)))
    assert booked.status_code == 200, booked.json
    session.close()  # a fresh read: the test's own snapshot may predate the request
    stored = session.get(Job, job.id)
    assert stored.window_confirmed_by == "agent.li" and stored.response_kind.value == "window_confirmed"


def test_staff_window_api_needs_a_writer_and_a_known_job(client, session, job, token_for):
    assert client.get(f"/api/v1/jobs/{job.number}/windows").status_code == 401
    viewer = token_for("tech.viewer")
    assert_error_shape(client.post(f"/api/v1/jobs/{job.number}/window", headers=viewer, json=window(local(24, 8))), 403)
    headers = token_for("agent.li")
    assert_error_shape(client.get("/api/v1/jobs/NO-SUCH/windows", headers=headers), 404)
    assert_error_shape(client.post(f"/api/v1/jobs/{job.number}/window", headers=headers,
                                   json={"start": "x" * 5000, "end": "y"}), 422, field="start")


def test_the_tracking_page_shows_windows_and_a_bad_choice_gets_a_readable_message(client, session, job):
    page = client.get(f"/t/{job.tracking_token}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="window-choice"' in html and "10:00–12:00" in html
    token = csrf_from(page)
    before = written(session, job)
    for start, code in [("not a time", 422), ("2026-11-23T12:00:00", 422), ("9" * 500, 422),
                        (local(23, 11).isoformat(), 409), (local(20, 10).isoformat(), 409)]:
        refused = client.post(f"/t/{job.tracking_token}/window", data={"csrf_token": token, "start": start})
        assert refused.status_code == code
        assert 'data-testid="window-error"' in refused.get_data(as_text=True)
    assert written(session, job) == before
    chosen = client.post(f"/t/{job.tracking_token}/window", data={"csrf_token": token,
                                                                   "start": local(23, 14).isoformat()})
    assert chosen.status_code == 303
    confirmed = client.get(f"/t/{job.tracking_token}").get_data(as_text=True)
    assert 'data-testid="window-confirmed"' in confirmed and "14:00" in confirmed and "16:00" in confirmed


def test_cancelling_on_the_page_needs_the_confirmation_and_a_reason(client, session, job):
    token = csrf_from(client.get(f"/t/{job.tracking_token}"))
    before = written(session, job)
    assert client.post(f"/t/{job.tracking_token}/cancel", data={"csrf_token": token, "reason": "Fixed it"}) \
        .status_code == 422
    assert client.post(f"/t/{job.tracking_token}/cancel", data={"csrf_token": token, "reason": "x",
                                                                 "confirm": "yes"}).status_code == 422
    assert written(session, job) == before
    done = client.post(f"/t/{job.tracking_token}/cancel", data={"csrf_token": token, "reason": "Fixed it myself",
                                                                 "confirm": "yes"})
    assert done.status_code == 303
    session.close()  # a fresh read: the test's own snapshot may predate the request
    assert session.get(Job, job.id).status == JobStatus.CANCELLED


def test_the_agent_books_a_window_on_the_job_page(client, session, job):
    sign_in(client, "agent.li")
    page = client.get(f"/agent/jobs/{job.number}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="job-window-choice"' in html
    token = csrf_from(page)
    refused = client.post(f"/agent/jobs/{job.number}/window", data={"csrf_token": token, "start": "garbage"})
    assert refused.status_code == 422 and 'data-testid="job-window-error"' in refused.get_data(as_text=True)
    booked = client.post(f"/agent/jobs/{job.number}/window", data={"csrf_token": token,
                                                                   "start": local(24, 10).isoformat()})
    assert booked.status_code == 303
    html = client.get(f"/agent/jobs/{job.number}").get_data(as_text=True)
    assert 'data-testid="job-window-confirmed"' in html and "agent.li" in html
