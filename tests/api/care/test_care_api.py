"""Close the loop over HTTP: the survey page and API (bad input and second answers refused, nothing
written), follow-up tasks, SLA pauses, and the dashboard for managers only."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from care.models import FollowUpTask, OutboxMessage, SlaPause, Survey, TaskKind
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job, JobEvent
from dispatch.jobs.status import JobStatus
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.care import complete_job, make_open_job
from tests.builders.core import make_user
from tests.conftest import NOW


@pytest.fixture
def completed(session, world, clock):
    make_user(session, username="manager.xu", role=Role.MANAGER)
    job = make_open_job(session, asset=world.asset, owner=world.agent, now=NOW - timedelta(days=2))
    complete_job(session, job, actor=Actor.staff(world.agent), now=NOW - timedelta(days=2))
    session.commit()
    survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
    return job, survey


@pytest.fixture
def care_counts(session):
    def snapshot() -> dict[str, int]:
        session.rollback()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (FollowUpTask, OutboxMessage, JobEvent, SlaPause)}
        counted["answered"] = session.scalar(select(func.count()).select_from(Survey).where(Survey.answered_at.is_not(None)))
        session.rollback()
        return counted

    return snapshot


# --- survey API -------------------------------------------------------------------------------------

def test_a_survey_is_answered_once_over_the_api(client, completed, session):
    job, survey = completed
    view = client.get(f"/api/v1/surveys/{survey.token}")
    assert view.status_code == 200 and view.json == {
        "job_number": job.number, "model": job.asset.product_model.name, "answered": False, "answered_at": None,
        "completed_at": view.json["completed_at"]}
    response = client.post(f"/api/v1/surveys/{survey.token}",
                           json={"rating": 2, "fixed": False, "problem_areas": ["product"], "comment": "still warm"})
    assert response.status_code == 201, response.json
    assert response.json["outcome"] == "follow_up_visit" and response.json["answered"] is True
    session.rollback()
    assert session.get(Job, job.id).status == JobStatus.TRIAGED

    again = client.post(f"/api/v1/surveys/{survey.token}", json={"rating": 5, "fixed": True})
    assert_error_shape(again, 409)
    assert "already answered" in again.json["message"]


@pytest.mark.parametrize("body, field", [
    ({"rating": 0, "fixed": True}, "rating"),
    ({"rating": 6, "fixed": True}, "rating"),
    ({"rating": "x", "fixed": True}, "rating"),
    ({"rating": 4.5, "fixed": True}, "rating"),
    ({"fixed": True}, "rating"),
    ({"rating": 4}, "fixed"),
    ({"rating": 4, "fixed": "maybe"}, "fixed"),
    ({"rating": 4, "fixed": True, "problem_areas": ["weather"]}, "problem_areas"),
    ({"rating": 4, "fixed": True, "comment": "x" * 2001}, "comment"),
])
def test_bad_survey_answers_are_refused_with_the_field_and_write_nothing(client, completed, care_counts, body, field):
    _, survey = completed
    before = care_counts()
    response = client.post(f"/api/v1/surveys/{survey.token}", json=body)
    assert_error_shape(response, 422, field=field)
    assert care_counts() == before


def test_an_unknown_survey_token_is_404(client, completed, care_counts):
    before = care_counts()
    assert_error_shape(client.get("/api/v1/surveys/not-a-real-token-at-all"), 404)
    assert_error_shape(client.post("/api/v1/surveys/not-a-real-token-at-all", json={"rating": 5, "fixed": True}), 404)
    assert care_counts() == before


# --- survey page ------------------------------------------------------------------------------------

def test_the_survey_page_refuses_bad_input_then_thanks_and_refuses_a_second_answer(client, completed, care_counts):
    job, survey = completed
    page = client.get(f"/s/{survey.token}")
    assert page.status_code == 200 and "How did we do?" in page.get_data(as_text=True)
    token = csrf_from(page)
    before = care_counts()
    for rating in ("0", "6", "x", ""):
        bad = client.post(f"/s/{survey.token}", data={"csrf_token": token, "rating": rating, "fixed": "yes"})
        assert bad.status_code == 422 and "Please choose a rating from 1 to 5." in bad.get_data(as_text=True)
    bad = client.post(f"/s/{survey.token}", data={"csrf_token": token, "rating": "4"})
    assert bad.status_code == 422 and "whether the problem was fixed" in bad.get_data(as_text=True)
    assert 'value="4" checked' in bad.get_data(as_text=True)  # what was chosen stays chosen
    assert care_counts() == before

    done = client.post(f"/s/{survey.token}", data={"csrf_token": token, "rating": "3", "fixed": "yes",
                                                   "problem_areas": ["attitude", "communication"], "comment": "Rude"})
    assert done.status_code == 303
    thanks = client.get(done.headers["Location"])
    assert "A supervisor will call you personally." in thanks.get_data(as_text=True)
    after = care_counts()
    assert after["answered"] == 1 and after["FollowUpTask"] == before["FollowUpTask"] + 2  # owner + supervisor call

    again = client.post(f"/s/{survey.token}", data={"csrf_token": token, "rating": "5", "fixed": "yes"})
    assert again.status_code == 409 and "already answered this survey" in again.get_data(as_text=True)
    assert care_counts() == after


def test_the_survey_page_speaks_chinese_and_unknown_links_get_a_friendly_404(client, completed):
    _, survey = completed
    html = client.get(f"/s/{survey.token}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "服务评价" in html and "问题解决了吗" in html
    missing = client.get("/s/0123456789abcdefghij")
    assert missing.status_code == 404 and "<html" in missing.get_data(as_text=True)


# --- tasks ------------------------------------------------------------------------------------------

def test_tasks_are_listed_for_their_owner_and_closed_with_an_outcome(client, completed, session, token_for, world):
    job, survey = completed
    client.post(f"/api/v1/surveys/{survey.token}", json={"rating": 1, "fixed": False})
    mine = client.get("/api/v1/tasks", headers=token_for(world.agent.username))
    assert mine.status_code == 200
    [task] = mine.json
    assert task["kind"] == "case_reopened" and task["job_number"] == job.number and task["assignee"] == "agent.li"
    other = client.get("/api/v1/tasks", headers=token_for(world.other_agent.username)).json
    assert other == []

    refused = client.post(f"/api/v1/tasks/{task['id']}/done", json={"outcome": "resolved"},
                          headers=token_for(world.other_agent.username))
    assert_error_shape(refused, 403)
    assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/done", json={"outcome": "maybe"},
                                   headers=token_for("agent.li")), 422, field="outcome")
    assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/done", json={"outcome": "follow_up"},
                                   headers=token_for("agent.li")), 422, field="note")
    done = client.post(f"/api/v1/tasks/{task['id']}/done", json={"outcome": "follow_up", "note": "Visit booked Fri"},
                       headers=token_for("agent.li"))
    assert done.status_code == 200 and done.json["outcome"] == "follow_up" and done.json["done_at"]
    assert_error_shape(client.post(f"/api/v1/tasks/{task['id']}/done", json={"outcome": "resolved"},
                                   headers=token_for("agent.li")), 409)
    assert_error_shape(client.post("/api/v1/tasks/99999/done", json={"outcome": "resolved"},
                                   headers=token_for("agent.li")), 404)
    # The supervisor sees their own task; technicians have no task list.
    assert [t["kind"] for t in client.get("/api/v1/tasks", headers=token_for("manager.xu")).json] == ["supervisor_review"]
    assert_error_shape(client.get("/api/v1/tasks", headers=token_for(world.technician.username)), 403)


def test_the_tasks_page_closes_a_task_and_refuses_a_missing_outcome(client, completed, session, world):
    _, survey = completed
    client.post(f"/api/v1/surveys/{survey.token}", json={"rating": 2, "fixed": True})
    sign_in(client, world.agent.username)
    page = client.get("/tasks")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Case reopened" in html
    session.rollback()  # see what the requests committed
    task_id = session.scalar(select(FollowUpTask.id).where(FollowUpTask.kind == TaskKind.CASE_REOPENED))
    session.rollback()
    refused = client.post(f"/tasks/{task_id}/done", data={"csrf_token": csrf_from(page), "outcome": ""})
    assert refused.status_code == 422 and "Choose how the call ended." in refused.get_data(as_text=True)
    done = client.post(f"/tasks/{task_id}/done", data={"csrf_token": csrf_from(page), "outcome": "resolved",
                                                       "note": "Apologised; customer happy"})
    assert done.status_code == 303
    assert "Apologised; customer happy" in client.get("/tasks").get_data(as_text=True)


# --- SLA pause --------------------------------------------------------------------------------------

def test_a_job_waiting_for_the_customer_pauses_and_resumes_its_clocks(client, session, world, agent_headers, clock,
                                                                     care_counts):
    job = make_open_job(session, asset=world.asset, owner=world.agent, now=NOW)
    session.commit()
    base = f"/api/v1/jobs/{job.number}/sla"
    before = care_counts()
    assert_error_shape(client.post(f"{base}/pause", json={"reason": ""}, headers=agent_headers), 422, field="reason")
    assert_error_shape(client.delete(f"{base}/pause", json={}, headers=agent_headers), 409)
    assert care_counts() == before
    paused = client.post(f"{base}/pause", json={"reason": "Customer abroad until Monday"}, headers=agent_headers)
    assert paused.status_code == 200 and paused.json["paused"] is True
    assert_error_shape(client.post(f"{base}/pause", json={"reason": "again"}, headers=agent_headers), 409)
    clock.advance(timedelta(hours=1))
    resumed = client.delete(f"{base}/pause", json={"note": "back"}, headers=agent_headers)
    response = {c["clock"]: c for c in resumed.json["clocks"]}["response"]
    assert resumed.json["paused"] is False and response["paused_minutes"] == 60 and response["used_minutes"] == 0
    assert_error_shape(client.get("/api/v1/jobs/AC-NOPE0000/sla", headers=agent_headers), 404)


# --- dashboard --------------------------------------------------------------------------------------

def test_the_dashboard_is_for_managers_only(client, completed, world, token_for):
    assert_error_shape(client.get("/api/v1/care/dashboard", headers=token_for(world.agent.username)), 403)
    assert_error_shape(client.get("/api/v1/care/dashboard"), 401)
    sign_in(client, world.agent.username)
    assert client.get("/manager/dashboard").status_code == 403


def test_the_dashboard_api_gives_the_numbers_against_their_targets(client, completed, token_for):
    _, survey = completed
    client.post(f"/api/v1/surveys/{survey.token}", json={"rating": 5, "fixed": True})
    headers = token_for("manager.xu")
    board = client.get("/api/v1/care/dashboard", headers=headers)
    assert board.status_code == 200, board.json
    metrics = {m["key"]: m for m in board.json["metrics"]}
    assert metrics["satisfaction"] == {**metrics["satisfaction"], "hit": 1, "total": 1, "share": 1.0, "target": 0.95,
                                       "on_target": True}
    assert metrics["response"]["total"] == 1 and metrics["repair"]["total"] == 1
    assert board.json["trend_unit"] == "week" and len(board.json["trend"]) == 4
    assert board.json["escalations"] == {"open": 0, "acknowledged": 0, "resolved": 0}
    assert board.json["kpis"]["first_time_fix"] == {"hit": 1, "total": 1, "share": 1.0}
    assert board.json["kpis"]["cycle_jobs"] == 1 and board.json["kpis"]["cycle_target_hours"] == 48
    assert board.json["previous"]["kpis"]["cycle_jobs"] == 0 and len(board.json["previous"]["metrics"]) == 3
    assert_error_shape(client.get("/api/v1/care/dashboard?from=2026-11-20&to=2026-11-01", headers=headers), 422,
                       location="query", field="to")
    assert_error_shape(client.get("/api/v1/care/dashboard?from=2024-01-01&to=2026-11-01", headers=headers), 422,
                       location="query", field="to")
    assert_error_shape(client.get("/api/v1/care/dashboard?from=yesterday", headers=headers), 422,
                       location="query", field="from")


@pytest.mark.boundary_matrix
@pytest.mark.parametrize(("query", "field"), [
    ("to=9999-12-31", "to"), ("from=9999-12-01&to=9999-12-31", "from"), ("to=0001-01-05", "to"),
    ("from=0001-01-01&to=0001-01-20", "from"), ("from=0001-01-01", "from"), ("from=1969-12-31&to=1970-01-10", "from"),
])
def test_a_period_at_the_ends_of_the_calendar_is_refused_with_a_message(client, completed, token_for, query,
                                                                        field):
    refused = client.get(f"/api/v1/care/dashboard?{query}", headers=token_for("manager.xu"))
    assert_error_shape(refused, 422, location="query", field=field)
    assert "1970-01-01" in str(refused.json)
    sign_in(client, "manager.xu")
    page = client.get(f"/manager/dashboard?{query}")
    assert page.status_code == 422
    assert "1970-01-01" in page.get_data(as_text=True)  # the reason, above the default four weeks


def test_the_first_days_of_the_calendar_still_give_a_dashboard(client, completed, token_for):
    board = client.get("/api/v1/care/dashboard?to=1970-01-03", headers=token_for("manager.xu"))
    assert board.status_code == 200, board.json
    assert (board.json["from"], board.json["to"]) == ("1970-01-01", "1970-01-03")
    assert client.get("/api/v1/care/dashboard?from=9998-12-01&to=9998-12-31",
                      headers=token_for("manager.xu")).status_code == 200
