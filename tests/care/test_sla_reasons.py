"""An SLA warning or breach stores its reason as a code with facts beside the English text, so a
Chinese page says it in Chinese, the job's own reason for waiting included."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from care.sla_watch import sla_sweep
from core.i18n import use_locale
from core.users import Role
from dispatch.jobs.models import DispatchState, Escalation, EventKind
from dispatch.jobs.reasons import english, explain
from tests.builders.care import make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def _job(session):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    job = make_open_job(session, asset=make_asset(session), owner=agent, now=NOW)  # respond in 2 h
    session.commit()
    return job


def test_a_response_warning_is_stored_as_a_code_and_reads_in_chinese(session):
    job = _job(session)
    sla_sweep(session, now=NOW + timedelta(minutes=90))
    warning = session.scalars(select(Escalation).where(Escalation.kind == "sla_warning")).one()
    assert warning.reason_code == "sla_warning_redispatched"
    assert warning.reason_facts["cause"] == {"code": "cause_no_response"}
    assert warning.reason == english(warning.reason_code, warning.reason_facts)
    assert warning.reason.startswith("Response SLA at 75 %: 30 min left")
    event = next(e for e in job.events if e.kind == EventKind.SLA_WARNING)
    assert (event.note_code, event.note_facts) == (warning.reason_code, warning.reason_facts)
    with use_locale("zh_CN"):
        words = explain(warning.reason_code, warning.reason_facts, warning.reason)
    assert words.startswith("响应时限已用 75 %：剩余 30 分钟") and words.endswith("已请求重新派工")


def test_a_breach_of_an_unplannable_job_carries_the_jobs_own_reason_in_chinese(session):
    job = _job(session)
    job.dispatch_state = DispatchState.UNASSIGNABLE
    job.dispatch_note = "no technician in the region has the 'refrigeration' skill with a valid certification"
    job.dispatch_note_code, job.dispatch_note_facts = "no_skill_in_region", {"skill": "refrigeration"}
    session.commit()
    sla_sweep(session, now=NOW + timedelta(minutes=121))
    breach = session.scalars(select(Escalation).where(Escalation.kind == "sla_breach")).one()
    assert breach.reason_code == "sla_breach" and job.dispatch_note in breach.reason
    with use_locale("zh_CN"):
        words = explain(breach.reason_code, breach.reason_facts, breach.reason)
    assert "本区域没有持有效认证" in words and "no technician" not in words


def test_a_breach_of_a_job_whose_note_predates_codes_shows_that_note_as_written(session):
    job = _job(session)
    job.dispatch_state, job.dispatch_note = DispatchState.UNASSIGNABLE, "an old English note"
    session.commit()
    sla_sweep(session, now=NOW + timedelta(minutes=121))
    breach = session.scalars(select(Escalation).where(Escalation.kind == "sla_breach")).one()
    with use_locale("zh_CN"):
        assert "an old English note" in explain(breach.reason_code, breach.reason_facts, breach.reason)
