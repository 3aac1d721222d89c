"""The dispatcher API over real requests: routes of a day, moves, locks, plans, escalations."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from cli.worker import process_queue
from core.users import Role
from dispatch.jobs.models import Job
from dispatch.planning.models import PlanRun
from tests.api.conftest import assert_error_shape, report_body
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset, make_technician


@pytest.fixture
def city(session):
    region = make_region(session, code="gusu")
    fridge = make_technician(session, region=region, skills={"refrigeration": 2}, username="tech.fridge")
    other_fridge = make_technician(session, region=region, skills={"refrigeration": 3}, home=(31.35, 120.66),
                                   username="tech.fridge2")
    washer = make_technician(session, region=region, skills={"laundry": 2}, username="tech.washer")
    assets = [make_asset(session, region=region, at=(31.30 + n * 0.01, 120.60 + n * 0.01)) for n in range(4)]
    make_user(session, username="dispatch.zhou", role=Role.DISPATCHER)
    make_user(session, username="agent.li", role=Role.AGENT)
    session.commit()
    return {"region": region, "fridge": fridge, "other_fridge": other_fridge, "washer": washer, "assets": assets}


@pytest.fixture
def dispatcher(token_for, city):
    return token_for("dispatch.zhou")


def run_worker(app) -> int:
    """Run every due work item, batch after batch (the customer's messages queue beside the plans)."""
    services = app.extensions["aftercare"]
    total = 0
    for _ in range(50):
        ran = process_queue(services.session_factory, services.settings, services.clock, worker="test")
        total += ran
        if not ran:
            return total
    raise AssertionError("work items keep coming")


def reported(client, app, asset) -> str:
    number = client.post("/api/v1/reports", json=report_body(asset)).json["number"]
    run_worker(app)
    return number


def test_a_reported_job_is_planned_by_the_worker_and_the_customer_sees_the_eta(client, app, city, dispatcher):
    created = client.post("/api/v1/reports", json=report_body(city["assets"][0])).json
    # the dispatch, the "report received" message, then the "technician assigned" one the dispatch queued
    assert run_worker(app) == 3
    job = client.get(f"/api/v1/jobs/{created['number']}", headers=dispatcher).json
    assert job["status"] == "assigned" and job["dispatch_state"] == "planned"
    assert job["technician"]["username"] in ("tech.fridge", "tech.fridge2")
    tracking = client.get(f"/api/v1/tracking/{created['tracking_url'].rsplit('/', 1)[1]}").json
    assert tracking["planned_start"] == job["planned_start"] and tracking["technician_name"]


def test_the_region_day_lists_each_technicians_stops_and_the_waiting_jobs(client, app, city, dispatcher):
    numbers = {reported(client, app, asset) for asset in city["assets"]}
    day = client.get("/api/v1/dispatch/routes?region=gusu&day=2026-11-23", headers=dispatcher)
    assert day.status_code == 200
    stops = {s["job"] for t in day.json["technicians"] for s in t["stops"]}
    assert stops == numbers and day.json["waiting"] == []
    washer = next(t for t in day.json["technicians"] if t["technician"]["username"] == "tech.washer")
    assert washer["stops"] == [] and washer["working"]["start"].startswith("2026-11-23T08:00:00")
    svg = client.get("/api/v1/dispatch/routes/map.svg?region=gusu&day=2026-11-23", headers=dispatcher)
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml" and svg.data.count(b"<circle") == 4


@pytest.mark.parametrize("query, field", [("", "region"), ("region=atlantis", "region"),
                                          ("region=gusu&day=tomorrow", "day"), ("region=gusu&day=2026-13-01", "day")])
def test_bad_route_queries_are_422(client, city, dispatcher, query, field):
    assert_error_shape(client.get(f"/api/v1/dispatch/routes?{query}", headers=dispatcher), 422, location="query",
                       field=field)


def test_moving_a_job_is_checked_for_skill_and_changes_nothing_when_refused(client, app, city, dispatcher, session):
    number = reported(client, app, city["assets"][0])
    before = client.get(f"/api/v1/jobs/{number}", headers=dispatcher).json
    refused = client.post(f"/api/v1/jobs/{number}/assignment", json={"technician_id": city["washer"].id},
                          headers=dispatcher)
    assert_error_shape(refused, 409, field="technician_id")
    assert "does not have the 'refrigeration' skill" in refused.json["message"]
    assert client.get(f"/api/v1/jobs/{number}", headers=dispatcher).json == before

    target = city["other_fridge"] if before["technician"]["id"] == city["fridge"].id else city["fridge"]
    moved = client.post(f"/api/v1/jobs/{number}/assignment", json={"technician_id": target.id}, headers=dispatcher)
    assert moved.status_code == 200 and moved.json["technician"]["id"] == target.id
    kinds = [e["kind"] for e in client.get(f"/api/v1/jobs/{number}/events", headers=dispatcher).json]
    assert "replanned" in kinds or kinds.count("planned") == 2


def test_moving_to_a_technician_who_is_off_is_refused(client, app, city, dispatcher, session):
    from datetime import date

    from dispatch.technicians.models import TechnicianDayOff

    number = reported(client, app, city["assets"][0])
    current = client.get(f"/api/v1/jobs/{number}", headers=dispatcher).json["technician"]["id"]
    target = city["other_fridge"] if current == city["fridge"].id else city["fridge"]
    for n in range(23, 31):  # off for the rest of the month: past the repair deadline
        session.add(TechnicianDayOff(technician_id=target.id, day=date(2026, 11, n), reason="leave"))
    session.commit()
    refused = client.post(f"/api/v1/jobs/{number}/assignment", json={"technician_id": target.id}, headers=dispatcher)
    assert_error_shape(refused, 409, field="technician_id")
    assert client.get(f"/api/v1/jobs/{number}", headers=dispatcher).json["technician"]["id"] == current


@pytest.mark.parametrize("body, field", [({}, "technician_id"), ({"technician_id": "three"}, "technician_id"),
                                         ({"technician_id": 0}, "technician_id"), ({"technician_id": 99999}, "technician_id")])
def test_bad_moves_are_422(client, app, city, dispatcher, body, field):
    number = reported(client, app, city["assets"][0])
    assert_error_shape(client.post(f"/api/v1/jobs/{number}/assignment", json=body, headers=dispatcher), 422, field=field)


def test_lock_and_unlock_are_audited_and_only_planned_jobs_can_be_locked(client, app, city, dispatcher):
    waiting = client.post("/api/v1/reports", json=report_body(city["assets"][1])).json["number"]
    assert_error_shape(client.put(f"/api/v1/jobs/{waiting}/lock", headers=dispatcher), 409)
    number = reported(client, app, city["assets"][0])
    assert client.put(f"/api/v1/jobs/{number}/lock", headers=dispatcher).json["assignment_locked"] is True
    assert client.delete(f"/api/v1/jobs/{number}/lock", headers=dispatcher).json["assignment_locked"] is False
    kinds = [e["kind"] for e in client.get(f"/api/v1/jobs/{number}/events", headers=dispatcher).json]
    assert kinds[-2:] == ["locked", "unlocked"]


def test_agents_may_look_but_not_move(client, app, city, token_for):
    agent = token_for("agent.li")
    number = reported(client, app, city["assets"][0])
    assert client.get("/api/v1/dispatch/routes?region=gusu", headers=agent).status_code == 200
    assert_error_shape(client.post(f"/api/v1/jobs/{number}/assignment", json={"technician_id": 1}, headers=agent), 403)
    assert_error_shape(client.post("/api/v1/dispatch/plans", json={"region": "gusu"}, headers=agent), 403)


def test_a_plan_is_submitted_polled_previewed_and_applied(client, app, city, dispatcher, session):
    numbers = [reported(client, app, asset) for asset in city["assets"]]
    submitted = client.post("/api/v1/dispatch/plans", json={"region": "gusu", "day": "2026-11-23", "time_limit_s": 1},
                            headers=dispatcher)
    assert submitted.status_code == 202 and submitted.json["status"] == "queued"
    plan_id = submitted.json["id"]
    assert client.get(f"/api/v1/dispatch/plans/{plan_id}", headers=dispatcher).json["status"] == "queued"
    assert_error_shape(client.post(f"/api/v1/dispatch/plans/{plan_id}/apply", headers=dispatcher), 409)
    run_worker(app)
    done = client.get(f"/api/v1/dispatch/plans/{plan_id}", headers=dispatcher).json
    assert done["status"] == "done"
    assert {s["job"] for r in done["result"]["routes"] for s in r["stops"]} == set(numbers)
    assert done["result"]["travel_seconds"] <= done["result"]["travel_seconds_before"]
    svg = client.get(f"/api/v1/dispatch/plans/{plan_id}/map.svg", headers=dispatcher)
    assert svg.status_code == 200 and b"<polyline" in svg.data
    applied = client.post(f"/api/v1/dispatch/plans/{plan_id}/apply", headers=dispatcher)
    assert applied.status_code == 200 and applied.json["status"] == "applied"
    proposed = {s["job"]: r["technician_id"] for r in done["result"]["routes"] for s in r["stops"]}
    for number, technician_id in proposed.items():
        assert client.get(f"/api/v1/jobs/{number}", headers=dispatcher).json["technician"]["id"] == technician_id


def test_a_plan_computed_before_the_routes_changed_is_refused_as_stale(client, app, city, dispatcher):
    reported(client, app, city["assets"][0])
    plan_id = client.post("/api/v1/dispatch/plans", json={"region": "gusu", "time_limit_s": 1},
                          headers=dispatcher).json["id"]
    run_worker(app)
    reported(client, app, city["assets"][1])  # a new job lands in the routes after the solve
    refused = client.post(f"/api/v1/dispatch/plans/{plan_id}/apply", headers=dispatcher)
    assert_error_shape(refused, 409)
    assert "changed after plan" in refused.json["message"]
    assert client.get(f"/api/v1/dispatch/plans/{plan_id}", headers=dispatcher).json["status"] == "stale"


@pytest.mark.parametrize("body, field", [({}, "region"), ({"region": "atlantis"}, "region"),
                                         ({"region": "gusu", "time_limit_s": 0}, "time_limit_s"),
                                         ({"region": "gusu", "time_limit_s": 10000}, "time_limit_s"),
                                         ({"region": "gusu", "day": "2026-11-01"}, "day"),
                                         ({"region": "gusu", "apply": "perhaps"}, "apply")])
def test_bad_plan_requests_are_422_and_queue_nothing(client, city, dispatcher, session, body, field):
    assert_error_shape(client.post("/api/v1/dispatch/plans", json=body, headers=dispatcher), 422, field=field)
    assert session.scalars(select(PlanRun)).all() == []


def test_unknown_plans_are_404(client, city, dispatcher):
    assert_error_shape(client.get("/api/v1/dispatch/plans/424242", headers=dispatcher), 404)


def test_unassignable_jobs_are_listed_as_escalations(client, app, session, city, dispatcher):
    from tests.builders.dispatch import make_model

    washer_asset = make_asset(session, region=city["region"], model=make_model(session, skill="hvac"))
    session.commit()
    number = reported(client, app, washer_asset)
    escalations = client.get("/api/v1/escalations", headers=dispatcher).json
    assert [e["job"] for e in escalations] == [number]
    assert "'hvac' skill" in escalations[0]["reason"]
    assert session.scalar(select(Job.dispatch_state).where(Job.number == number)) == "unassignable"


def test_a_technician_sees_only_their_own_day_with_etas(client, app, city, token_for):
    numbers = {reported(client, app, asset) for asset in city["assets"]}
    mine = client.get("/api/v1/technicians/me/route?day=2026-11-23", headers=token_for("tech.fridge")).json
    theirs = client.get("/api/v1/technicians/me/route?day=2026-11-23", headers=token_for("tech.fridge2")).json
    assert mine["technician"]["username"] == "tech.fridge"
    my_jobs, their_jobs = {s["job"] for s in mine["stops"]}, {s["job"] for s in theirs["stops"]}
    assert my_jobs | their_jobs == numbers and not my_jobs & their_jobs
    assert all(s["planned_start"] for s in mine["stops"])
    assert client.get("/api/v1/technicians/me/route", headers=token_for("tech.washer")).json["stops"] == []
    assert_error_shape(client.get("/api/v1/technicians/me/route?day=soon", headers=token_for("tech.fridge")), 422,
                       location="query", field="day")
    assert_error_shape(client.get("/api/v1/technicians/me/route", headers=token_for("dispatch.zhou")), 403)


def test_a_move_on_a_given_day_lands_on_that_day_or_is_refused(client, app, city, dispatcher, session):
    number = reported(client, app, city["assets"][0])
    before = client.get(f"/api/v1/jobs/{number}", headers=dispatcher).json
    target = city["other_fridge"] if before["technician"]["id"] == city["fridge"].id else city["fridge"]
    too_late = client.post(f"/api/v1/jobs/{number}/assignment", json={"technician_id": target.id, "day": "2026-12-20"},
                           headers=dispatcher)
    assert_error_shape(too_late, 409, field="day")
    assert client.get(f"/api/v1/jobs/{number}", headers=dispatcher).json == before
    moved = client.post(f"/api/v1/jobs/{number}/assignment", headers=dispatcher,
                        json={"technician_id": target.id, "day": "2026-11-24", "not_before": "2026-11-24T13:00:00+08:00"})
    assert moved.status_code == 200 and moved.json["technician"]["id"] == target.id
    assert moved.json["planned_start"] >= "2026-11-24T05:00"
    naive = client.post(f"/api/v1/jobs/{number}/assignment", headers=dispatcher,
                        json={"technician_id": target.id, "day": "2026-11-24", "not_before": "2026-11-24T13:00:00"})
    assert_error_shape(naive, 422, field="not_before")
