"""Messages and stored texts are written in the reader's language, with times in the region's local time:
a staff member who chose Chinese gets Chinese, a customer whose language is unknown gets both."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from care.callbacks import SURVEY_DEADLINE, send_survey, start_callback_plan
from care.models import OutboxMessage
from care.opt_out import opt_out
from care.sla_watch import sla_sweep
from core.regions import zone_of
from core.users import Role
from core.work_queue import WorkItem
from dispatch.jobs.audit import Actor
from tests.builders.care import complete_job, make_open_job
from tests.builders.core import make_region, make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def test_an_sla_breach_reaches_each_person_in_their_language_with_the_local_deadline(session):
    agent = make_user(session, username="agent.zh", role=Role.AGENT)
    agent.locale = "zh_CN"
    make_user(session, username="manager.en", role=Role.MANAGER)
    job = make_open_job(session, asset=make_asset(session, region=make_region(session)), owner=agent, now=NOW)
    session.commit()
    assert sla_sweep(session, now=NOW + timedelta(minutes=120)).breached == 1
    session.commit()
    by_purpose = {(m.recipient, m.purpose): m for m in session.scalars(select(OutboxMessage))}
    chinese = next(m for (to, purpose), m in by_purpose.items() if purpose == "sla_breach" and "agent.zh" in to)
    english = next(m for (to, purpose), m in by_purpose.items() if purpose == "sla_breach" and "manager.en" in to)
    local_deadline = job.respond_by.astimezone(zone_of(job.asset.region)).strftime("%Y-%m-%d %H:%M")
    assert chinese.subject == f"时限超时：服务单 {job.number}" and "响应时限已超时" in chinese.body
    assert english.subject == f"SLA breached: job {job.number}" and "Response SLA breached" in english.body
    assert "UTC" not in chinese.body + english.body
    assert local_deadline in chinese.body and local_deadline in english.body


def test_the_survey_invitation_speaks_both_languages_when_the_customer_s_is_unknown(session):
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    complete_job(session, job, actor=Actor(label="tech"), now=NOW)
    survey = start_callback_plan(session, job=job, now=NOW + timedelta(hours=3))
    assert send_survey(session, survey_id=survey.id, now=NOW + timedelta(hours=3), base_url="https://care.example")
    message = session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "survey")).one()
    assert message.subject == f"How did we do? Job {job.number} / 服务回访：服务单 {job.number}"
    assert "Please tell us how it went" in message.body and "请花一分钟告诉我们您的评价" in message.body


def _completed_job_with_survey(session, *, locale, at):
    asset = make_asset(session)
    asset.customer.locale = locale
    job = make_open_job(session, asset=asset, owner=None, now=NOW)
    complete_job(session, job, actor=Actor(label="tech"), now=NOW)
    return job, start_callback_plan(session, job=job, now=at)


def _survey_message(session, job):
    return session.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "survey",
                                                       OutboxMessage.job_id == job.id)).one_or_none()


def test_the_survey_invitation_is_in_the_customer_s_own_language_with_an_opt_out_link(session):
    at = NOW + timedelta(hours=3)
    job, survey = _completed_job_with_survey(session, locale="zh_CN", at=at)
    assert send_survey(session, survey_id=survey.id, now=at, base_url="https://care.example")
    message = _survey_message(session, job)
    assert message.subject == f"服务回访：服务单 {job.number}"
    assert "How did we do" not in message.subject + message.body
    assert f"https://care.example/s/{survey.token}" in message.body and "/messages/opt-out/" in message.body


def test_a_survey_due_at_night_waits_for_the_morning_and_its_answer_window_starts_then(session):
    night = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)  # 23:00 in Suzhou
    job, survey = _completed_job_with_survey(session, locale="en", at=night)
    send_survey(session, survey_id=survey.id, now=night, base_url="https://care.example")
    message = _survey_message(session, job)
    morning = datetime(2026, 11, 24, 0, 0, tzinfo=UTC)
    assert message.not_before == morning
    deadline = session.scalars(select(WorkItem).where(WorkItem.kind == SURVEY_DEADLINE)).one()
    assert deadline.due_at == morning + timedelta(minutes=survey.answer_window_minutes)


def test_a_customer_who_opted_out_gets_no_survey_but_is_still_called(session):
    at = NOW + timedelta(hours=3)
    job, survey = _completed_job_with_survey(session, locale="en", at=at)
    opt_out(session, customer=job.customer, now=at)
    send_survey(session, survey_id=survey.id, now=at, base_url="https://care.example")
    assert _survey_message(session, job) is None
    assert session.scalars(select(WorkItem).where(WorkItem.kind == SURVEY_DEADLINE)).one() is not None
