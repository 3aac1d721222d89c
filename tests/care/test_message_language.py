"""Messages and stored texts are written in the reader's language, with times in the region's local time:
a staff member who chose Chinese gets Chinese, a customer whose language is unknown gets both."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from care.callbacks import send_survey, start_callback_plan
from care.models import OutboxMessage
from care.sla_watch import sla_sweep
from core.regions import zone_of
from core.users import Role
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
