"""The administration pages without a browser: who may open them, forms that refuse bad input field by
field and write nothing, and the changes they make."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from core.users import Role, User
from dispatch.technicians.models import Technician
from tests.builders.core import PASSWORD, make_user

GOOD_PASSWORD = "a long enough passphrase"


def _csrf(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def _sign_in(client, username: str) -> None:
    token = _csrf(client.get("/login"))
    response = client.post("/login", data={"csrf_token": token, "username": username, "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)


@pytest.fixture
def as_admin(client, staff):
    _sign_in(client, "root")
    return client


def _post(client, path: str, data: dict, form_page: str | None = None):
    token = _csrf(client.get(form_page or path))
    return client.post(path, data={"csrf_token": token, **data})


PAGES = ["/admin/", "/admin/users", "/admin/users/new", "/admin/users/root", "/admin/regions", "/admin/regions/new",
         "/admin/regions/gusu", "/admin/technicians", "/admin/technicians/new"]
ADMIN_ONLY = ["/admin/users", "/admin/users/new", "/admin/users/root", "/admin/regions", "/admin/regions/new",
              "/admin/regions/gusu"]


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("path", PAGES)
def test_signed_out_visitors_are_sent_to_sign_in(client, staff, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("role", [Role.AGENT, Role.DISPATCHER, Role.TECHNICIAN, Role.WAREHOUSE])
@pytest.mark.parametrize("path", PAGES)
def test_staff_without_the_role_are_refused(client, staff, role, path):
    _sign_in(client, staff[role].username)
    assert client.get(path).status_code == 403


@pytest.mark.parametrize("path", ADMIN_ONLY)
def test_managers_see_technicians_only(client, staff, path):
    _sign_in(client, staff[Role.MANAGER].username)
    assert client.get(path).status_code == 403
    assert client.get("/admin/technicians").status_code == 200
    home = client.get("/admin/").get_data(as_text=True)
    assert "/admin/technicians" in home and 'href="/admin/users"' not in home


@pytest.mark.boundary_matrix
@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_page_opens_for_an_admin_in_both_languages(as_admin, path, lang):
    response = as_admin.get(f"{path}?lang={lang}")
    assert response.status_code == 200
    if lang == "zh":
        assert "系统管理" in response.get_data(as_text=True)


def test_the_admin_home_links_only_the_sections_that_exist(as_admin, app):
    page = as_admin.get("/admin/").get_data(as_text=True)
    assert all(f'href="/admin/{name}"' in page for name in ("users", "regions", "technicians"))
    adapter = app.url_map.bind("")
    for endpoint in ("setup.parts", "imports.upload"):
        assert endpoint in app.view_functions
        assert f'href="{adapter.build(endpoint)}"' in page


@pytest.mark.parametrize("data, field, message", [
    ({"username": "", "display_name": "A", "role": "agent", "password": GOOD_PASSWORD}, "username", "required"),
    ({"username": "agent.one", "display_name": "A", "role": "agent", "password": GOOD_PASSWORD}, "username",
     "already taken"),
    ({"username": "agent.x", "display_name": "A", "role": "boss", "password": GOOD_PASSWORD}, "role", "role"),
    ({"username": "agent.x", "display_name": "A", "role": "agent", "password": "short"}, "password", "at least 10"),
    ({"username": "agent.x", "display_name": "A", "role": "agent", "password": "qwertyuiop"}, "password",
     "too common"),
])
def test_a_bad_new_user_form_is_shown_again_with_the_fields_message(as_admin, rows, data, field, message):
    before = rows()
    response = _post(as_admin, "/admin/users/new", data)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page and message in page
    assert GOOD_PASSWORD not in page  # a password is never echoed
    assert rows() == before


def test_the_form_errors_read_in_chinese(as_admin, rows):
    as_admin.get("/admin/?lang=zh")
    response = _post(as_admin, "/admin/users/new", {"username": "agent.x", "display_name": "A", "role": "agent",
                                                    "password": "short"})
    page = response.get_data(as_text=True)
    assert "密码至少需要 10 个字符。" in page and "请修改标出的栏位。" in page


def test_a_technician_user_made_on_the_page_is_sent_on_to_their_profile(as_admin, session):
    response = _post(as_admin, "/admin/users/new", {"username": "tech.page", "display_name": "李师傅",
                                                    "role": "technician", "password": GOOD_PASSWORD})
    assert response.status_code == 303 and "/admin/technicians/new?username=tech.page" in response.headers["Location"]
    assert session.scalar(select(User).where(User.username == "tech.page")).role == Role.TECHNICIAN


def test_disabling_on_the_page_signs_the_user_out_everywhere(client, staff, app):
    other = app.test_client()
    _sign_in(other, staff[Role.AGENT].username)
    assert other.get("/agent").status_code == 200
    _sign_in(client, "root")
    response = _post(client, "/admin/users/agent.one/active", {"active": "0"}, form_page="/admin/users/agent.one")
    assert response.status_code == 303
    assert other.get("/agent").status_code == 302  # sent to sign in again


def test_an_admin_cannot_disable_themselves_on_the_page(as_admin, rows):
    make_admin = rows()
    response = _post(as_admin, "/admin/users/root/active", {"active": "0"}, form_page="/admin/users/root")
    assert response.status_code == 409 and 'id="active-error"' in response.get_data(as_text=True)
    assert rows() == make_admin


def test_a_password_reset_on_the_page_follows_the_policy(as_admin, rows):
    before = rows()
    response = _post(as_admin, "/admin/users/agent.one/password", {"password": "agent.one-1234"},
                     form_page="/admin/users/agent.one")
    assert response.status_code == 422 and "username" in response.get_data(as_text=True)
    assert rows() == before
    ok = _post(as_admin, "/admin/users/agent.one/password", {"password": GOOD_PASSWORD},
               form_page="/admin/users/agent.one")
    assert ok.status_code == 303


REGION = {"code": "wuzhong", "name": "吴中区", "time_zone": "Asia/Shanghai", "center_lat": "31.27",
          "center_lon": "120.63", "road_factor": "1.35", "speed_kmh": "28", "service_radius_km": "",
          "hours_0_opens": "09:00", "hours_0_closes": "18:00"}


@pytest.mark.parametrize("change, field", [
    ({"code": "bad code"}, "code"), ({"code": "gusu"}, "code"), ({"time_zone": "Mars/Olympus"}, "time_zone"),
    ({"center_lat": "north"}, "center_lat"), ({"center_lat": "1e400"}, "center_lat"),
    ({"speed_kmh": "0"}, "speed_kmh"), ({"service_radius_km": "-3"}, "service_radius_km"),
    ({"hours_0_opens": "18:00", "hours_0_closes": "09:00"}, "hours_0"),
    ({"hours_3_opens": "09:00"}, "hours_3"),
    ({"hours_4_opens": "9 o'clock", "hours_4_closes": "18:00"}, "hours_4"),
])
@pytest.mark.boundary_matrix
def test_a_bad_region_form_is_shown_again_with_the_fields_message(as_admin, rows, change, field):
    before = rows()
    response = _post(as_admin, "/admin/regions/new", {**REGION, **change})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert rows() == before


def test_a_region_is_created_and_edited_on_the_pages(as_admin, session):
    assert _post(as_admin, "/admin/regions/new", REGION).status_code == 303
    edit = _post(as_admin, "/admin/regions/wuzhong", {**REGION, "name": "吴中", "hours_0_opens": "",
                                                      "hours_0_closes": "", "hours_5_opens": "10:00",
                                                      "hours_5_closes": "16:00"})
    assert edit.status_code == 303
    page = as_admin.get("/admin/regions/wuzhong").get_data(as_text=True)
    assert 'value="吴中"' in page and 'name="hours_5_opens" id="hours_5_opens"' in page and 'value="10:00"' in page


TECHNICIAN = {"username": "tech.page", "display_name": "李师傅", "password": GOOD_PASSWORD, "region": "gusu",
              "home_address": "姑苏区十全街 8 号", "home_lat": "31.3", "home_lon": "120.62", "daily_job_cap": "8",
              "van": "", "skill_0_name": "refrigeration", "skill_0_level": "2", "skill_0_until": "2027-06-30",
              "shift_0_start": "08:30", "shift_0_end": "17:30", "shift_0_break": "60",
              "shift_0_break_from": "11:30", "shift_0_break_to": "13:30", "days_off": "2026-12-24 年假"}


@pytest.mark.parametrize("change, field", [
    ({"username": ""}, "username"), ({"username": "agent.one", "display_name": "", "password": ""}, "username"),
    ({"password": "short"}, "password"), ({"display_name": ""}, "display_name"),
    ({"region": ""}, "region"), ({"region": "nowhere"}, "region"),
    ({"home_lat": "95"}, "home_lat"), ({"daily_job_cap": "0"}, "daily_job_cap"),
    ({"daily_job_cap": "99999999999"}, "daily_job_cap"), ({"van": "VAN-404"}, "van"),
    ({"skill_1_name": "Bad Skill"}, "skill_1"), ({"skill_0_until": "tomorrow"}, "skill_0"),
    ({"shift_2_start": "17:00", "shift_2_end": "08:00"}, "shift_2"),
    ({"shift_2_start": "8am", "shift_2_end": "17:00"}, "shift_2"),
    ({"shift_0_break_to": "20:00"}, "shift_0"),
    ({"days_off": "24/12/2026 holiday"}, "days_off"),
])
@pytest.mark.boundary_matrix
def test_a_bad_technician_form_is_shown_again_with_the_fields_message(as_admin, rows, change, field):
    before = rows()
    response = _post(as_admin, "/admin/technicians/new", {**TECHNICIAN, **change})
    assert response.status_code == 422, response.status_code
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page, re.findall(r'id="([a-z_0-9]+)-error"', page)
    assert GOOD_PASSWORD not in page
    assert rows() == before


def test_a_technician_made_on_the_page_can_open_their_day(as_admin, app, session):
    response = _post(as_admin, "/admin/technicians/new", TECHNICIAN)
    assert response.status_code == 303, re.findall(r'class="field-error"[^>]*>([^<]+)', response.get_data(as_text=True))
    technician = session.scalar(select(Technician))
    assert technician.user.username == "tech.page" and technician.days_off[0].reason == "年假"
    phone = app.test_client()
    token = _csrf(phone.get("/login"))
    phone.post("/login", data={"csrf_token": token, "username": "tech.page", "password": GOOD_PASSWORD})
    assert phone.get("/tech").status_code == 200


def test_a_technician_user_without_a_profile_is_refused_their_day_until_given_one(as_admin, app, session):
    make_user(session, username="tech.bare", role=Role.TECHNICIAN)
    session.commit()
    phone = app.test_client()
    _sign_in(phone, "tech.bare")
    assert phone.get("/tech").status_code == 403
    assert "tech.bare" in as_admin.get("/admin/").get_data(as_text=True)  # listed as waiting for a profile
    body = {k: v for k, v in TECHNICIAN.items() if k not in ("display_name", "password")}
    assert _post(as_admin, "/admin/technicians/new", {**body, "username": "tech.bare"}).status_code == 303
    assert phone.get("/tech").status_code == 200


def test_editing_a_technician_replaces_skills_shifts_and_days_off(as_admin, session):
    _post(as_admin, "/admin/technicians/new", TECHNICIAN)
    technician_id = session.scalar(select(Technician.id))
    session.rollback()  # end the read, so what the app writes next is seen
    path = f"/admin/technicians/{technician_id}"
    form = {k: v for k, v in TECHNICIAN.items() if k not in ("username", "display_name", "password")}
    response = _post(as_admin, path, {**form, "skill_0_name": "washing", "skill_0_level": "3", "days_off": "",
                                      "shift_1_start": "09:00", "shift_1_end": "18:00"})
    assert response.status_code == 303
    technician = session.get(Technician, technician_id)
    assert [(s.skill, s.level) for s in technician.skills] == [("washing", 3)]
    assert [s.weekday for s in technician.shifts] == [0, 1] and technician.days_off == []


def test_an_invited_user_sets_their_password_once_through_their_link(client, headers_for, staff, app):
    admin = headers_for(Role.ADMIN)
    created = client.post("/api/v1/admin/users", json={"username": "agent.inv", "display_name": "邀请",
                                                       "role": "agent"}, headers=admin)
    assert created.status_code == 201, created.json
    link = created.json["invite_url"].removeprefix("http://aftercare.test")
    assert client.post("/api/v1/auth/tokens", json={"username": "agent.inv", "password": ""}).status_code in (401, 422)

    visitor = app.test_client()
    page = visitor.get(f"{link}?lang=zh")
    assert page.status_code == 200 and "欢迎" in page.get_data(as_text=True)
    weak = visitor.post(link, data={"csrf_token": _csrf(page), "password": "agent.inv-2026"})
    assert weak.status_code == 422 and 'id="password-error"' in weak.get_data(as_text=True)
    done = visitor.post(link, data={"csrf_token": _csrf(page), "password": GOOD_PASSWORD})
    assert done.status_code == 303 and done.headers["Location"].endswith("/login")
    assert client.post("/api/v1/auth/tokens", json={"username": "agent.inv",
                                                    "password": GOOD_PASSWORD}).status_code == 201
    assert visitor.get(link).status_code == 404  # used once, never again


@pytest.mark.parametrize("token", ["forged", "x" * 300, "WzEsImFiYyJd.ZZZZ.abc"])
def test_a_forged_invitation_link_is_a_404(client, staff, token):
    assert client.get(f"/welcome/{token}").status_code == 404


def test_an_invitation_made_on_the_page_shows_the_link(as_admin):
    response = _post(as_admin, "/admin/users/new", {"username": "agent.inv2", "display_name": "Inv", "role": "agent"})
    assert response.status_code == 303
    assert "/welcome/" in as_admin.get(response.headers["Location"]).get_data(as_text=True)
