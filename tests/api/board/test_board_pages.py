"""The dispatcher's board without a browser: load, at-risk jobs, refused moves, locks, plan preview and apply."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dispatch.jobs.models import Job
from dispatch.planning.models import PlanRun
from tests.api.board.test_dispatch_api import run_worker
from tests.api.test_pages import csrf_from, sign_in
from tests.builders.fieldwork import build_field_world


def test_the_board_shows_load_risk_and_refuses_bad_moves_without_changing_anything(client, session, clock):
    city = build_field_world(session)
    job = city.jobs[0]
    sign_in(client, "dispatch.zhou")
    board = client.get("/dispatch?region=gusu")
    html = board.get_data(as_text=True)
    assert board.status_code == 200 and "2 visits" in html and city.other_job.number in html
    assert 'data-testid="at-risk-count">0<' in html

    token = csrf_from(board)
    form = {"csrf_token": token, "region": "gusu", "day": "2026-11-23"}
    refused = client.post(f"/dispatch/jobs/{job.number}/assignment", data={**form, "technician_id": "99999"})
    assert refused.status_code == 422 and "Choose a technician." in refused.get_data(as_text=True)
    locked = client.post(f"/dispatch/jobs/{job.number}/lock", data={**form, "locked": "1"})
    assert locked.status_code == 303
    session.expire_all()
    assert session.scalar(select(Job.assignment_locked).where(Job.id == job.id)) is True
    session.rollback()
    bad_plan = client.post("/dispatch/plans", data={**form, "time_limit": "600"})
    assert bad_plan.status_code == 422 and "Choose a time limit" in bad_plan.get_data(as_text=True)
    assert client.get("/dispatch?region=atlantis").status_code == 404
    assert client.get("/dispatch?region=gusu&day=someday").status_code == 400

    clock.advance(timedelta(days=3) - timedelta(hours=2))  # two hours before the repair deadlines
    html = client.get("/dispatch?region=gusu").get_data(as_text=True)
    # Dispatch assigned them all, but nobody has spoken to the customers: the responses are overdue first.
    assert 'data-testid="at-risk-count">3<' in html and "response overdue since" in html


def test_a_dispatcher_re_optimises_a_region_previews_the_plan_and_applies_it(client, session):
    build_field_world(session)
    sign_in(client, "dispatch.zhou")
    token = csrf_from(client.get("/dispatch?region=gusu"))
    response = client.post("/dispatch/plans", data={"csrf_token": token, "region": "gusu", "day": "2026-11-23",
                                                    "time_limit": "1"})
    assert response.status_code == 303
    waiting = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'data-testid="plan-waiting"' in waiting and 'http-equiv="refresh"' in waiting  # not solved in the request
    run_worker(client.application)
    preview = client.get(response.headers["Location"])
    html = preview.get_data(as_text=True)
    assert preview.status_code == 200 and 'data-testid="served">3<' in html and "<svg" in html
    assert 'data-testid="plan-changes' in html and 'http-equiv="refresh"' not in html
    applied = client.post(f"{response.headers['Location']}/apply", data={"csrf_token": csrf_from(preview)})
    assert applied.status_code == 303
    session.expire_all()
    assert session.scalar(select(PlanRun.status)) == "applied"
    again = client.post(f"{response.headers['Location']}/apply", data={"csrf_token": csrf_from(preview)})
    assert again.status_code == 409 and "only a finished plan can be applied" in again.get_data(as_text=True)
