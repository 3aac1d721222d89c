"""Staff read what was sent to a job's customer; the customer's opt-out link stops the non-essential
messages, and changes nothing by being opened."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from care.customer_messages import JOB_COMPLETED, REPORT_RECEIVED, TECHNICIAN_ON_THE_WAY
from care.models import OutboxMessage
from care.opt_out import opt_out_url
from core.users import Role
from dispatch.catalog.models import Customer
from dispatch.jobs.audit import Actor
from tests.api.conftest import assert_error_shape
from tests.api.test_pages import csrf_from
from tests.builders.care import complete_job, make_open_job
from tests.builders.core import make_user
from tests.conftest import NOW


def _job(session, world):
    job = make_open_job(session, asset=world.asset, owner=world.agent, now=NOW - timedelta(hours=3))
    session.commit()
    return job


def test_staff_read_every_message_to_the_customer_with_channel_state_and_times(client, session, world,
                                                                               agent_headers):
    job = _job(session, world)
    complete_job(session, job, actor=Actor.staff(world.agent), now=NOW - timedelta(hours=2))
    session.commit()
    response = client.get(f"/api/v1/jobs/{job.number}/messages", headers=agent_headers)
    assert response.status_code == 200, response.json
    purposes = [m["purpose"] for m in response.json]
    assert purposes == [REPORT_RECEIVED, TECHNICIAN_ON_THE_WAY, JOB_COMPLETED]
    first = response.json[0]
    assert first["channel"] == "sms" and first["state"] == "pending" and first["recipient"].startswith("sms:")
    assert first["created_at"].startswith("2026-11-22T23:00:00") and first["sent_at"] is None
    assert set(first) == {"id", "channel", "purpose", "recipient", "subject", "state", "attempts", "last_error",
                          "created_at", "not_before", "sent_at"}


def test_the_messages_of_a_job_are_for_office_roles_and_unknown_jobs_are_404(client, session, world, token_for,
                                                                            agent_headers):
    job = _job(session, world)
    make_user(session, username="manager.xu", role=Role.MANAGER)
    session.commit()
    assert client.get(f"/api/v1/jobs/{job.number}/messages", headers=token_for("manager.xu")).status_code == 200
    assert_error_shape(client.get(f"/api/v1/jobs/{job.number}/messages", headers=token_for("tech01")), 403)
    assert_error_shape(client.get(f"/api/v1/jobs/{job.number}/messages"), 401)
    assert_error_shape(client.get("/api/v1/jobs/AC-NOSUCH00/messages", headers=agent_headers), 404)
    assert client.get(f"/api/v1/jobs/{'X' * 21}/messages", headers=agent_headers).status_code == 404
    assert_error_shape(client.get("/api/v1/jobs/AC-%00%01/messages", headers=agent_headers), 422)


def test_the_opt_out_link_asks_first_then_stops_the_non_essential_messages(client, session, world):
    job = _job(session, world)
    link = opt_out_url(job.customer).removeprefix("http://aftercare.test")
    page = client.get(link)
    assert page.status_code == 200 and "Stop these updates" in page.get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get(Customer, job.customer_id).messages_opted_out_at is None  # opening it changes nothing
    token = csrf_from(page)
    bad = client.post(link, data={"csrf_token": token, "action": "everything"})
    assert bad.status_code == 422 and "Please use one of the buttons below." in bad.get_data(as_text=True)
    done = client.post(link, data={"csrf_token": token, "action": "stop"})
    assert done.status_code == 303
    assert "You will no longer get updates" in client.get(done.headers["Location"]).get_data(as_text=True)
    session.rollback()
    session.expire_all()
    assert session.get(Customer, job.customer_id).messages_opted_out_at is not None
    complete_job(session, job, actor=Actor.staff(world.agent), now=NOW)
    session.commit()
    purposes = session.scalars(select(OutboxMessage.purpose).where(OutboxMessage.job_id == job.id)).all()
    assert JOB_COMPLETED not in purposes and TECHNICIAN_ON_THE_WAY in purposes


def test_a_forged_or_broken_opt_out_link_is_a_friendly_404_in_chinese_too(client, session, world):
    job = _job(session, world)
    link = opt_out_url(job.customer).removeprefix("http://aftercare.test")
    assert "服务单消息通知" in client.get(link, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    for broken in (link[:-3], link + "x", "/messages/opt-out/" + "a" * 300, "/messages/opt-out/MQ.forged"):
        response = client.get(broken)
        assert response.status_code == 404 and "<html" in response.get_data(as_text=True), broken


def test_a_report_made_on_the_chinese_page_makes_chinese_the_customer_s_language(client, session, world):
    page = client.get(f"/r/{world.asset.qr_token}", headers={"Accept-Language": "zh-CN"})
    response = client.post(f"/r/{world.asset.qr_token}", headers={"Accept-Language": "zh-CN"},
                           data={"csrf_token": csrf_from(page), "fault_text": "冰箱不制冷了", "contact_name": "张伟",
                                 "contact_phone": "13800000000"})
    assert response.status_code == 303
    session.expire_all()
    customer = session.get(Customer, world.asset.customer_id)
    assert customer.locale == "zh_CN"
    [message] = session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == REPORT_RECEIVED)).all()
    assert message.subject.startswith("我们已收到您的报修") and "We received" not in message.subject


def test_an_agent_sets_the_customer_s_language_channel_and_opt_out_audited_and_bad_input_is_refused(
        client, session, world, agent_headers, token_for):
    job = _job(session, world)
    url = f"/api/v1/jobs/{job.number}/message-preferences"
    assert client.get(url, headers=agent_headers).json == {"locale": None, "channel": None, "opted_out": False,
                                                           "has_email": False}
    for body, field in (({"locale": "fr", "channel": None, "opted_out": False}, "locale"),
                        ({"locale": None, "channel": "fax", "opted_out": False}, "channel"),
                        ({"locale": None, "channel": "email", "opted_out": False}, "channel"),  # no address known
                        ({"locale": "en", "channel": "sms"}, "opted_out"),
                        ({"locale": "x" * 5000, "channel": None, "opted_out": "yes please"}, "locale")):
        assert_error_shape(client.put(url, json=body, headers=agent_headers), 422, field=field)
    assert_error_shape(client.put(url, json={"locale": "en", "channel": "sms", "opted_out": False},
                                  headers=token_for("tech01")), 403)
    assert_error_shape(client.put("/api/v1/jobs/AC-NOSUCH00/message-preferences", headers=agent_headers,
                                  json={"locale": "en", "channel": "sms", "opted_out": False}), 404)
    session.expire_all()
    assert session.get(Customer, job.customer_id).preferred_channel is None  # nothing was written

    done = client.put(url, json={"locale": "zh_CN", "channel": "wechat", "opted_out": True}, headers=agent_headers)
    assert done.status_code == 200 and done.json["channel"] == "wechat" and done.json["opted_out"] is True
    events = client.get(f"/api/v1/jobs/{job.number}/events", headers=agent_headers).json
    assert events[-1]["kind"] == "message_preferences" and events[-1]["actor"] == "agent.li"
    assert events[-1]["data"]["to"] == {"locale": "zh_CN", "channel": "wechat", "opted_out": True}
    session.rollback()  # a fresh snapshot before this session writes (SQLite)
    session.expire_all()
    complete_job(session, session.get(type(job), job.id), actor=Actor.staff(world.agent), now=NOW)
    session.commit()
    [on_the_way] = session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == TECHNICIAN_ON_THE_WAY)).all()
    assert on_the_way.recipient.startswith("wechat:") and on_the_way.subject.startswith("技师正在赶来")
