"""The staff API: tokens, phone reports, job lists, transitions, hand-over, reclassification."""
from datetime import timedelta

import pytest

from tests.api.conftest import assert_error_shape, report_body
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset


def staff_report(asset, **overrides):
    body = {"asset_serial": asset.serial, "fault_text": "Washing machine will not drain, error E21",
            "contact_name": "Zhang Wei", "contact_phone": "+86 138 1234 5678", "channel": "phone"}
    body.update(overrides)
    return {k: v for k, v in body.items() if v is not ...}


@pytest.fixture
def job_number(client, world):
    return client.post("/api/v1/reports", json=report_body(world.asset)).json["number"]


# --- authentication -------------------------------------------------------------------------------

def test_a_token_is_issued_for_the_right_password_only(client, world):
    good = client.post("/api/v1/auth/tokens", json={"username": "agent.li", "password": "correct horse battery"})
    assert good.status_code == 201 and good.json["role"] == "agent"
    bad = client.post("/api/v1/auth/tokens", json={"username": "agent.li", "password": "wrong"})
    assert_error_shape(bad, 401)
    unknown = client.post("/api/v1/auth/tokens", json={"username": "nobody", "password": "wrong"})
    assert_error_shape(unknown, 401)


@pytest.mark.parametrize("body, field", [
    ({}, "username"),
    ({"username": "agent.li"}, "password"),
    ({"username": 7, "password": "x"}, "username"),
    ({"username": "a" * 65, "password": "x"}, "username"),
])
def test_malformed_token_requests_get_field_messages(client, world, body, field):
    assert_error_shape(client.post("/api/v1/auth/tokens", json=body), 422, field=field)


def test_a_disabled_account_gets_no_token(client, session):
    make_user(session, username="gone", active=False)
    session.commit()
    assert_error_shape(client.post("/api/v1/auth/tokens", json={"username": "gone", "password": "correct horse battery"}), 401)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nonsense"}, {"Authorization": "Basic abc"},
                                     {"Authorization": "Bearer "}])
def test_staff_endpoints_need_a_valid_bearer_token(client, world, job_number, headers):
    for method, path in [("get", "/api/v1/jobs"), ("get", f"/api/v1/jobs/{job_number}"),
                         ("get", f"/api/v1/jobs/{job_number}/events"), ("post", f"/api/v1/jobs/{job_number}/transitions"),
                         ("post", f"/api/v1/jobs/{job_number}/handover"), ("patch", f"/api/v1/jobs/{job_number}"),
                         ("post", "/api/v1/jobs"), ("get", "/api/v1/assets?serial=x")]:
        assert_error_shape(getattr(client, method)(path, json={}, headers=headers), 401)


def test_an_expired_token_is_refused(client, world, clock, token_for):
    headers = token_for("agent.li")
    clock.advance(timedelta(hours=13))
    assert_error_shape(client.get("/api/v1/jobs", headers=headers), 401)


def test_roles_that_do_not_handle_cases_are_refused(client, world, job_number, token_for):
    headers = token_for("tech01")
    assert_error_shape(client.get("/api/v1/jobs", headers=headers), 403)
    assert_error_shape(client.post(f"/api/v1/jobs/{job_number}/transitions", json={"to": "triaged"}, headers=headers), 403)


# --- phone reports --------------------------------------------------------------------------------

def test_an_agent_phone_report_is_owned_by_that_agent(client, world, agent_headers):
    response = client.post("/api/v1/jobs", json=staff_report(world.asset), headers=agent_headers)
    assert response.status_code == 201, response.json
    job = client.get(f"/api/v1/jobs/{response.json['number']}", headers=agent_headers).json
    assert job["owner"]["username"] == "agent.li"
    assert job["channel"] == "phone"
    assert job["category"] == "quality_defect"


def test_idempotency_keys_are_per_caller(client, world, session, agent_headers, token_for):
    other = token_for("agent.wang")
    second_asset = make_asset(session)
    session.commit()
    key = {"Idempotency-Key": "same-key"}
    first = client.post("/api/v1/jobs", json=staff_report(world.asset), headers={**agent_headers, **key})
    other_first = client.post("/api/v1/jobs", json=staff_report(second_asset), headers={**other, **key})
    assert first.status_code == other_first.status_code == 201
    assert first.json["number"] != other_first.json["number"]


@pytest.mark.parametrize("overrides, field", [
    ({"asset_serial": ...}, "asset_serial"),
    ({"asset_serial": "NO-SUCH-SERIAL"}, "asset_serial"),
    ({"channel": "qr"}, "channel"),
    ({"fault_text": "x" * 2001}, "fault_text"),
    ({"contact_phone": "none"}, "contact_phone"),
    ({"latitude": 10}, "latitude"),
])
def test_bad_phone_reports_write_nothing(client, world, agent_headers, counts, overrides, field):
    before = counts()
    response = client.post("/api/v1/jobs", json=staff_report(world.asset, **overrides), headers=agent_headers)
    assert_error_shape(response, 422, field=field)
    assert counts() == before


# --- listing and reading --------------------------------------------------------------------------

def test_jobs_are_listed_newest_first_with_filters_and_pages(client, session, world, agent_headers, clock):
    numbers = []
    for _ in range(5):
        asset = make_asset(session, phone="+86 139 5555 0000")
        session.commit()
        numbers.append(client.post("/api/v1/reports", json=report_body(asset)).json["number"])
        clock.advance(timedelta(minutes=1))
    page = client.get("/api/v1/jobs?page=1&page_size=2", headers=agent_headers)
    assert page.status_code == 200
    assert [job["number"] for job in page.json] == numbers[::-1][:2]
    assert '"total": 5' in page.headers["X-Pagination"]
    assert len(client.get("/api/v1/jobs?phone=%2B86%20139%205555%200000", headers=agent_headers).json) == 5
    assert client.get("/api/v1/jobs?status=closed", headers=agent_headers).json == []
    only_qr = client.get("/api/v1/jobs?channel=qr&category=quality_defect&status=reported&status=triaged",
                         headers=agent_headers)
    assert len(only_qr.json) == 5
    window = client.get("/api/v1/jobs?reported_from=2026-11-23T02:01:00%2B00:00&reported_to=2026-11-23T02:03:00Z",
                        headers=agent_headers)
    assert [job["number"] for job in window.json] == [numbers[2], numbers[1]]


@pytest.mark.parametrize("query, field", [
    ("status=done", "status"),
    ("category=misc", "category"),
    ("channel=fax", "channel"),
    ("reported_from=yesterday", "reported_from"),
    ("reported_from=2026-11-23T02:00:00", "reported_from"),  # a time without a zone is ambiguous
    ("owner=nobody", "owner"),
    ("page=0", "page"),
    ("page_size=1000", "page_size"),
    ("page=abc", "page"),
])
def test_bad_list_filters_are_422_with_the_field_named(client, world, agent_headers, query, field):
    assert_error_shape(client.get(f"/api/v1/jobs?{query}", headers=agent_headers), 422, location="query", field=field)


def test_an_unknown_job_is_404_everywhere(client, world, agent_headers):
    for method, path in [("get", "/api/v1/jobs/AC-00000000"), ("get", "/api/v1/jobs/AC-00000000/events"),
                         ("post", "/api/v1/jobs/AC-00000000/transitions"), ("post", "/api/v1/jobs/AC-00000000/handover")]:
        body = {"to": "triaged"} if path.endswith("transitions") else {"to_user": "agent.wang", "note": "going home"}
        assert_error_shape(getattr(client, method)(path, json=body, headers=agent_headers), 404)
    assert_error_shape(client.get("/api/v1/jobs/" + "A" * 50, headers=agent_headers), 404)


# --- transitions ----------------------------------------------------------------------------------

def test_a_job_moves_through_legal_states_and_each_move_is_audited(client, world, job_number, agent_headers):
    for status in ["triaged", "remote_resolved", "closed"]:
        response = client.post(f"/api/v1/jobs/{job_number}/transitions", json={"to": status, "note": f"to {status}"},
                               headers=agent_headers)
        assert response.status_code == 200, response.json
        assert response.json["status"] == status
    job = client.get(f"/api/v1/jobs/{job_number}", headers=agent_headers).json
    assert job["responded_at"] == "2026-11-23T02:00:00+00:00"
    assert job["resolved_at"] == "2026-11-23T02:00:00+00:00"
    events = client.get(f"/api/v1/jobs/{job_number}/events", headers=agent_headers).json
    assert [(e["kind"], e["from_status"], e["to_status"], e["actor"]) for e in events] == [
        ("created", None, "reported", "customer"),
        ("status_changed", "reported", "triaged", "agent.li"),
        ("status_changed", "triaged", "remote_resolved", "agent.li"),
        ("status_changed", "remote_resolved", "closed", "agent.li"),
    ]


def test_an_illegal_transition_is_409_names_the_allowed_moves_and_changes_nothing(client, world, job_number,
                                                                                   agent_headers, counts):
    before = counts()
    response = client.post(f"/api/v1/jobs/{job_number}/transitions", json={"to": "completed"}, headers=agent_headers)
    assert_error_shape(response, 409, field="to")
    assert "allowed: cancelled, remote_resolved, triaged" in response.json["errors"]["json"]["to"][0]
    assert counts() == before
    assert client.get(f"/api/v1/jobs/{job_number}", headers=agent_headers).json["status"] == "reported"


@pytest.mark.parametrize("body, field", [({}, "to"), ({"to": "finished"}, "to"), ({"to": 3}, "to"),
                                         ({"to": "triaged", "note": "n" * 2001}, "note")])
def test_malformed_transitions_are_422(client, world, job_number, agent_headers, counts, body, field):
    before = counts()
    assert_error_shape(client.post(f"/api/v1/jobs/{job_number}/transitions", json=body, headers=agent_headers), 422,
                       field=field)
    assert counts() == before


def _assigned(session, job_number):
    """The reported job as if dispatch had given it to a technician."""
    from sqlalchemy import select

    from dispatch.jobs.models import Job
    from dispatch.jobs.status import JobStatus
    from tests.builders.core import make_region
    from tests.builders.dispatch import make_technician

    job = session.scalar(select(Job).where(Job.number == job_number))
    job.technician = make_technician(session, region=make_region(session, code="override"))
    job.status = JobStatus.ASSIGNED
    session.commit()
    return job


def test_the_office_cannot_walk_a_job_through_the_technicians_steps_without_a_named_override(
        client, session, world, job_number, agent_headers, counts):
    _assigned(session, job_number)
    before = counts()
    for reason in (None, "too short"):
        response = client.post(f"/api/v1/jobs/{job_number}/transitions",
                               json={"to": "en_route", "override_reason": reason}, headers=agent_headers)
        assert_error_shape(response, 403, field="override_reason")
    assert counts() == before


def test_a_job_with_no_technician_cannot_be_on_its_way_even_with_an_override(client, world, job_number, agent_headers):
    client.post(f"/api/v1/jobs/{job_number}/transitions", json={"to": "triaged"}, headers=agent_headers)
    client.post(f"/api/v1/jobs/{job_number}/transitions", json={"to": "waiting_parts"}, headers=agent_headers)
    response = client.post(f"/api/v1/jobs/{job_number}/transitions",
                           json={"to": "on_site", "override_reason": "The technician's phone is broken"},
                           headers=agent_headers)
    assert_error_shape(response, 403, field="to")


def test_an_office_override_is_named_audited_and_never_skips_the_completion_record(
        client, session, world, job_number, agent_headers):
    _assigned(session, job_number)
    reason = {"override_reason": "Technician's phone is broken; he called it in"}
    for status in ("en_route", "on_site"):
        response = client.post(f"/api/v1/jobs/{job_number}/transitions", json={"to": status, **reason},
                               headers=agent_headers)
        assert response.status_code == 200, response.json
    no_record = client.post(f"/api/v1/jobs/{job_number}/transitions", json={"to": "completed", **reason},
                            headers=agent_headers)
    assert_error_shape(no_record, 403, field="note")
    done = client.post(f"/api/v1/jobs/{job_number}/transitions",
                       json={"to": "completed", "note": "Replaced the door seal; cooling again", **reason},
                       headers=agent_headers)
    assert done.status_code == 200 and done.json["status"] == "completed"
    events = client.get(f"/api/v1/jobs/{job_number}/events", headers=agent_headers).json
    overrides = [e for e in events if e["kind"] == "status_changed" and e["to_status"] in ("en_route", "on_site",
                                                                                            "completed")]
    assert len(overrides) == 3
    assert all("office override by agent.li: Technician's phone is broken" in e["note"] for e in overrides)


# --- hand-over ------------------------------------------------------------------------------------

def test_hand_over_changes_the_owner_with_an_audited_reason(client, world, job_number, agent_headers):
    response = client.post(f"/api/v1/jobs/{job_number}/handover", json={"to_user": "agent.wang", "note": "Shift ends"},
                           headers=agent_headers)
    assert response.status_code == 200
    assert response.json["owner"]["username"] == "agent.wang"
    event = client.get(f"/api/v1/jobs/{job_number}/events", headers=agent_headers).json[-1]
    assert event["kind"] == "ownership_changed"
    assert event["data"] == {"from": "channel:qr", "to": "agent.wang"}
    assert event["note"] == "Shift ends" and event["actor"] == "agent.li"


@pytest.mark.parametrize("body, code, field", [
    ({"to_user": "agent.wang"}, 422, "note"),
    ({"to_user": "agent.wang", "note": "  "}, 422, "note"),
    ({"note": "reason"}, 422, "to_user"),
    ({"to_user": "ghost", "note": "reason"}, 422, "to_user"),
    ({"to_user": "tech01", "note": "reason"}, 422, "to_user"),  # technicians do not own cases
])
def test_bad_hand_overs_are_refused_and_change_nothing(client, world, job_number, agent_headers, counts, body, code, field):
    before = counts()
    assert_error_shape(client.post(f"/api/v1/jobs/{job_number}/handover", json=body, headers=agent_headers), code,
                       field=field)
    assert counts() == before


def test_handing_a_case_to_its_current_owner_is_refused(client, world, agent_headers):
    number = client.post("/api/v1/jobs", json=staff_report(world.asset), headers=agent_headers).json["number"]
    response = client.post(f"/api/v1/jobs/{number}/handover", json={"to_user": "agent.li", "note": "mine"},
                           headers=agent_headers)
    assert_error_shape(response, 422, field="to_user")


# --- reclassification -----------------------------------------------------------------------------

def test_an_agent_corrects_the_category_and_the_entitlement_follows(client, session, world, agent_headers):
    # Bought five days before "today": a defect is refundable, a usage question is not.
    from datetime import date
    fresh = make_asset(session, purchase_date=date(2026, 11, 18))
    session.commit()
    created = client.post("/api/v1/reports", json=report_body(fresh, fault_text="Display shows strange symbols")).json
    assert created["entitlement"] == "refund"
    response = client.patch(f"/api/v1/jobs/{created['number']}", json={"category": "usage_question", "note": "asked how"},
                            headers=agent_headers)
    assert response.status_code == 200
    assert response.json["category"] == "usage_question"
    assert response.json["category_source"] == "agent"
    assert response.json["entitlement"] == "free_repair"
    event = client.get(f"/api/v1/jobs/{created['number']}/events", headers=agent_headers).json[-1]
    assert event["kind"] == "reclassified"
    assert event["data"]["from"] == {"category": "quality_defect", "entitlement": "refund"}


@pytest.mark.parametrize("body", [{}, {"category": "other"}, {"category": None}])
def test_bad_reclassification_is_422(client, world, job_number, agent_headers, counts, body):
    before = counts()
    assert_error_shape(client.patch(f"/api/v1/jobs/{job_number}", json=body, headers=agent_headers), 422, field="category")
    assert counts() == before


# --- asset look-up --------------------------------------------------------------------------------

def test_agents_find_appliances_by_serial_or_phone(client, world, agent_headers):
    by_serial = client.get(f"/api/v1/assets?serial={world.asset.serial}", headers=agent_headers)
    assert by_serial.status_code == 200 and by_serial.json[0]["serial"] == world.asset.serial
    by_phone = client.get("/api/v1/assets?phone=%2B86%20138%200000%200001", headers=agent_headers)
    assert [a["serial"] for a in by_phone.json] == [world.asset.serial]
    assert client.get("/api/v1/assets?serial=NOPE", headers=agent_headers).json == []


@pytest.mark.parametrize("query, field", [("", "serial"), ("phone=1", "phone"), ("serial=" + "s" * 65, "serial")])
def test_asset_look_up_needs_a_usable_criterion(client, world, agent_headers, query, field):
    assert_error_shape(client.get(f"/api/v1/assets?{query}", headers=agent_headers), 422, location="query", field=field)


def test_the_openapi_document_and_docs_page_are_served(client):
    spec = client.get("/api/v1/openapi.json")
    assert spec.status_code == 200
    assert "/api/v1/reports" in spec.json["paths"] and "/api/v1/jobs/{number}/transitions" in spec.json["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200 and b"swagger" in docs.data.lower()
    assert client.get("/api/v1/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_a_chinese_job_page_names_an_office_override_in_chinese(client, session, world, job_number, agent_headers):
    from tests.api.test_pages import sign_in

    _assigned(session, job_number)
    response = client.post(f"/api/v1/jobs/{job_number}/transitions",
                           json={"to": "en_route", "override_reason": "Technician's phone is broken"},
                           headers=agent_headers)
    assert response.status_code == 200, response.json
    sign_in(client, "agent.li")
    html = client.get(f"/agent/jobs/{job_number}?lang=zh", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "[agent.li 从办公室代为操作：Technician&#39;s phone is broken]" in html
    assert "office override by" not in html
