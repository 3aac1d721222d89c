"""The administration API of users, regions and technicians: who may call it, what it refuses (a 4xx
in the one JSON shape with field messages, and nothing written), and what it does."""
from __future__ import annotations

import pytest

from core.users import Role
from tests.api.conftest import assert_error_shape
from tests.builders.core import PASSWORD, make_user

GOOD_PASSWORD = "a long enough passphrase"
NEW_USER = {"username": "agent.new", "display_name": "新客服", "role": "agent", "password": GOOD_PASSWORD}
NEW_REGION = {"code": "wuzhong", "name": "吴中区", "center_lat": 31.27, "center_lon": 120.63,
              "time_zone": "Asia/Shanghai", "service_radius_km": 30,
              "business_hours": [{"weekday": 0, "opens": "09:00", "closes": "18:00"}]}
NEW_TECHNICIAN = {"username": "tech.new", "display_name": "王师傅", "password": GOOD_PASSWORD, "region": "gusu",
                  "home_lat": 31.3, "home_lon": 120.6, "home_address": "姑苏区人民路 100 号",
                  "skills": [{"skill": "refrigeration", "level": 2, "certified_until": "2027-06-30"}],
                  "shifts": [{"weekday": 0, "start": "08:30", "end": "17:30", "break_minutes": 60,
                              "break_earliest": "11:30", "break_latest_end": "13:30"}],
                  "days_off": [{"day": "2026-12-24", "reason": "年假"}]}

ADMIN_ONLY = [("get", "/api/v1/admin/users", None), ("post", "/api/v1/admin/users", NEW_USER),
              ("get", "/api/v1/admin/users/root", None), ("patch", "/api/v1/admin/users/root", {"display_name": "x"}),
              ("post", "/api/v1/admin/users/agent.one/password", {"password": GOOD_PASSWORD}),
              ("get", "/api/v1/admin/regions", None), ("post", "/api/v1/admin/regions", NEW_REGION),
              ("get", "/api/v1/admin/regions/gusu", None), ("patch", "/api/v1/admin/regions/gusu", {"name": "x"})]
TECHNICIAN_ADMIN = [("get", "/api/v1/admin/technicians", None),
                    ("post", "/api/v1/admin/technicians", {**NEW_TECHNICIAN, "username": "x"}),
                    ("get", "/api/v1/admin/technicians/1", None),
                    ("patch", "/api/v1/admin/technicians/1", {"daily_job_cap": 3})]


def _call(client, method, path, body, headers=None):
    return getattr(client, method)(path, json=body, headers=headers or {})


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("method, path, body", ADMIN_ONLY + TECHNICIAN_ADMIN)
def test_without_a_token_every_admin_endpoint_answers_401_and_writes_nothing(client, staff, rows, method, path, body):
    before = rows()
    assert_error_shape(_call(client, method, path, body), 401)
    assert rows() == before


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
@pytest.mark.parametrize("method, path, body", ADMIN_ONLY)
def test_only_admins_manage_users_and_regions(client, headers_for, rows, role, method, path, body):
    headers = headers_for(role)
    before = rows()
    assert_error_shape(_call(client, method, path, body, headers), 403)
    assert rows() == before


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("role", [Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.WAREHOUSE])
@pytest.mark.parametrize("method, path, body", TECHNICIAN_ADMIN)
def test_only_admins_and_managers_manage_technicians(client, headers_for, rows, role, method, path, body):
    headers = headers_for(role)
    before = rows()
    assert_error_shape(_call(client, method, path, body, headers), 403)
    assert rows() == before


# --- users ---

def test_an_admin_creates_lists_and_finds_a_user(client, admin):
    created = client.post("/api/v1/admin/users", json=NEW_USER, headers=admin)
    assert created.status_code == 201, created.json
    assert created.json["username"] == "agent.new" and "password" not in created.json
    listed = client.get("/api/v1/admin/users?q=NEW&page_size=10", headers=admin)
    assert [u["username"] for u in listed.json] == ["agent.new"]
    assert '"total": 1' in listed.headers["X-Pagination"]


@pytest.mark.parametrize("body, field", [
    ({**NEW_USER, "username": ""}, "username"),
    ({**NEW_USER, "username": "a"}, "username"),
    ({**NEW_USER, "username": "has space"}, "username"),
    ({**NEW_USER, "username": "x" * 65}, "username"),
    ({**NEW_USER, "username": 12}, "username"),
    ({k: v for k, v in NEW_USER.items() if k != "display_name"}, "display_name"),
    ({**NEW_USER, "display_name": "   "}, "display_name"),
    ({**NEW_USER, "display_name": "名" * 121}, "display_name"),
    ({**NEW_USER, "role": "superuser"}, "role"),
    ({**NEW_USER, "password": "short"}, "password"),
    ({**NEW_USER, "password": "agent.new-secret"}, "password"),
    ({**NEW_USER, "password": "Password2024!"}, "password"),
    ({**NEW_USER, "password": "x" * 5000}, "password"),
    ({**NEW_USER, "locale": "fr"}, "locale"),
    ({**NEW_USER, "extra": 1}, "extra"),
])
@pytest.mark.boundary_matrix
def test_a_bad_new_user_is_refused_by_field_and_nothing_is_written(client, admin, rows, body, field):
    before = rows()
    response = client.post("/api/v1/admin/users", json=body, headers=admin)
    assert_error_shape(response, 422, field=field)
    assert rows() == before


def test_a_nul_in_a_username_is_refused_before_any_view(client, admin, rows):
    before = rows()
    response = client.post("/api/v1/admin/users", json={**NEW_USER, "username": "agent\x00x"}, headers=admin)
    assert response.status_code == 422
    assert rows() == before


def test_a_duplicate_username_is_a_409_on_the_username(client, admin, staff, rows):
    before = rows()
    response = client.post("/api/v1/admin/users", json={**NEW_USER, "username": "Agent.One"}, headers=admin)
    assert_error_shape(response, 409, field="username")
    assert "already taken" in response.json["errors"]["json"]["username"][0]
    assert rows() == before


def test_the_refusal_reads_in_chinese_for_a_chinese_client(client, admin):
    response = client.post("/api/v1/admin/users?lang=zh", json={**NEW_USER, "password": "short"}, headers=admin)
    assert response.json["errors"]["json"]["password"] == ["密码至少需要 10 个字符。"]


def test_disabling_a_user_ends_their_token_at_once(client, admin, headers_for):
    agent = headers_for(Role.AGENT)
    assert client.get("/api/v1/jobs", headers=agent).status_code == 200
    response = client.patch("/api/v1/admin/users/agent.one", json={"active": False}, headers=admin)
    assert response.status_code == 200 and response.json["active"] is False
    assert client.get("/api/v1/jobs", headers=agent).status_code == 401
    refused = client.post("/api/v1/auth/tokens", json={"username": "agent.one", "password": PASSWORD})
    assert refused.status_code == 401


def test_the_last_admin_keeps_the_role(client, admin, rows):
    before = rows()
    response = client.patch("/api/v1/admin/users/root", json={"role": "manager"}, headers=admin)
    assert_error_shape(response, 409, field="role")
    assert rows() == before


def test_a_password_reset_needs_a_strong_password_and_ends_the_old_token(client, admin, headers_for, rows):
    agent = headers_for(Role.AGENT)
    before = rows()
    weak = client.post("/api/v1/admin/users/agent.one/password", json={"password": "1234567890"}, headers=admin)
    assert_error_shape(weak, 422, field="password")
    assert rows() == before and client.get("/api/v1/jobs", headers=agent).status_code == 200
    assert client.post("/api/v1/admin/users/agent.one/password", json={"password": GOOD_PASSWORD},
                       headers=admin).status_code == 204
    assert client.get("/api/v1/jobs", headers=agent).status_code == 401


@pytest.mark.parametrize("path", ["/api/v1/admin/users/nobody", "/api/v1/admin/users/" + "x" * 65])
def test_an_unknown_user_is_404(client, admin, path):
    assert_error_shape(client.get(path, headers=admin), 404)


@pytest.mark.parametrize("query", ["page=0", "page=99999999999", "page_size=100000", "role=boss", "active=maybe",
                                   "q=" + "x" * 65])
def test_bad_list_queries_are_4xx(client, admin, query):
    response = client.get(f"/api/v1/admin/users?{query}", headers=admin)
    assert 400 <= response.status_code < 500 and response.json["code"] == response.status_code


# --- regions ---

def test_an_admin_creates_and_changes_a_region(client, admin):
    created = client.post("/api/v1/admin/regions", json=NEW_REGION, headers=admin)
    assert created.status_code == 201, created.json
    assert created.json["business_hours"] == [{"weekday": 0, "opens": "09:00:00", "closes": "18:00:00"}]
    changed = client.patch("/api/v1/admin/regions/wuzhong", json={"speed_kmh": 22, "service_radius_km": None},
                           headers=admin)
    assert changed.status_code == 200 and changed.json["speed_kmh"] == 22 and changed.json["service_radius_km"] is None
    assert changed.json["business_hours"]  # not given, so kept


@pytest.mark.parametrize("change, field", [
    ({"code": "bad code"}, "code"), ({"code": ""}, "code"), ({"name": ""}, "name"),
    ({"time_zone": "Mars/Olympus"}, "time_zone"), ({"time_zone": "x" * 65}, "time_zone"),
    ({"center_lat": 91}, "center_lat"), ({"center_lon": "east"}, "center_lon"), ({"center_lat": "NaN"}, "center_lat"),
    ({"road_factor": 0.5}, "road_factor"), ({"speed_kmh": 1e308}, "speed_kmh"),
    ({"service_radius_km": -1}, "service_radius_km"),
    ({"business_hours": [{"weekday": 7, "opens": "09:00", "closes": "18:00"}]}, "business_hours"),
    ({"business_hours": [{"weekday": 2**40, "opens": "09:00", "closes": "18:00"}]}, "business_hours"),
    ({"business_hours": [{"weekday": 0, "opens": "25:00", "closes": "18:00"}]}, "business_hours"),
    ({"business_hours": [{"weekday": 0, "opens": "18:00", "closes": "09:00"}]}, "business_hours"),
    ({"business_hours": [{"weekday": 0, "opens": "09:00", "closes": "18:00"}] * 2}, "business_hours"),
    ({"business_hours": "always"}, "business_hours"),
])
@pytest.mark.boundary_matrix
def test_a_bad_region_is_refused_by_field_and_nothing_is_written(client, admin, rows, change, field):
    before = rows()
    response = client.post("/api/v1/admin/regions", json={**NEW_REGION, **change}, headers=admin)
    assert_error_shape(response, 422, field=field)
    assert rows() == before


def test_a_taken_region_code_is_a_409(client, admin, rows):
    before = rows()
    assert_error_shape(client.post("/api/v1/admin/regions", json={**NEW_REGION, "code": "GUSU"}, headers=admin),
                       409, field="code")
    assert rows() == before


def test_an_unknown_region_is_404(client, admin):
    assert_error_shape(client.patch("/api/v1/admin/regions/nowhere", json={"name": "x"}, headers=admin), 404)


# --- technicians ---

def test_a_technician_created_with_their_account_can_open_their_day(client, admin):
    created = client.post("/api/v1/admin/technicians", json=NEW_TECHNICIAN, headers=admin)
    assert created.status_code == 201, created.json
    assert created.json["skills"][0]["certified_until"] == "2027-06-30" and created.json["region"] == "gusu"
    token = client.post("/api/v1/auth/tokens", json={"username": "tech.new", "password": GOOD_PASSWORD})
    assert token.status_code == 201
    # With a profile the technician's own API answers for their work: a job not theirs is a 404, not a 403.
    own = client.get("/api/v1/technicians/me/jobs/AC-00000000", headers={"Authorization": f"Bearer {token.json['token']}"})
    assert own.status_code == 404


def test_a_manager_gives_an_existing_technician_user_a_profile_but_creates_no_accounts(client, headers_for, session,
                                                                                       rows):
    make_user(session, username="tech.two", role=Role.TECHNICIAN)
    session.commit()
    manager = headers_for(Role.MANAGER)
    before = rows()
    refused = client.post("/api/v1/admin/technicians", json=NEW_TECHNICIAN, headers=manager)
    assert_error_shape(refused, 403, field="password")
    assert rows() == before
    body = {k: v for k, v in NEW_TECHNICIAN.items() if k not in ("display_name", "password")}
    created = client.post("/api/v1/admin/technicians", json={**body, "username": "tech.two"}, headers=manager)
    assert created.status_code == 201, created.json
    changed = client.patch(f"/api/v1/admin/technicians/{created.json['id']}",
                           json={"daily_job_cap": 5, "skills": []}, headers=manager)
    assert changed.status_code == 200 and changed.json["daily_job_cap"] == 5 and changed.json["skills"] == []


@pytest.mark.parametrize("change, field, code", [
    ({"username": "agent.one", "display_name": None, "password": None}, "username", 422),
    ({"username": "technician.one", "display_name": "Dup", "password": GOOD_PASSWORD}, "username", 409),
    ({"password": None}, "password", 422),
    ({"password": "short"}, "password", 422),
    ({"region": "nowhere"}, "region", 422),
    ({"home_lat": -91}, "home_lat", 422),
    ({"home_lon": None}, "home_lon", 422),
    ({"home_address": "路" * 256}, "home_address", 422),
    ({"daily_job_cap": 0}, "daily_job_cap", 422),
    ({"daily_job_cap": 2**31}, "daily_job_cap", 422),
    ({"daily_job_cap": 1.5}, "daily_job_cap", 422),
    ({"van": "VAN-404"}, "van", 422),
    ({"skills": [{"skill": "Bad Skill"}]}, "skills", 422),
    ({"skills": [{"skill": "refrigeration", "level": 9}]}, "skills", 422),
    ({"skills": [{"skill": "refrigeration", "certified_until": "soon"}]}, "skills", 422),
    ({"skills": [{"skill": "refrigeration"}, {"skill": "refrigeration"}]}, "skills", 422),
    ({"skills": [{"skill": f"s{n}"} for n in range(41)]}, "skills", 422),
    ({"shifts": [{"weekday": 0, "start": "17:00", "end": "08:00"}]}, "shifts", 422),
    ({"shifts": [{"weekday": 0, "start": "08:00", "end": "17:00", "break_minutes": 30}]}, "shifts", 422),
    ({"shifts": [{"weekday": 0, "start": "08:00", "end": "17:00", "break_minutes": 100000}]}, "shifts", 422),
    ({"days_off": [{"day": "2026-02-30"}]}, "days_off", 422),
    ({"days_off": [{"day": "2026-12-24"}, {"day": "2026-12-24"}]}, "days_off", 422),
])
@pytest.mark.boundary_matrix
def test_a_bad_technician_is_refused_by_field_and_nothing_is_written(client, admin, rows, change, field, code):
    body = {k: v for k, v in {**NEW_TECHNICIAN, **change}.items() if v is not None}
    before = rows()
    assert_error_shape(client.post("/api/v1/admin/technicians", json=body, headers=admin), code, field=field)
    assert rows() == before


@pytest.mark.parametrize("path", ["/api/v1/admin/technicians/999", "/api/v1/admin/technicians/99999999999"])
def test_an_unknown_technician_is_404(client, admin, path):
    assert client.get(path, headers=admin).status_code == 404
