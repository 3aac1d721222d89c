"""Server-rendered pages without a browser: CSRF, access by role, refusals that write nothing."""
import re

import pytest

from core.users import Role
from tests.builders.core import PASSWORD, make_user


def csrf_from(response) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', response.get_data(as_text=True)).group(1)


def sign_in(client, username: str):
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"csrf_token": token, "username": username, "password": PASSWORD})


@pytest.fixture
def csrf_app(app):
    # The fixture app is built with TESTING=True, which leaves CSRF on (Flask-WTF only skips it
    # when WTF_CSRF_ENABLED is False); this makes that explicit for the tests below.
    assert app.config.get("WTF_CSRF_ENABLED", True)
    return app


def test_the_report_form_needs_its_csrf_token_and_writes_nothing_without_it(client, csrf_app, world, counts):
    response = client.post(f"/r/{world.asset.qr_token}", data={"fault_text": "Broken compressor", "contact_name": "A",
                                                               "contact_phone": "13800000000"})
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert counts()["Job"] == 0


@pytest.mark.parametrize("path", ["/login", "/logout", "/agent/jobs/AC-00000000/transition",
                                  "/agent/jobs/AC-00000000/handover", "/agent/jobs/AC-00000000/category",
                                  "/agent/assets/1/report"])
def test_every_staff_form_refuses_a_post_without_csrf(client, csrf_app, world, path):
    assert client.post(path, data={}).status_code == 400


def test_an_incomplete_report_form_comes_back_with_messages_and_creates_nothing(client, world, counts):
    page = client.get(f"/r/{world.asset.qr_token}")
    response = client.post(f"/r/{world.asset.qr_token}", data={"csrf_token": csrf_from(page), "fault_text": "",
                                                               "contact_name": "Li Lei", "contact_phone": "abc"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Please describe the fault" in html and "Please give a phone number" in html
    assert 'value="Li Lei"' in html
    assert counts()["Job"] == 0


def test_the_report_page_follows_the_browser_language(client, world):
    html = client.get(f"/r/{world.asset.qr_token}", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).get_data(as_text=True)
    assert "提交报修" in html and "个月保修期内" in html
    html = client.get(f"/r/{world.asset.qr_token}", headers={"Accept-Language": "en-GB"}).get_data(as_text=True)
    assert "Send report" in html


def test_an_unknown_qr_code_gets_a_friendly_page_not_json(client):
    response = client.get("/r/no-such-token")
    assert response.status_code == 404
    assert response.mimetype == "text/html" and "could not find" in response.get_data(as_text=True)


def test_the_public_report_form_is_rate_limited(app, world):
    from api.app import create_app
    from core.settings import Settings

    settings = Settings(**{**app.extensions["aftercare"].settings.__dict__, "report_rate_limit": "2 per minute"})
    client = create_app(settings, clock=app.extensions["aftercare"].clock, testing=True).test_client()
    token = csrf_from(client.get(f"/r/{world.asset.qr_token}"))
    body = {"csrf_token": token, "fault_text": "Broken again and again", "contact_name": "A", "contact_phone": "13800000000"}
    statuses = [client.post(f"/r/{world.asset.qr_token}", data=body).status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert "Please wait a minute" in client.post(f"/r/{world.asset.qr_token}", data=body).get_data(as_text=True)


def test_staff_pages_send_anonymous_visitors_to_sign_in(client, world):
    response = client.get("/agent")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("role, status", [(Role.AGENT, 200), (Role.DISPATCHER, 200), (Role.MANAGER, 200),
                                          (Role.ADMIN, 200), (Role.TECHNICIAN, 403), (Role.WAREHOUSE, 403)])
def test_the_agent_desk_is_only_for_roles_that_own_cases(client, session, role, status):
    make_user(session, username="someone", role=role)
    session.commit()
    sign_in(client, "someone")
    assert client.get("/agent").status_code == status


def test_a_wrong_password_is_refused_and_signs_nobody_in(client, world):
    token = csrf_from(client.get("/login"))
    response = client.post("/login", data={"csrf_token": token, "username": "agent.li", "password": "nope"})
    assert response.status_code == 401 and "Wrong username or password." in response.get_data(as_text=True)
    assert client.get("/agent").status_code == 302


def test_sign_in_never_redirects_off_site(client, world):
    token = csrf_from(client.get("/login"))
    response = client.post("/login?next=//evil.example/phish", data={"csrf_token": token, "username": "agent.li",
                                                                     "password": PASSWORD})
    assert response.headers["Location"] == "/agent"


def test_an_illegal_transition_on_the_job_page_is_explained_and_changes_nothing(client, world):
    sign_in(client, "agent.li")
    desk = client.get(f"/agent/assets/{world.asset.id}/report")
    created = client.post(f"/agent/assets/{world.asset.id}/report",
                          data={"csrf_token": csrf_from(desk), "channel": "phone", "fault_text": "Not cooling at all",
                                "contact_name": "Li", "contact_phone": "13800000000", "address": "1 Renmin Road"})
    assert created.status_code == 303
    job_url = created.headers["Location"]
    number = job_url.rsplit("/", 1)[1]
    page = client.get(job_url)
    response = client.post(f"{job_url}/transition", data={"csrf_token": csrf_from(page), "to": "completed"})
    assert response.status_code == 409
    assert "cannot become completed" in response.get_data(as_text=True)
    assert "Reported" in client.get(job_url).get_data(as_text=True)
    response = client.post(f"{job_url}/transition", data={"csrf_token": csrf_from(page), "to": "triaged"})
    assert response.status_code == 303
    assert number in response.headers["Location"]


def test_a_phone_report_page_with_bad_input_writes_nothing(client, world, counts):
    sign_in(client, "agent.li")
    page = client.get(f"/agent/assets/{world.asset.id}/report")
    response = client.post(f"/agent/assets/{world.asset.id}/report",
                           data={"csrf_token": csrf_from(page), "channel": "telex", "fault_text": "x",
                                 "contact_name": "", "contact_phone": "12"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "nothing was saved" in html
    assert counts()["Job"] == 0


def test_the_sign_in_page_and_the_token_endpoint_share_one_lockout(client, world):
    from core.sign_in import FAILURES_PER_ACCOUNT

    for attempt in range(FAILURES_PER_ACCOUNT):
        if attempt % 2:
            client.post("/api/v1/auth/tokens", json={"username": "agent.li", "password": "wrong password"})
        else:
            client.post("/login", data={"csrf_token": csrf_from(client.get("/login")), "username": "agent.li",
                                        "password": "wrong password"})
    token = client.post("/api/v1/auth/tokens", json={"username": "agent.li", "password": PASSWORD})
    assert token.status_code == 429 and int(token.headers["Retry-After"]) > 0
    page = client.post("/login", data={"csrf_token": csrf_from(client.get("/login")), "username": "agent.li",
                                       "password": PASSWORD})
    assert page.status_code == 429 and "Too many failed sign-ins" in page.get_data(as_text=True)
