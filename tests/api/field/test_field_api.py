"""The technician's field API: a job walked from assigned to completed, retries applied once, only
one's own jobs, and bad input refused with nothing written."""
from __future__ import annotations

import threading
import uuid

import pytest
import requests
from sqlalchemy import func, select

from dispatch.jobs.models import EventKind, Job, JobEvent
from dispatch.technicians.models import Technician
from fieldwork.models import FieldUpdate
from inventory.models import JobPart, StockLevel, StockMovement
from tests.api.conftest import assert_error_shape
from tests.builders.fieldwork import build_field_world


@pytest.fixture
def city(session):
    return build_field_world(session)


@pytest.fixture
def tech(city, token_for):
    return token_for("tech01")


@pytest.fixture
def field_counts(session):
    def snapshot() -> dict[str, int]:
        session.expire_all()
        counted = {model.__name__: session.scalar(select(func.count()).select_from(model))
                   for model in (JobEvent, FieldUpdate, StockMovement, JobPart)}
        session.rollback()
        return counted

    return snapshot


def update(client, headers, number, to, **body):
    body = {"client_id": uuid.uuid4().hex, "to": to, **body}
    return client.post(f"/api/v1/technicians/me/jobs/{number}/updates", json=body, headers=headers)


def status_events(session, job: Job) -> list[JobEvent]:
    session.expire_all()
    events = list(session.scalars(select(JobEvent).where(JobEvent.job_id == job.id,
                                                         JobEvent.kind == EventKind.STATUS_CHANGED)
                                  .order_by(JobEvent.id)))
    session.rollback()
    return events


def test_a_technician_walks_a_job_from_assigned_to_completed_with_a_part_from_the_van(client, city, tech, session):
    number = city.jobs[0].number
    card = client.get(f"/api/v1/technicians/me/jobs/{number}", headers=tech).json
    assert card["actions"] == ["accept", "en_route", "waiting_parts"] and card["accepted"] is False
    assert card["navigation"]["geo"].startswith("geo:") and "uri.amap.com" in card["navigation"]["amap"]

    assert update(client, tech, number, "accept").json["status"] == "assigned"
    assert client.get(f"/api/v1/technicians/me/jobs/{number}", headers=tech).json["actions"] == ["en_route", "waiting_parts"]
    moved = update(client, tech, number, "en_route", latitude=31.305, longitude=120.605,
                   observed_at="2026-11-23T01:58:00Z")
    assert moved.status_code == 200 and moved.json["status"] == "en_route"
    assert update(client, tech, number, "on_site").json["status"] == "on_site"
    done = update(client, tech, number, "completed", note="Replaced the door gasket; cooling again.",
                  parts=[{"sku": "P-GASKET", "quantity": 1}])
    assert done.status_code == 200, done.json
    assert done.json["status"] == "completed"

    session.expire_all()
    technician = session.get(Technician, city.tech.id)
    assert (technician.last_lat, technician.last_lon) == (31.305, 120.605)
    assert technician.last_seen_at.isoformat() == "2026-11-23T01:58:00+00:00"
    van = session.get(StockLevel, (technician.van_warehouse_id, city.part.id))
    assert (van.on_hand, van.reserved) == (2, 0)
    job = session.scalar(select(Job).where(Job.number == number))
    assert [(e.from_status, e.to_status) for e in status_events(session, job)][-3:] == [
        ("assigned", "en_route"), ("en_route", "on_site"), ("on_site", "completed")]
    assert status_events(session, job)[-1].note == "Replaced the door gasket; cooling again."


def test_a_retried_update_is_applied_once_and_gets_the_first_answer(client, city, tech, session, field_counts):
    number, client_id = city.jobs[0].number, uuid.uuid4().hex
    first = update(client, tech, number, "en_route", client_id=client_id)
    before = field_counts()
    again = update(client, tech, number, "en_route", client_id=client_id)
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert {**again.json, "replayed": False} == first.json
    assert field_counts() == before
    assert [e.to_status for e in status_events(session, city.jobs[0])].count("en_route") == 1
    # The same id for another job is a mistake, not a replay.
    other = update(client, tech, city.jobs[1].number, "en_route", client_id=client_id)
    assert_error_shape(other, 422, field="client_id")


def test_racing_copies_of_one_update_apply_it_once(live_url, city, tech, session):
    """The phone's retry can overtake a first attempt still in flight: both arrive at once."""
    number, body = city.jobs[0].number, {"client_id": uuid.uuid4().hex, "to": "en_route"}
    answers, barrier = [], threading.Barrier(6)

    def send():
        barrier.wait()
        answers.append(requests.post(f"{live_url}/api/v1/technicians/me/jobs/{number}/updates", json=body,
                                     headers=tech, timeout=30))

    threads = [threading.Thread(target=send) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(a.status_code for a in answers) == [200] * 6, [a.text for a in answers]
    assert sum(a.headers.get("Idempotent-Replayed") == "true" for a in answers) == 5
    assert [e.to_status for e in status_events(session, city.jobs[0])].count("en_route") == 1


def test_another_technicians_job_is_404_on_the_api_and_the_office_api_is_403(client, city, tech, field_counts):
    number = city.other_job.number
    before = field_counts()
    assert_error_shape(client.get(f"/api/v1/technicians/me/jobs/{number}", headers=tech), 404)
    assert_error_shape(update(client, tech, number, "en_route"), 404)
    assert_error_shape(client.post(f"/api/v1/technicians/me/jobs/{number}/parts", json={"sku": "P-GASKET",
                                                                                       "quantity": 1}, headers=tech), 404)
    assert_error_shape(client.get(f"/api/v1/jobs/{number}", headers=tech), 403)
    assert_error_shape(client.post(f"/api/v1/jobs/{number}/transitions", json={"to": "en_route"}, headers=tech), 403)
    assert field_counts() == before


@pytest.mark.parametrize("to, body, code, field", [
    ("exploded", {}, 422, "to"),                                     # unknown status
    ("cancelled", {}, 422, "to"),                                    # the office's move, not the technician's
    ("on_site", {}, 409, "to"),                                      # illegal: not en route yet
    ("en_route", {"client_id": "short"}, 422, "client_id"),
    ("en_route", {"latitude": 31.3}, 422, "latitude"),
    ("en_route", {"latitude": 95, "longitude": 120}, 422, "latitude"),
    ("en_route", {"observed_at": "yesterday"}, 422, "observed_at"),
    ("en_route", {"parts": [{"sku": "P-GASKET", "quantity": 1}]}, 422, "parts"),
])
def test_bad_updates_are_refused_and_write_nothing(client, city, tech, field_counts, to, body, code, field):
    before = field_counts()
    assert_error_shape(update(client, tech, city.jobs[0].number, to, **body), code, field=field)
    assert field_counts() == before


@pytest.mark.parametrize("body, field", [
    ({"note": ""}, "note"),                                                         # no resolution notes
    ({"note": "Fixed", "parts": [{"sku": "P-GASKET", "quantity": 4}]}, "parts"),   # van holds 3
    ({"note": "Fixed", "parts": [{"sku": "P-NOPE", "quantity": 1}]}, "parts"),
    ({"note": "Fixed", "parts": [{"sku": "P-GASKET", "quantity": 0}]}, "parts"),
])
def test_a_completion_without_notes_or_with_parts_not_at_hand_writes_nothing(client, city, tech, field_counts,
                                                                           session, body, field):
    number = city.jobs[0].number
    update(client, tech, number, "en_route")
    update(client, tech, number, "on_site")
    before = field_counts()
    response = update(client, tech, number, "completed", **body)
    assert_error_shape(response, 422, field=field)
    assert field_counts() == before
    session.expire_all()
    assert session.scalar(select(Job.status).where(Job.number == number)) == "on_site"
    session.rollback()


def test_need_a_part_reserves_from_the_van_first_then_the_depot_and_the_job_waits(client, city, tech, session):
    number = city.jobs[0].number
    update(client, tech, number, "en_route")
    update(client, tech, number, "on_site")
    from_van = client.post(f"/api/v1/technicians/me/jobs/{number}/parts", json={"sku": "P-GASKET", "quantity": 1},
                           headers=tech)
    assert from_van.status_code == 201 and from_van.json["line"]["warehouse"] == "VAN-tech01"
    assert from_van.json["status"] == "on_site"
    from_depot = client.post(f"/api/v1/technicians/me/jobs/{number}/parts",
                             json={"sku": "P-COMPRESSOR", "quantity": 1}, headers=tech)
    assert from_depot.status_code == 201 and from_depot.json["line"]["warehouse"] == "WH-GUSU"
    # Not in the van: the technician has to fetch it, so the visit is planned again.
    assert from_depot.json["status"] == "waiting_parts"
    # The job leaves today's route until the return visit is booked, but stays this technician's case.
    card = client.get(f"/api/v1/technicians/me/jobs/{number}", headers=tech)
    assert card.status_code == 200 and card.json["status"] == "waiting_parts"


@pytest.mark.parametrize("body, field", [({"sku": "P-GASKET", "quantity": 0}, "quantity"),
                                         ({"sku": "P-GASKET"}, "quantity"), ({"sku": "P-NOPE", "quantity": 1}, "sku")])
def test_bad_part_requests_are_422_and_reserve_nothing(client, city, tech, field_counts, body, field):
    before = field_counts()
    assert_error_shape(client.post(f"/api/v1/technicians/me/jobs/{city.jobs[0].number}/parts", json=body,
                                   headers=tech), 422, field=field)
    assert field_counts() == before


def test_accounts_without_a_technician_profile_are_refused(client, city, token_for):
    assert_error_shape(client.get(f"/api/v1/technicians/me/jobs/{city.jobs[0].number}",
                                  headers=token_for("dispatch.zhou")), 403)
