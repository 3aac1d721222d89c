"""Input the database cannot store never reaches it: control characters, numbers past its integer
range, JSON nested too deep, Unicode digits. Each is a 4xx in the one error shape (or a readable
page) and writes nothing."""
from __future__ import annotations

import pytest

from tests.api.conftest import assert_error_shape, report_body
from tests.builders.core import PASSWORD

TOO_BIG = 2**31  # one past the database's INTEGER
HUGE = 10**30


def test_a_nul_in_the_token_username_is_a_field_message_not_a_server_error(client, world):
    response = client.post("/api/v1/auth/tokens", json={"username": "agent\x00li", "password": PASSWORD})
    assert_error_shape(response, 422, location="json", field="username")


def test_a_nul_in_a_report_is_refused_and_creates_nothing(client, world, counts):
    before = counts()
    response = client.post("/api/v1/reports", json=report_body(world.asset, fault_text="It leaks\x00 everywhere"))
    assert_error_shape(response, 422, location="json", field="fault_text")
    assert counts() == before


@pytest.mark.parametrize("character", ["\x01", "\x1b", "\x7f"])
def test_other_control_characters_are_refused_too(client, world, character):
    response = client.post("/api/v1/reports", json=report_body(world.asset, contact_name=f"Zhang{character}Wei"))
    assert_error_shape(response, 422, location="json", field="contact_name")


def test_tabs_and_line_breaks_in_text_are_fine(client, world):
    response = client.post("/api/v1/reports", json=report_body(world.asset, fault_text="Leaks.\r\n\tEvery night."))
    assert response.status_code == 201, response.json


def test_a_nul_in_the_query_string_is_refused(client, agent_headers):
    response = client.get("/api/v1/jobs?serial=AB%00C", headers=agent_headers)
    assert_error_shape(response, 422, location="query", field="serial")


def test_a_nul_in_the_sign_in_form_gets_a_page_not_a_server_error(client, world):
    response = client.post("/login", data={"username": "agent.li\x00", "password": PASSWORD})
    assert response.status_code == 422
    assert response.mimetype == "text/html"
    assert "cannot be accepted: username" in response.get_data(as_text=True)


def test_the_refusal_page_reads_in_the_visitors_language(client, world):
    response = client.post("/login", data={"username": "agent.li\x00", "password": PASSWORD},
                           headers={"Accept-Language": "zh-CN"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "您输入的内容无法接受" in page and "部分字段含有无法接受的文本或数字" in page and "cannot be accepted" not in page


def test_json_nested_a_thousand_deep_is_a_400(client, world):
    body = '{"qr_token": ' + "[" * 1000 + "]" * 1000 + "}"
    response = client.post("/api/v1/reports", data=body, content_type="application/json")
    assert_error_shape(response, 400)


def test_brackets_inside_strings_do_not_count_as_depth(client, world):
    response = client.post("/api/v1/reports",
                           json=report_body(world.asset, fault_text="[[[[[[[[[[" * 10 + " not cooling"))
    assert response.status_code == 201, response.json


@pytest.mark.parametrize("path", [f"/api/v1/dispatch/plans/{TOO_BIG}", f"/api/v1/dispatch/plans/{HUGE}"])
def test_ids_past_the_database_range_in_the_path_are_not_found(client, dispatcher_headers, path):
    assert_error_shape(client.get(path, headers=dispatcher_headers), 404)


@pytest.mark.parametrize("page", [str(TOO_BIG), str(HUGE), "²", "１"])
def test_page_numbers_are_bounded_numbers(client, agent_headers, page):
    response = client.get(f"/api/v1/jobs?page={page}", headers=agent_headers)
    assert response.status_code in (200, 422), response.get_data(as_text=True)
    if response.status_code == 422:
        assert_error_shape(response, 422, location="query", field="page")


@pytest.mark.parametrize("value", [TOO_BIG, HUGE, -TOO_BIG])
def test_ids_in_a_body_past_the_database_range_are_field_messages(client, dispatcher_headers, value):
    response = client.post("/api/v1/jobs/J-NONE/assignment", json={"technician_id": value}, headers=dispatcher_headers)
    assert_error_shape(response, 422, location="json", field="technician_id")


@pytest.fixture
def dispatcher_headers(session, token_for):
    from core.users import Role
    from tests.builders.core import make_user

    user = make_user(session, role=Role.DISPATCHER)
    session.commit()
    return token_for(user.username)


@pytest.mark.parametrize("text", ["²", "１", "1e3", "99999999999", "-1", ""])
def test_a_quantity_on_a_page_form_is_ascii_digits_within_bounds(text):
    from api.field.forms import FormProblem, parse_quantity

    with pytest.raises(FormProblem):
        parse_quantity(text)


def test_ids_read_from_forms_are_ascii_digits_the_database_can_hold():
    from core.limits import DB_INT_MAX, parse_id

    assert [parse_id(t) for t in ("7", "007", str(DB_INT_MAX))] == [7, 7, DB_INT_MAX]
    assert [parse_id(t) for t in ("0", str(DB_INT_MAX + 1), "²", "１", " 7", None, "")] == [None] * 7
