"""The board's timeline and the move page without a browser: each technician's day drawn on the hours,
the candidates of a move with their consequences, a confirmed move landing on the day chosen, and bad
input refused with a readable message, changing nothing. The board reads a day of twice the people and
visits in the same number of queries."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.users import Role, User
from dispatch.jobs.models import Escalation, Job, JobEvent
from dispatch.technicians.models import Technician
from tests.api.board.test_board_pages import build_field_world
from tests.api.jobs.test_desk_query_counts import _statements
from tests.api.test_pages import sign_in
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_technician
from tests.builders.fieldwork import TZ, planned_job
from tests.conftest import NOW

TODAY = NOW.astimezone(TZ).date()
TOMORROW = TODAY + timedelta(days=1)


def state(session, job) -> tuple:
    session.expire_all()
    row = session.execute(select(Job.technician_id, Job.plan_day, Job.planned_start, Job.status)
                          .where(Job.id == job.id)).one()
    events = session.scalar(select(func.count()).select_from(JobEvent).where(JobEvent.job_id == job.id))
    session.rollback()
    return (*row, events)


@pytest.fixture
def city(session):
    world = build_field_world(session)
    make_technician(session, region=world.region, skills={"washing": 2}, username="washer")
    make_technician(session, region=world.region, username="weekend",
                    weekdays=[d for d in range(7) if d != TODAY.weekday()])
    session.commit()
    return world


def test_the_board_draws_each_technician_s_day_on_the_hours(client, city):
    sign_in(client, "dispatch.zhou")
    html = client.get("/dispatch?region=gusu").get_data(as_text=True)
    assert 'data-testid="timeline"' in html and "style=" not in html
    for job in [*city.jobs, city.other_job]:
        block = re.search(rf'<a class="tl-visit status-assigned (tl-x\d+ tl-w\d+)"[^>]*data-testid="block-{job.number}"',
                          html)
        assert block, job.number
        assert f'href="/dispatch/jobs/{job.number}/move?board_day=' in html
    assert 'data-testid="timeline-row-weekend"' in html and "tl-track tl-off" in html
    assert html.count('class="tl-travel ') == 3 and 'class="tl-now ' in html
    assert 'name="technician_id"' not in html  # no list of everyone: moving goes through the move page
    assert "08:00" in html and "17:00" in html  # the ruler, in Suzhou's time


def test_the_move_page_lists_who_can_take_the_job_and_a_confirmed_move_lands_on_that_day(client, session, city):
    job = city.other_job
    sign_in(client, "dispatch.zhou")
    page = client.get(f"/dispatch/jobs/{job.number}/move?day={TOMORROW.isoformat()}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "style=" not in html
    assert 'data-testid="candidate-tech01"' in html and 'data-testid="candidate-tech02"' in html
    assert 'data-testid="candidate-washer"' not in html and 'data-testid="excluded-washer"' in html
    assert 'data-testid="candidate-weekend"' in html  # it is the weekend's working day
    today = client.get(f"/dispatch/jobs/{job.number}/move").get_data(as_text=True)
    assert 'data-testid="excluded-weekend"' in today and "not working that day" in today
    assert 'data-testid="consequences-tech01"' in today and "→" in today

    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"',
                           re.search(r'<form[^>]*>(?:(?!</form>).)*data-testid="confirm-tech01".*?</form>', html,
                                     re.DOTALL).group(0)))
    assert form["move_day"] == TOMORROW.isoformat()
    moved = client.post(f"/dispatch/jobs/{job.number}/assignment", data=form)
    assert moved.status_code == 303 and f"day={TOMORROW.isoformat()}" in moved.headers["Location"]
    assert state(session, job)[:2] == (city.tech.id, TOMORROW)
    board = client.get(moved.headers["Location"]).get_data(as_text=True)
    assert f'data-testid="block-{job.number}"' in board and "moved to" in board


def test_a_confirmation_onto_a_day_that_changed_meanwhile_is_refused(client, session, city):
    job = city.other_job
    sign_in(client, "dispatch.zhou")
    html = client.get(f"/dispatch/jobs/{job.number}/move").get_data(as_text=True)
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"',
                           re.search(r'<form[^>]*>(?:(?!</form>).)*data-testid="confirm-tech01".*?</form>', html,
                                     re.DOTALL).group(0)))
    planned_job(session, technician=city.tech, region=city.region, at=(31.305, 120.605))  # someone else's move
    session.commit()
    before = state(session, job)
    refused = client.post(f"/dispatch/jobs/{job.number}/assignment", data=form)
    assert refused.status_code == 409 and "changed since these consequences were shown" in refused.get_data(as_text=True)
    assert state(session, job) == before


@pytest.mark.parametrize("query, status, message", [
    ({"day": "someday"}, 422, "The day must be a date"),
    ({"day": (TODAY - timedelta(days=1)).isoformat()}, 422, "Choose a day from"),
    ({"day": (TODAY + timedelta(days=30)).isoformat()}, 422, "Choose a day from"),
    ({"not_before": "25:00"}, 422, "The time must be written like 13:30."),
    ({"technician": "99999"}, 404, "There is no technician 99999"),
    ({"technician": "9" * 400}, 404, "There is no technician"),
    ({"day": "2026-11-2\x00"}, 422, "cannot be accepted"),
])
def test_bad_input_on_the_move_page_gets_a_readable_refusal(client, city, query, status, message):
    sign_in(client, "dispatch.zhou")
    page = client.get(f"/dispatch/jobs/{city.other_job.number}/move", query_string=query)
    assert page.status_code == status and message in page.get_data(as_text=True)
    assert page.mimetype == "text/html"


def test_unknown_jobs_are_not_found(client, city):
    sign_in(client, "dispatch.zhou")
    assert client.get("/dispatch/jobs/J-NONE/move").status_code == 404
    assert client.get(f"/dispatch/jobs/{'X' * 5000}/move").status_code == 404


@pytest.mark.parametrize("change, status, message", [
    ({"technician_id": "99999"}, 422, "Choose a technician."),
    ({"technician_id": str(2 ** 63)}, 422, "Choose a technician."),
    ({"move_day": ""}, 422, "Choose the day to move the job to."),
    ({"move_day": (TODAY - timedelta(days=1)).isoformat()}, 422, "Choose a day from"),
    ({"move_day": "2026-02-30"}, 422, "The day must be a date"),
    ({"not_before": "later"}, 422, "The time must be written like 13:30."),
    ({"not_before": "16:55"}, 409, "has no room for job"),
    ({"seen": "0" * 16}, 409, "changed since these consequences were shown"),
    ({"not_before": "10:\x00"}, 422, "cannot be accepted"),
])
def test_a_bad_confirmation_is_refused_and_changes_nothing(client, session, city, change, status, message):
    job = city.other_job
    sign_in(client, "dispatch.zhou")
    html = client.get(f"/dispatch/jobs/{job.number}/move").get_data(as_text=True)
    form = dict(re.findall(r'name="([^"]+)" value="([^"]*)"',
                           re.search(r'<form[^>]*>(?:(?!</form>).)*data-testid="confirm-tech01".*?</form>', html,
                                     re.DOTALL).group(0)))
    before = state(session, job)
    refused = client.post(f"/dispatch/jobs/{job.number}/assignment", data={**form, **change})
    assert refused.status_code == status and message in refused.get_data(as_text=True), refused.get_data(as_text=True)[-3000:]
    assert refused.mimetype == "text/html"
    assert state(session, job) == before


def test_the_board_costs_the_same_queries_for_twice_the_technicians_and_visits(app, client, session):
    city = build_field_world(session)
    sign_in(client, "dispatch.zhou")
    few = _statements(app, client, "/dispatch?region=gusu")
    for n in range(3):
        technician = make_technician(session, region=city.region, home=(31.31 + 0.01 * n, 120.62))
        planned_job(session, technician=technician, region=city.region, at=(31.32 + 0.01 * n, 120.63))
    session.commit()
    html = client.get("/dispatch?region=gusu").get_data(as_text=True)
    assert html.count('class="tl-visit ') == 6 and html.count('data-drop-technician=') == 5
    many = _statements(app, client, "/dispatch?region=gusu")
    assert len(many) == len(few), "\n".join(many)


def _at_risk_and_escalated(session, city, lent_from, dispatchers, n: int) -> None:
    """A job at risk, done by a technician lent from another region (not on this board), and an
    escalation on it acknowledged by one person and resolved by another: each row's relations are
    new to the request, so only loading them with their rows keeps the count flat."""
    technician = make_technician(session, region=lent_from, home=(31.31, 120.62))
    job = planned_job(session, technician=city.tech, region=city.region, at=(31.35 + 0.01 * n, 120.66))
    job.technician, job.repair_by = technician, NOW + timedelta(hours=1)
    acknowledged_by, resolved_by = dispatchers
    session.add(Escalation(job=job, kind="sla_warning", reason="Repair due soon", raised_at=NOW,
                           acknowledged_at=NOW, acknowledged_by=acknowledged_by, acknowledged_note="calling",
                           resolved_at=NOW, resolved_by=resolved_by, resolution_note="rescheduled"))
    session.add(Escalation(job=job, kind="sla_warning", reason="Repair due", raised_at=NOW,
                           acknowledged_at=NOW, acknowledged_by=resolved_by))


def test_the_board_costs_the_same_queries_for_twice_the_jobs_at_risk_and_escalations(app, client, session):
    city = build_field_world(session)
    lent_from = make_region(session, code="wuzhong")
    for n in range(2):
        _at_risk_and_escalated(session, city, lent_from, [make_user(session, role=Role.DISPATCHER)
                                                          for _ in range(2)], n)
    session.commit()
    sign_in(client, "dispatch.zhou")
    path = "/dispatch?region=gusu&escalations=all"
    few_html = client.get(path).get_data(as_text=True)
    few = _statements(app, client, path)
    for n in range(2, 4):
        _at_risk_and_escalated(session, city, lent_from, [make_user(session, role=Role.DISPATCHER)
                                                          for _ in range(2)], n)
    session.commit()
    html = client.get(path).get_data(as_text=True)
    assert _count(few_html, "at-risk-count") == 2 and _count(html, "at-risk-count") == 4
    assert _count(few_html, "escalation-count") == 4 and _count(html, "escalation-count") == 8
    assert html.count("Resolved by ") == 4 and html.count("Acknowledged by ") == 8
    many = _statements(app, client, path)
    assert len(many) == len(few), "\n".join(many)


def _count(html: str, testid: str) -> int:
    return int(re.search(rf'data-testid="{testid}">(\d+)<', html).group(1))


def test_the_timeline_grid_stylesheet_is_the_one_the_timeline_module_writes():
    from pathlib import Path

    from api.board.timeline import grid_css

    written = Path(__file__).resolve().parents[3] / "api" / "static" / "timeline-grid.css"
    assert written.read_text() == grid_css(), "run: python -c 'from api.board.timeline import grid_css; ...'"


def test_work_under_way_cannot_be_moved_and_the_page_says_why(client, session, city):
    from dispatch.jobs.status import JobStatus

    job = city.jobs[0]
    job.status = JobStatus.EN_ROUTE
    session.commit()
    sign_in(client, "dispatch.zhou")
    page = client.get(f"/dispatch/jobs/{job.number}/move")
    assert page.status_code == 409 and "is already under way" in page.get_data(as_text=True)
    assert 'data-testid="candidates"' not in page.get_data(as_text=True)
    board = client.get("/dispatch?region=gusu").get_data(as_text=True)
    assert f'data-testid="move-{job.number}"' not in board
    block = re.search(rf'<a class="tl-visit status-en_route[^>]*data-testid="block-{job.number}"[^>]*>', board, re.DOTALL)
    assert block and "data-move-url" not in block.group(0)


def test_the_move_page_costs_the_same_queries_for_twice_the_candidates(app, client, session):
    city = build_field_world(session)
    sign_in(client, "dispatch.zhou")
    path = f"/dispatch/jobs/{city.other_job.number}/move"
    few = _statements(app, client, path)
    for n in range(3):
        technician = make_technician(session, region=city.region, home=(31.31 + 0.01 * n, 120.62))
        planned_job(session, technician=technician, region=city.region, at=(31.32 + 0.01 * n, 120.63))
    session.commit()
    assert client.get(path).get_data(as_text=True).count('data-testid="confirm-') == 5
    many = _statements(app, client, path)
    assert len(many) == len(few), "\n".join(many)


def test_a_technician_dropped_on_who_cannot_take_the_job_is_named_with_the_reason(client, session, city):
    washer = session.scalar(select(Technician).join(User).where(User.username == "washer"))
    sign_in(client, "dispatch.zhou")
    page = client.get(f"/dispatch/jobs/{city.other_job.number}/move?technician={washer.id}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "cannot take this job on" in html and "not qualified" in html


def test_a_move_breaking_a_promised_window_shows_the_warning_and_offers_no_confirmation(client, session, city):
    job = session.get(Job, city.other_job.id)
    job.window_start, job.window_end = job.planned_start - timedelta(minutes=30), job.planned_start + timedelta(hours=1)
    session.commit()
    sign_in(client, "dispatch.zhou")
    html = client.get(f"/dispatch/jobs/{job.number}/move?day={TOMORROW.isoformat()}").get_data(as_text=True)
    assert f"Would break the promised window of {job.number}" in html
    assert 'data-testid="confirm-' not in html and "Would break a promised window: not offered." in html


def test_a_job_whose_appliance_is_in_no_region_cannot_be_moved_here(client, session, city):
    from dispatch.intake.services import FaultReport, report_fault
    from dispatch.jobs.audit import CUSTOMER
    from dispatch.jobs.models import Channel
    from tests.builders.dispatch import make_asset

    job = report_fault(session, asset=make_asset(session, region=None), actor=CUSTOMER, now=NOW, tz=TZ,
                       report=FaultReport(channel=Channel.QR, fault_text="Not cooling at all", contact_name="Wang",
                                          contact_phone="+86 138 0000 0003")).job
    session.commit()
    sign_in(client, "dispatch.zhou")
    page = client.get(f"/dispatch/jobs/{job.number}/move")
    assert page.status_code == 409 and "is in no service region" in page.get_data(as_text=True)


def test_hostile_query_values_on_the_move_page_never_answer_a_server_error(client, session, city):
    from tests.api.test_form_fuzz import CONTROL, HOSTILE

    sign_in(client, "dispatch.zhou")
    before = state(session, city.other_job)
    answers = set()
    for name in ("day", "not_before", "technician", "board_day"):
        for value in HOSTILE + CONTROL:
            page = client.get(f"/dispatch/jobs/{city.other_job.number}/move", query_string={name: value})
            assert page.status_code < 500 and page.mimetype == "text/html", (name, value, page.status_code)
            answers.add(page.status_code)
    assert answers <= {200, 404, 409, 422}
    assert state(session, city.other_job) == before
