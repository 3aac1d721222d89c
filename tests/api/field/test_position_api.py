"""The technician's phone reporting its position while on the way: taken only for one's own job on the
way, and any position that cannot be right refused with nothing written."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from dispatch.technicians.models import Technician
from tests.api.conftest import assert_error_shape
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW


@pytest.fixture
def city(session):
    return build_field_world(session)


@pytest.fixture
def tech(city, token_for):
    return token_for("tech01")


def _url(number: str) -> str:
    return f"/api/v1/technicians/me/jobs/{number}/position"


def _on_the_way(client, tech, number: str) -> None:
    response = client.post(f"/api/v1/technicians/me/jobs/{number}/updates", json={"client_id": uuid.uuid4().hex,
                                                                                  "to": "en_route"}, headers=tech)
    assert response.status_code == 200, response.json


def _where(session, technician_id: int):
    session.expire_all()
    technician = session.get(Technician, technician_id)
    found = (technician.last_lat, technician.last_lon, technician.last_seen_at)
    session.rollback()
    return found


def test_a_position_on_the_way_is_remembered_and_an_older_one_never_replaces_it(client, city, tech, session):
    number = city.jobs[0].number
    _on_the_way(client, tech, number)
    answer = client.post(_url(number), json={"latitude": 31.305, "longitude": 120.605, "accuracy": 12.5},
                         headers=tech)
    assert answer.status_code == 200, answer.json
    assert answer.json["recorded"] is True
    assert _where(session, city.tech.id) == (31.305, 120.605, NOW)

    older = client.post(_url(number), json={"latitude": 31.2, "longitude": 120.5,
                                            "observed_at": (NOW - timedelta(minutes=3)).isoformat()}, headers=tech)
    assert older.status_code == 200 and older.json["recorded"] is False
    assert _where(session, city.tech.id) == (31.305, 120.605, NOW)


def test_no_position_is_taken_while_the_job_is_not_on_the_way(client, city, tech, session):
    before = _where(session, city.tech.id)
    answer = client.post(_url(city.jobs[0].number), json={"latitude": 31.3, "longitude": 120.6}, headers=tech)
    assert_error_shape(answer, 409, field="job")
    assert _where(session, city.tech.id) == before


def test_another_technicians_job_is_refused_like_one_that_does_not_exist(client, city, tech, token_for, session):
    _on_the_way(client, token_for("tech02"), city.other_job.number)
    before = _where(session, city.tech.id), _where(session, city.other.id)
    for number in (city.other_job.number, "J-NOPE"):
        answer = client.post(_url(number), json={"latitude": 31.3, "longitude": 120.6}, headers=tech)
        assert_error_shape(answer, 404)
    assert (_where(session, city.tech.id), _where(session, city.other.id)) == before


def test_a_position_needs_a_technician_token(client, city, token_for):
    assert_error_shape(client.post(_url(city.jobs[0].number), json={"latitude": 31.3, "longitude": 120.6}), 401)
    office = token_for("dispatch.zhou")
    assert_error_shape(client.post(_url(city.jobs[0].number), json={"latitude": 31.3, "longitude": 120.6},
                                   headers=office), 403)


@pytest.mark.parametrize("body, field", [
    ({"latitude": "NaN", "longitude": 120.6}, "latitude"),
    ({"latitude": 91, "longitude": 120.6}, "latitude"),
    ({"latitude": -90.5, "longitude": 120.6}, "latitude"),
    ({"latitude": 31.3, "longitude": 180.01}, "longitude"),
    ({"latitude": "31.3", "longitude": 120.6}, "latitude"),
    ({"latitude": "north", "longitude": 120.6}, "latitude"),
    ({"latitude": True, "longitude": 120.6}, "latitude"),
    ({"latitude": [31.3], "longitude": 120.6}, "latitude"),
    ({"longitude": 120.6}, "latitude"),
    ({"latitude": 31.3, "longitude": 120.6, "accuracy": -1}, "accuracy"),
    ({"latitude": 31.3, "longitude": 120.6, "accuracy": 1e9}, "accuracy"),
    ({"latitude": 31.3, "longitude": 120.6, "accuracy": "good"}, "accuracy"),
    ({"latitude": 31.3, "longitude": 120.6, "observed_at": "yesterday"}, "observed_at"),
    ({"latitude": 31.3, "longitude": 120.6, "observed_at": "2026-11-23T02:00:00"}, "observed_at"),
    ({"latitude": 31.3, "longitude": 120.6, "speed": 3}, "speed"),
])
def test_bad_positions_are_refused_and_write_nothing(client, city, tech, session, body, field):
    number = city.jobs[0].number
    _on_the_way(client, tech, number)
    before = _where(session, city.tech.id)
    answer = client.post(_url(number), json=body, headers=tech)
    assert_error_shape(answer, 422, field=field)
    assert _where(session, city.tech.id) == before


@pytest.mark.parametrize("raw", [b'{"latitude": NaN, "longitude": 120.6}', b'{"latitude": Infinity, "longitude": 1}'])
def test_json_not_numbers_are_refused(client, city, tech, session, raw):
    number = city.jobs[0].number
    _on_the_way(client, tech, number)
    before = _where(session, city.tech.id)
    answer = client.post(_url(number), data=raw, headers={**tech, "Content-Type": "application/json"})
    assert 400 <= answer.status_code < 500, answer.get_data(as_text=True)
    assert _where(session, city.tech.id) == before


def test_a_position_dated_in_the_future_is_a_wrong_clock(client, city, tech, session):
    number = city.jobs[0].number
    _on_the_way(client, tech, number)
    before = _where(session, city.tech.id)
    answer = client.post(_url(number), json={"latitude": 31.3, "longitude": 120.6,
                                             "observed_at": (NOW + timedelta(hours=1)).isoformat()}, headers=tech)
    assert_error_shape(answer, 422, field="observed_at")
    assert _where(session, city.tech.id) == before


def test_a_huge_body_is_refused_before_it_is_read(client, city, tech, session):
    number = city.jobs[0].number
    _on_the_way(client, tech, number)
    before = _where(session, city.tech.id)
    body = b'{"latitude": 31.3, "longitude": 120.6, "pad": "' + b"x" * 200_000 + b'"}'
    answer = client.post(_url(number), data=body, headers={**tech, "Content-Type": "application/json"})
    assert answer.status_code == 413
    assert _where(session, city.tech.id) == before
    deep = b'{"latitude": 31.3, "longitude": 120.6, "x": ' + b"[" * 500 + b"]" * 500 + b"}"
    assert client.post(_url(number), data=deep, headers={**tech, "Content-Type": "application/json"}).status_code == 400
    assert _where(session, city.tech.id) == before


# --- the job page's own endpoint (a signed-in phone, the CSRF token in a header) ---

def _page_token(client, number: str) -> str:
    from tests.api.test_pages import csrf_from
    return csrf_from(client.get(f"/tech/jobs/{number}"))


def _page_post(client, number: str, body, token: str | None):
    headers = {"Accept": "application/json", **({"X-CSRFToken": token} if token else {})}
    if isinstance(body, bytes):
        return client.post(f"/tech/jobs/{number}/position", data=body, headers={**headers,
                                                                                 "Content-Type": "application/json"})
    return client.post(f"/tech/jobs/{number}/position", json=body, headers=headers)


def test_the_job_page_shares_the_position_only_for_ones_own_job_on_the_way(client, city, tech, session):
    from tests.api.test_pages import sign_in
    number = city.jobs[0].number
    sign_in(client, "tech01")
    token = _page_token(client, number)
    assert "position-sharing" not in client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    assert _page_post(client, number, {"latitude": 31.3, "longitude": 120.6}, token).status_code == 409
    _on_the_way(client, tech, number)
    assert "position.js" in client.get(f"/tech/jobs/{number}").get_data(as_text=True)
    before = _where(session, city.tech.id)
    for body in ({"latitude": 95, "longitude": 120.6}, {"latitude": "31.3", "longitude": 120.6},
                 b'{"latitude": NaN, "longitude": 1}', b"[1, 2]", b"not json"):
        answer = _page_post(client, number, body, token)
        assert 400 <= answer.status_code < 500 and answer.json["errors"], (body, answer.get_data(as_text=True))
    assert _page_post(client, number, {"latitude": 31.3, "longitude": 120.6}, None).status_code == 400  # no CSRF
    assert _page_post(client, city.other_job.number, {"latitude": 31.3, "longitude": 120.6}, token).status_code == 404
    assert _where(session, city.tech.id) == before
    shared = _page_post(client, number, {"latitude": 31.3, "longitude": 120.6, "accuracy": 8}, token)
    assert shared.status_code == 200 and shared.json["recorded"] is True
    assert _where(session, city.tech.id)[:2] == (31.3, 120.6)
