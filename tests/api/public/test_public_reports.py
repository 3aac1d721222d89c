"""The open consumer endpoints: QR look-up, report, tracking."""
import pytest

from tests.api.conftest import assert_error_shape, report_body
from tests.api.test_pages import csrf_from


def test_qr_lookup_shows_the_model_serial_and_warranty_verdict(client, world):
    response = client.get(f"/api/v1/assets/by-qr/{world.asset.qr_token}")
    assert response.status_code == 200
    body = response.json
    assert body["serial"] == world.asset.serial
    assert body["model"]["code"] == world.asset.product_model.code
    # Bought 2026-03-01 with a 12-month warranty; "today" is 2026-11-23.
    assert body["warranty"]["kind"] == "free_repair"
    assert body["warranty"]["valid_until"] == "2027-03-01"


def test_unknown_qr_token_is_a_404_in_the_error_shape(client, world):
    assert_error_shape(client.get("/api/v1/assets/by-qr/nope"), 404)


def test_a_report_opens_a_classified_job_with_sla_deadlines(client, world, counts):
    response = client.post("/api/v1/reports", json=report_body(world.asset))
    assert response.status_code == 201, response.json
    body = response.json
    assert body["created"] is True
    assert body["status"] == "reported"
    assert body["category"] == "quality_defect"
    assert body["entitlement"] == "free_repair"
    assert body["respond_by"] == "2026-11-23T04:00:00+00:00"  # 2 h after the report
    assert body["repair_by"] == "2026-11-26T02:00:00+00:00"  # 3 days after
    assert body["tracking_url"].startswith("http://aftercare.test/t/")
    assert counts()["Job"] == 1


def test_a_second_report_on_the_same_appliance_joins_the_open_job(client, world, counts):
    first = client.post("/api/v1/reports", json=report_body(world.asset))
    second = client.post("/api/v1/reports", json=report_body(world.asset, fault_text="Now it is also noisy"))
    assert second.status_code == 200
    assert second.json["created"] is False
    assert second.json["number"] == first.json["number"]
    assert counts() == {"Job": 1, "JobEvent": 2, "IdempotentRequest": 0}


def test_a_report_that_joins_somebody_elses_open_job_never_gets_its_tracking_link(client, world):
    first = client.post("/api/v1/reports", json=report_body(world.asset))
    stranger = client.post("/api/v1/reports", json=report_body(world.asset, contact_phone="+86 139 0000 1111",
                                                                 fault_text="The neighbour's fridge hums"))
    assert stranger.status_code == 200 and stranger.json["created"] is False
    assert stranger.json["tracking_url"] is None
    assert first.json["tracking_url"].rsplit("/", 1)[1] not in stranger.get_data(as_text=True)


def test_the_same_customer_reporting_again_may_follow_their_job(client, world):
    first = client.post("/api/v1/reports", json=report_body(world.asset, contact_phone="+86 138 1234 5678"))
    again = client.post("/api/v1/reports", json=report_body(world.asset, contact_phone="13812345678",
                                                              fault_text="Still not cooling today"))
    assert again.json["tracking_url"] == first.json["tracking_url"]


def test_the_qr_page_never_sends_a_stranger_to_another_reports_tracking_page(client, world):
    first = client.post("/api/v1/reports", json=report_body(world.asset))
    token = first.json["tracking_url"].rsplit("/", 1)[1]
    form = {"fault_text": "It makes a loud noise", "contact_name": "Li Na", "contact_phone": "+86 137 5555 0000",
            "csrf_token": csrf_from(client.get(f"/r/{world.asset.qr_token}"))}
    page = client.post(f"/r/{world.asset.qr_token}", data=form)
    assert page.status_code == 200 and b'data-testid="joined"' in page.data
    assert token.encode() not in page.data and page.headers.get("Location") is None


def test_a_retry_with_the_same_idempotency_key_returns_the_first_answer(client, world, counts):
    headers = {"Idempotency-Key": "phone-42-attempt"}
    first = client.post("/api/v1/reports", json=report_body(world.asset), headers=headers)
    retry = client.post("/api/v1/reports", json=report_body(world.asset), headers=headers)
    assert retry.status_code == 201
    assert retry.json == first.json
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert counts() == {"Job": 1, "JobEvent": 1, "IdempotentRequest": 1}


def test_reusing_an_idempotency_key_for_a_different_body_is_refused(client, world, counts):
    headers = {"Idempotency-Key": "k1"}
    client.post("/api/v1/reports", json=report_body(world.asset), headers=headers)
    before = counts()
    response = client.post("/api/v1/reports", json=report_body(world.asset, contact_name="Someone else"),
                           headers=headers)
    assert_error_shape(response, 422, location="headers", field="Idempotency-Key")
    assert counts() == before


def test_anonymous_callers_do_not_share_idempotency_keys(client, world, counts):
    """Another client sending the same key neither replays the first answer (its tracking link) nor is
    refused for it: anonymous keys are scoped by the caller's address."""
    headers = {"Idempotency-Key": "guessable-key"}
    first = client.post("/api/v1/reports", json=report_body(world.asset), headers=headers,
                        environ_base={"REMOTE_ADDR": "203.0.113.7"})
    other = client.post("/api/v1/reports", json=report_body(world.asset), headers=headers,
                        environ_base={"REMOTE_ADDR": "198.51.100.9"})
    assert first.status_code == 201
    assert other.status_code == 200 and other.headers.get("Idempotent-Replayed") is None
    same = client.post("/api/v1/reports", json=report_body(world.asset), headers=headers,
                       environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert same.headers.get("Idempotent-Replayed") == "true" and same.json == first.json


def test_a_refused_request_does_not_use_up_its_idempotency_key(client, world, counts):
    headers = {"Idempotency-Key": "k2"}
    bad = client.post("/api/v1/reports", json=report_body(world.asset, contact_phone="abc"), headers=headers)
    assert bad.status_code == 422
    good = client.post("/api/v1/reports", json=report_body(world.asset), headers=headers)
    assert good.status_code == 201


@pytest.mark.parametrize("overrides, field", [
    ({"fault_text": ...}, "fault_text"),
    ({"fault_text": ""}, "fault_text"),
    ({"fault_text": "     "}, "fault_text"),
    ({"fault_text": "bad"}, "fault_text"),
    ({"fault_text": "x" * 2001}, "fault_text"),
    ({"fault_text": 12345}, "fault_text"),
    ({"fault_text": ["not", "a", "string"]}, "fault_text"),
    ({"contact_name": ...}, "contact_name"),
    ({"contact_name": "y" * 121}, "contact_name"),
    ({"contact_phone": ...}, "contact_phone"),
    ({"contact_phone": "call me"}, "contact_phone"),
    ({"contact_phone": 13800000000}, "contact_phone"),
    ({"address": "z" * 256}, "address"),
    ({"latitude": 91, "longitude": 120}, "latitude"),
    ({"latitude": 31.3, "longitude": 181}, "longitude"),
    ({"latitude": "north", "longitude": 120}, "latitude"),
    ({"latitude": 31.3}, "latitude"),
    ({"channel": "phone"}, "channel"),
    ({"channel": "carrier-pigeon"}, "channel"),
    ({"qr_token": ...}, "qr_token"),
    ({"qr_token": "t" * 65}, "qr_token"),
    ({"qr_token": "unknown-token"}, "qr_token"),
    ({"surprise": "field"}, "surprise"),
])
def test_bad_reports_get_field_messages_and_write_nothing(client, world, counts, overrides, field):
    before = counts()
    response = client.post("/api/v1/reports", json=report_body(world.asset, **overrides))
    assert_error_shape(response, 422, field=field)
    assert counts() == before


def test_a_body_that_is_not_json_is_a_400(client, world, counts):
    response = client.post("/api/v1/reports", data="fault=broken", content_type="application/json")
    assert_error_shape(response, 400)
    assert counts()["Job"] == 0


def test_an_oversized_body_is_refused_before_it_is_read(client, world, counts):
    response = client.post("/api/v1/reports", json=report_body(world.asset, fault_text="x" * 100_000))
    assert_error_shape(response, 413)
    assert counts()["Job"] == 0


@pytest.mark.parametrize("key", ["", "k" * 201, "tab\there"])
def test_malformed_idempotency_keys_are_refused(client, world, counts, key):
    response = client.post("/api/v1/reports", json=report_body(world.asset), headers={"Idempotency-Key": key})
    assert_error_shape(response, 422, location="headers", field="Idempotency-Key")
    assert counts()["Job"] == 0


def test_tracking_shows_the_customer_timeline_without_staff_names(client, world):
    created = client.post("/api/v1/reports", json=report_body(world.asset)).json
    token = created["tracking_url"].rsplit("/", 1)[1]
    response = client.get(f"/api/v1/tracking/{token}")
    assert response.status_code == 200
    assert response.json["number"] == created["number"]
    assert [entry["kind"] for entry in response.json["timeline"]] == ["created"]
    assert "actor" not in response.get_data(as_text=True)


@pytest.mark.parametrize("token", ["short", "x" * 40, "y" * 300])
def test_unknown_tracking_tokens_are_404(client, world, token):
    assert_error_shape(client.get(f"/api/v1/tracking/{token}"), 404)


def test_the_public_report_endpoint_is_rate_limited(app, client, world):
    app.extensions["aftercare"].settings.__dict__  # settings are frozen; use a fresh app with a tight limit
    from api.app import create_app
    from core.settings import Settings
    settings = Settings(**{**app.extensions["aftercare"].settings.__dict__, "report_rate_limit": "2 per minute"})
    limited = create_app(settings, clock=app.extensions["aftercare"].clock, testing=True).test_client()
    bodies = [report_body(world.asset, contact_name=f"Caller {n}") for n in range(3)]
    statuses = [limited.post("/api/v1/reports", json=body).status_code for body in bodies]
    assert statuses[:2] in ([201, 200], [200, 200], [201, 201]) and statuses[2] == 429
    third = limited.post("/api/v1/reports", json=bodies[0])
    assert_error_shape(third, 429)
    assert 0 < int(third.headers["Retry-After"]) <= 60


def test_an_accepted_report_carries_no_rate_limit_headers(client, world):
    # Each would cost reads of the shared counter on every request; only a refusal says when to retry.
    response = client.post("/api/v1/reports", json=report_body(world.asset))
    assert response.status_code == 201
    assert not [name for name, _value in response.headers if name.lower().startswith(("x-ratelimit", "retry-after"))]


def test_a_different_address_without_a_geocoder_uses_the_registered_location_and_says_why(client, world, token_for):
    created = client.post("/api/v1/reports", json=report_body(world.asset, address="88 Another Street, Suzhou")).json
    events = client.get(f"/api/v1/jobs/{created['number']}/events", headers=token_for("agent.li")).json
    assert "No geocoder is configured" in events[0]["data"]["location"]
    job = client.get(f"/api/v1/jobs/{created['number']}", headers=token_for("agent.li")).json
    assert (job["latitude"], job["longitude"]) == (world.asset.latitude, world.asset.longitude)
    assert job["address"] == "88 Another Street, Suzhou"


def test_on_postgresql_two_app_processes_share_one_report_limit(app, world, database_url):
    if not database_url.startswith("postgresql"):
        pytest.skip("the database:// limit storage is PostgreSQL's default; SQLite counts per process")
    from api.app import create_app
    from core.settings import Settings

    settings = Settings(**{**app.extensions["aftercare"].settings.__dict__, "report_rate_limit": "2 per minute",
                           "rate_limit_storage_uri": "database://"})
    workers = [create_app(settings, clock=app.extensions["aftercare"].clock, testing=True) for _ in range(2)]
    try:
        statuses = [workers[n % 2].test_client().post(
            "/api/v1/reports", json=report_body(world.asset, contact_name=f"Caller {n}")).status_code for n in range(3)]
        assert statuses[2] == 429 and 429 not in statuses[:2]
    finally:
        for worker in workers:
            worker.extensions["aftercare_engine"].dispose()


def test_the_default_limit_storage_follows_the_database():
    from core.settings import Settings

    on_postgres = Settings.from_env({"AFTERCARE_DATABASE_URL": "postgresql+psycopg://x@h/db",
                                     "AFTERCARE_SECRET_KEY": "k" * 40, "AFTERCARE_WEBHOOK_SECRET": "w" * 40})
    assert on_postgres.rate_limit_storage_uri == "database://"
