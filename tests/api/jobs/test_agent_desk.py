"""The agent's desk and job page: one search box, the queues, taking a new report, and a job page
that answers "when is my technician coming?" with its actions named as actions."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import select

from api.local_time import zone_of
from care.models import MessageChannel, SlaPause
from care.outbox import queue_message
from core.users import Role, User
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job, JobEvent
from dispatch.jobs.status import JobStatus
from dispatch.parts.services import request_part
from inventory.models import JobPart, JobPartState
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.care import TZ, make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.builders.fieldwork import FieldWorld, build_field_world
from tests.conftest import NOW


@dataclass
class Desk:
    field: FieldWorld
    agent: User
    colleague: User
    admin: User


@pytest.fixture
def desk(session) -> Desk:
    field = build_field_world(session, jobs=1)
    desk = Desk(field=field, agent=make_user(session, username="agent.li", role=Role.AGENT),
                colleague=make_user(session, username="agent.wang", role=Role.AGENT),
                admin=make_user(session, username="admin", role=Role.ADMIN))
    session.commit()
    return desk


def _page(client, path: str):
    response = client.get(path)
    return response, response.get_data(as_text=True)


def _cell(html: str, testid: str) -> str:
    return re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.DOTALL).group(1).strip()


def _post(client, page: str, action: str, data: dict):
    return client.post(action, data={"csrf_token": csrf_from(client.get(page)), **data})


# --- the search box -------------------------------------------------------------------------------

def test_the_desk_finds_a_caller_by_the_last_four_digits_with_open_jobs_first(client, session, desk):
    planned = desk.field.jobs[0]
    planned.customer.phone = "+86 131 1001 5293"
    session.commit()
    sign_in(client, "agent.li")
    response, html = _page(client, "/agent?q=5293")
    assert response.status_code == 200
    results = html[html.index('data-testid="job-results"'):html.index('data-testid="asset-results"')]
    assert planned.number in results and desk.field.other_job.number not in results
    assert planned.technician.user.display_name in results  # who comes, on the result line itself
    # The stored text with its +86 and spaces is found from the digits as the caller says them.
    assert planned.number in _page(client, "/agent?q=13110015293")[1]


def test_the_old_serial_and_phone_links_still_search(client, session, desk):
    sign_in(client, "agent.li")
    serial = desk.field.jobs[0].asset.serial
    assert desk.field.jobs[0].number in _page(client, f"/agent?serial={serial}")[1]


def test_the_warranty_until_column_shows_the_end_of_the_free_repair_term(client, session, desk):
    asset = make_asset(session, phone="+86 137 7777 4321")  # bought 2026-03-01, 12 months of free repair
    session.commit()
    sign_in(client, "agent.li")
    html = _page(client, "/agent?q=4321")[1]
    assert _cell(html, "warranty-until") == "2027-03-01"
    assert asset.serial in html


@pytest.mark.parametrize("query", ["123", "x", "z" * 70])
def test_an_unusable_search_is_a_message_on_the_page(client, desk, query):
    sign_in(client, "agent.li")
    response, html = _page(client, f"/agent?q={query}")
    assert response.status_code == 422
    assert 'class="field-error" id="q-error"' in html


def test_a_search_with_a_control_character_is_refused_before_the_page(client, desk):
    sign_in(client, "agent.li")
    assert client.get("/agent?q=52%0093").status_code == 422


# --- queues and taking a new report ---------------------------------------------------------------

def test_a_self_service_report_waits_in_the_new_queue_until_an_agent_takes_it(client, session, desk):
    number = desk.field.jobs[0].number  # reported by QR: nobody owns it
    sign_in(client, "agent.li")
    html = _page(client, "/agent?queue=new")[1]
    queue = html[html.index('data-testid="queue"'):]
    assert number in queue and f"/agent/jobs/{number}/take" in queue
    response = _post(client, "/agent?queue=new", f"/agent/jobs/{number}/take", {})
    assert response.status_code == 303
    session.expire_all()
    job = session.scalar(select(Job).where(Job.number == number))
    assert job.owner_user_id == desk.agent.id
    assert [e.data for e in job.events if e.kind.value == "ownership_changed"] == [
        {"from": "channel:qr", "to": "agent.li"}]
    session.rollback()
    assert number not in _page(client, "/agent?queue=new")[1].split('data-testid="queue"')[1]
    assert number in _page(client, "/agent?queue=mine")[1].split('data-testid="queue"')[1]


def test_a_case_a_colleague_took_first_cannot_be_taken_again(client, session, desk):
    number = desk.field.jobs[0].number
    sign_in(client, "agent.wang")
    assert _post(client, "/agent", f"/agent/jobs/{number}/take", {}).status_code == 303
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/agent"))})
    sign_in(client, "agent.li")
    response = _post(client, "/agent", f"/agent/jobs/{number}/take", {})
    assert response.status_code == 409
    assert "already owns job" in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Job.owner_user_id).where(Job.number == number)) == desk.colleague.id


def test_the_team_and_waiting_queues_hold_colleagues_cases_and_paused_ones(client, session, desk):
    mine = make_open_job(session, asset=make_asset(session), owner=desk.agent, now=NOW)
    theirs = make_open_job(session, asset=make_asset(session), owner=desk.colleague, now=NOW)
    session.add(SlaPause(job_id=theirs.id, started_at=NOW, reason="Customer away until Friday", started_by="agent.wang"))
    session.commit()
    sign_in(client, "agent.li")

    def queue(name: str) -> str:
        return _page(client, f"/agent?queue={name}")[1].split('data-testid="queue"')[1]

    assert mine.number in queue("mine") and theirs.number not in queue("mine")
    assert theirs.number in queue("team") and mine.number not in queue("team")
    assert theirs.number in queue("waiting") and mine.number not in queue("waiting")
    assert _page(client, "/agent?queue=nonsense")[0].status_code == 200  # an unknown queue shows mine


# --- the job page ---------------------------------------------------------------------------------

def test_the_job_page_says_who_comes_when_with_parts_messages_and_history(client, session, desk):
    job = desk.field.jobs[0]
    request_part(session, job=job, part=desk.field.part, quantity=1, actor=Actor(label="tech01"), now=NOW)
    queue_message(session, channel=MessageChannel.WEBHOOK, purpose="survey", recipient="sms:+86 138 1234 5678",
                  subject="How did it go?", body="...", now=NOW + timedelta(minutes=5), job=job)
    queue_message(session, channel=MessageChannel.WEBHOOK, purpose="sla_warning", recipient="user:agent.li",
                  subject="SLA warning for the office", body="...", now=NOW, job=job)
    session.commit()
    sign_in(client, "agent.li")
    response, html = _page(client, f"/agent/jobs/{job.number}")
    assert response.status_code == 200
    local = job.planned_start.astimezone(zone_of(job, TZ))
    assert _cell(html, "technician") == job.technician.user.display_name
    assert _cell(html, "plan-day") == job.plan_day.isoformat()
    assert _cell(html, "eta") == local.strftime("%Y-%m-%d %H:%M")
    answer = _cell(html, "visit-answer")
    assert job.technician.user.display_name in answer and local.strftime("%H:%M") in answer
    parts = html.split('data-testid="parts"')[1].split("</section>")[0]
    assert desk.field.part.sku in parts and "reserved at" in parts
    messages = html.split('data-testid="messages"')[1].split("</section>")[0]
    assert "How did it go?" in messages and "waiting to be sent" in messages
    assert "SLA warning for the office" not in messages  # a colleague's chat message is not the customer's
    events = html.split('data-testid="events"')[1]
    stamps = re.findall(r'<td class="when">([^<]+)</td>', events)
    assert stamps == sorted(stamps) and len(stamps) == len(job.events)


def test_the_job_page_names_its_actions_and_hands_over_to_nobody_by_default(client, desk):
    sign_in(client, "agent.li")
    html = _page(client, f"/agent/jobs/{desk.field.jobs[0].number}")[1]
    assert "Cancel job…" in html and "Hand over to…" in html and "Pause clocks while waiting for the customer" in html
    move_to = html.split("/transition")[1].split("</form>")[0]
    assert 'value="cancelled"' not in move_to  # no one-click cancel
    handover = html.split('id="to_user"')[1].split("</select>")[0]
    first = re.search(r"<option([^>]*)>", handover).group(1)
    assert 'value=""' in first and "selected" in first
    assert 'value="agent.wang"' in handover and 'value="admin"' not in handover


def test_a_hand_over_without_a_colleague_chosen_is_refused(client, session, desk):
    number = desk.field.jobs[0].number
    sign_in(client, "agent.li")
    response = _post(client, f"/agent/jobs/{number}", f"/agent/jobs/{number}/handover",
                     {"to_user": "", "note": "Going home early"})
    assert response.status_code == 422 and "Choose a colleague." in response.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(select(Job.owner_user_id).where(Job.number == number)) is None


def test_cancelling_needs_a_confirmation_and_a_reason_and_never_one_click(client, session, desk):
    job = desk.field.jobs[0]
    request_part(session, job=job, part=desk.field.part, quantity=1, actor=Actor(label="tech01"), now=NOW)
    session.commit()
    number = job.number
    page = f"/agent/jobs/{number}"
    sign_in(client, "agent.li")
    one_click = _post(client, page, f"{page}/transition", {"to": "cancelled"})
    no_confirmation = _post(client, page, f"{page}/cancel", {"reason": "Customer bought a new fridge"})
    no_reason = _post(client, page, f"{page}/cancel", {"reason": "  ", "confirm": "yes"})
    assert (one_click.status_code, no_confirmation.status_code, no_reason.status_code) == (422, 422, 422)
    assert "Say why the job is cancelled" in no_reason.get_data(as_text=True)
    assert "Customer bought a new fridge" in no_confirmation.get_data(as_text=True)  # what was typed is kept
    session.expire_all()
    assert session.scalar(select(Job.status).where(Job.number == number)) == JobStatus.ASSIGNED
    session.rollback()

    done = _post(client, page, f"{page}/cancel", {"reason": "Customer bought a new fridge", "confirm": "yes"})
    assert done.status_code == 303
    session.expire_all()
    job = session.scalar(select(Job).where(Job.number == number))
    assert job.status == JobStatus.CANCELLED and job.technician_id is None
    last = session.scalars(select(JobEvent).where(JobEvent.job_id == job.id, JobEvent.to_status == JobStatus.CANCELLED)).one()
    assert last.note == "Customer bought a new fridge" and last.actor_label == "agent.li"
    assert {line.state for line in session.scalars(select(JobPart).where(JobPart.job_id == job.id))} == {
        JobPartState.RELEASED}


def test_the_clocks_pause_and_resume_from_the_job_page_without_touching_the_stored_deadlines(client, session, desk):
    job = desk.field.jobs[0]
    number, respond_by, repair_by = job.number, job.respond_by, job.repair_by
    page = f"/agent/jobs/{number}"
    sign_in(client, "agent.li")
    assert _post(client, page, f"{page}/pause", {"reason": "x"}).status_code == 422
    assert _post(client, page, f"{page}/pause", {"reason": "Not at home until Friday"}).status_code == 303
    html = _page(client, page)[1]
    assert "paused since" in _cell(html, "clock-state") and "Not at home until Friday" in html
    assert _post(client, page, f"{page}/pause", {"reason": "Again"}).status_code == 409
    assert _post(client, page, f"{page}/resume", {"note": "Back home"}).status_code == 303
    session.expire_all()
    pauses = list(session.scalars(select(SlaPause).where(SlaPause.job_id == job.id)))
    assert len(pauses) == 1 and pauses[0].ended_at is not None
    stored = session.scalar(select(Job).where(Job.number == number))
    assert (stored.respond_by, stored.repair_by) == (respond_by, repair_by)


# --- the search on the API ------------------------------------------------------------------------

def test_the_jobs_api_searches_with_q_open_jobs_first(client, session, desk, token_for):
    first, second = desk.field.jobs[0], desk.field.other_job
    first.customer.phone, second.customer.phone = "+86 131 1001 5293", "131-2222-5293"
    session.commit()
    client.post(f"/api/v1/jobs/{first.number}/transitions", json={"to": "cancelled", "note": "duplicate"},
                headers=token_for("agent.li"))
    found = client.get("/api/v1/jobs?q=5293", headers=token_for("agent.li"))
    assert found.status_code == 200, found.json
    assert [job["number"] for job in found.json] == [second.number, first.number]
    assert [job["number"] for job in client.get("/api/v1/jobs?q=%2B86%20131%201001%205293&status=cancelled",
                                                headers=token_for("agent.li")).json] == [first.number]


@pytest.mark.parametrize("query", ["q=12", "q=" + "z" * 65, "q=x"])
def test_an_unusable_api_search_is_422_on_q(client, desk, token_for, query):
    assert_error_shape(client.get(f"/api/v1/jobs?{query}", headers=token_for("agent.li")), 422, location="query",
                       field="q")


def test_the_search_parameter_is_documented(client):
    parameters = client.get("/api/v1/openapi.json").json["paths"]["/api/v1/jobs"]["get"]["parameters"]
    q = next(p for p in parameters if p["name"] == "q")
    assert "last 4 digits" in q["description"] and q["schema"]["maxLength"] == 64


def test_a_new_report_is_taken_over_the_api_once(client, session, desk, token_for):
    number = desk.field.jobs[0].number
    taken = client.post(f"/api/v1/jobs/{number}/ownership", headers=token_for("agent.li"))
    assert taken.status_code == 200, taken.json
    assert taken.json["owner"]["username"] == "agent.li"
    again = client.post(f"/api/v1/jobs/{number}/ownership", headers=token_for("agent.wang"))
    assert_error_shape(again, 409)
    assert desk.agent.display_name in again.json["message"]
    session.expire_all()
    assert session.scalar(select(Job.owner_user_id).where(Job.number == number)) == desk.agent.id
    assert_error_shape(client.post("/api/v1/jobs/AC-00000000/ownership", headers=token_for("agent.li")), 404)
