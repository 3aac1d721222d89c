"""Close the loop, driven by a simulated clock: completion -> survey message a day later -> no answer
in two days -> a phone task for the owner -> a low score reopens the case and alerts a supervisor."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from care.callbacks import SEND_SURVEY
from care.models import (
    CallbackPlan,
    DeliveryState,
    FollowUpTask,
    OutboxMessage,
    ProblemArea,
    Survey,
    SurveyOutcome,
    TaskKind,
)
from care.scheduled import care_handlers
from care.surveys import InvalidAnswer, SurveyAlreadyAnswered, SurveyAnswer, answer_survey
from core.clock import FixedClock
from core.db import make_session_factory
from core.users import Role
from core.work_queue import WorkItem, run_due_items
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from dispatch.jobs.work import DISPATCH_JOB
from tests.builders.care import WEBHOOK_SECRET, complete_job, make_open_job, webhook_receiver
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def _drain(factory, handlers, clock) -> int:
    """Run every due work item, including the ones that running others made due (as the scheduler
    would over a few seconds)."""
    total = 0
    while ran := run_due_items(factory, handlers=handlers, worker="test", now=clock.now):
        total += ran
    return total


def _surveys(received) -> list[dict]:
    return [m for m in received.messages if m["purpose"] == "survey"]


def _tasks(session, kind: TaskKind) -> list[FollowUpTask]:
    session.rollback()  # end the read snapshot (SQLite WAL) so the workers' commits are seen
    return list(session.scalars(select(FollowUpTask).where(FollowUpTask.kind == kind).order_by(FollowUpTask.id)))


@pytest.fixture
def people(session):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    manager = make_user(session, username="manager.xu", role=Role.MANAGER)
    return agent, manager


def _completed_job(session, agent, *, business: bool = False, product_line: str | None = None) -> tuple[Job, object]:
    asset = make_asset(session)
    asset.customer.is_business = business
    if product_line:
        asset.product_model.product_line = product_line
    job = make_open_job(session, asset=asset, owner=agent, now=NOW)
    done_at = complete_job(session, job, actor=Actor.staff(agent), now=NOW)
    session.commit()
    return job, done_at


def test_survey_then_phone_task_then_low_score_escalation(engine, session, settings, people):
    agent, manager = people
    job, done_at = _completed_job(session, agent)
    clock = FixedClock(done_at)
    factory = make_session_factory(engine)
    with webhook_receiver() as (url, received):
        handlers = care_handlers(replace(settings, webhook_url=url, webhook_secret=WEBHOOK_SECRET))

        clock.advance(timedelta(hours=23, minutes=59))
        _drain(factory, handlers, clock)
        assert _surveys(received) == []  # not yet: the survey waits 24 h (the steps' messages went already)

        clock.advance(timedelta(minutes=2))
        assert _drain(factory, handlers, clock) == 2  # the survey item, then the message it queued
        [survey_message] = _surveys(received)
        session.rollback()
        survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
        assert survey_message["purpose"] == "survey" and survey_message["to"] == "sms:+86 138 1234 5678"
        assert f"http://aftercare.test/s/{survey.token}" in survey_message["text"]
        assert survey_message["header_id"] == str(survey_message["id"])
        outbox = session.get(OutboxMessage, survey_message["id"])
        assert outbox.state == DeliveryState.SENT and outbox.attempts == 1 and outbox.sent_at == clock.now()

        clock.advance(timedelta(hours=47))
        _drain(factory, handlers, clock)
        assert _tasks(session, TaskKind.PHONE_CALLBACK) == []  # the answer window is still open

        clock.advance(timedelta(hours=1, minutes=1))
        _drain(factory, handlers, clock)
        [call] = _tasks(session, TaskKind.PHONE_CALLBACK)
        assert call.assignee_user_id == agent.id and call.job_id == job.id and "+86 138 1234 5678" in call.reason

        # The customer answers late after all: 2 of 5, and the fridge still does not cool.
        clock.advance(timedelta(hours=3))
        survey = session.get(Survey, survey.id)
        answer_survey(session, survey=survey, now=clock.now(),
                      answer=SurveyAnswer(rating=2, fixed=False, problem_areas=(ProblemArea.PRODUCT,),
                                          comment="Still warm inside"))
        session.commit()
        job = session.get(Job, job.id)
        assert job.status == JobStatus.TRIAGED and job.owner_user_id == agent.id  # reopened to its owner
        assert survey.outcome == SurveyOutcome.FOLLOW_UP_VISIT
        assert session.scalar(select(func.count()).select_from(WorkItem).where(
            WorkItem.kind == DISPATCH_JOB, WorkItem.created_at == clock.now())) == 1  # dispatch plans a visit
        [reopened] = _tasks(session, TaskKind.CASE_REOPENED)
        [review] = _tasks(session, TaskKind.SUPERVISOR_REVIEW)
        assert reopened.assignee_user_id == agent.id and review.assignee_user_id == manager.id
        assert _tasks(session, TaskKind.SUPERVISOR_CALL) == []  # no people complaint: no personal call

        _drain(factory, handlers, clock)
        alert = received.messages[-1]
        assert alert["purpose"] == "low_score_alert" and alert["to"] == "user:manager.xu"
        assert alert["data"] == {"job": job.number, "rating": 2, "fixed": False, "problem_areas": ["product"]}
        assert received.rejected == 0


def test_a_service_complaint_gets_a_supervisors_call_and_no_new_visit(engine, session, people):
    agent, manager = people
    job, done_at = _completed_job(session, agent)
    survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
    dispatch_items = session.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.kind == DISPATCH_JOB))
    answer_survey(session, survey=survey, now=done_at + timedelta(days=1),
                  answer=SurveyAnswer(rating=3, fixed=True, problem_areas=(ProblemArea.ATTITUDE, ProblemArea.PUNCTUALITY),
                                      comment="Came two hours late and was rude"))
    session.commit()
    assert session.get(Job, job.id).status == JobStatus.COMPLETED
    assert survey.outcome == SurveyOutcome.SUPERVISOR_CALL
    [call] = _tasks(session, TaskKind.SUPERVISOR_CALL)
    assert call.assignee_user_id == manager.id and "rude" in call.reason
    assert _tasks(session, TaskKind.SUPERVISOR_REVIEW) == []
    assert session.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.kind == DISPATCH_JOB)) == dispatch_items
    # Only the supervisor hears of it (a task and a chat message); the customer gets no automated message.
    recipients = session.scalars(select(OutboxMessage.recipient).where(
        OutboxMessage.created_at > done_at + timedelta(hours=1))).all()
    assert recipients == ["user:manager.xu"]


def test_a_good_answer_changes_nothing_else_and_a_second_answer_is_refused(session, people):
    agent, _ = people
    job, done_at = _completed_job(session, agent)
    survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
    answer_survey(session, survey=survey, now=done_at, answer=SurveyAnswer(rating=5, fixed=True))
    session.commit()
    assert survey.outcome == SurveyOutcome.SATISFIED and session.get(Job, job.id).status == JobStatus.COMPLETED
    assert session.scalar(select(func.count()).select_from(FollowUpTask)) == 0
    with pytest.raises(SurveyAlreadyAnswered):
        answer_survey(session, survey=survey, now=done_at, answer=SurveyAnswer(rating=1, fixed=False))
    session.rollback()
    assert session.get(Survey, survey.id).rating == 5


def test_a_rating_outside_one_to_five_is_refused(session, people):
    agent, _ = people
    job, done_at = _completed_job(session, agent)
    survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
    for rating in (0, 6, True, "4"):
        with pytest.raises(InvalidAnswer) as refused:
            answer_survey(session, survey=survey, now=done_at, answer=SurveyAnswer(rating=rating, fixed=True))
        assert refused.value.field == "rating" and survey.answered_at is None


def test_no_survey_is_sent_for_a_job_reopened_before_its_moment(engine, session, settings, people):
    agent, _ = people
    job, done_at = _completed_job(session, agent)
    transition_job(session, job=job, to=JobStatus.TRIAGED, actor=Actor.staff(agent), now=done_at + timedelta(hours=2))
    session.commit()
    clock = FixedClock(done_at + timedelta(days=1, minutes=1))
    _drain(make_session_factory(engine), care_handlers(settings, notifiers={}), clock)
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.purpose == "survey")) == 0


def test_a_product_lines_plan_sets_the_delay_and_business_accounts_get_check_in_calls(session, people):
    agent, _ = people
    session.add(CallbackPlan(product_line="laundry", survey_delay_minutes=120, answer_window_minutes=600,
                             checkin_days=[90, 30], checkin_business_only=True))
    session.flush()
    job, done_at = _completed_job(session, agent, business=True, product_line="laundry")
    survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
    assert survey.send_at == done_at + timedelta(hours=2) and survey.answer_window_minutes == 600
    item = session.scalar(select(WorkItem).where(WorkItem.kind == SEND_SURVEY))
    assert item.due_at == survey.send_at
    checkins = _tasks(session, TaskKind.CHECK_IN)
    assert [t.due_at - done_at for t in checkins] == [timedelta(days=30), timedelta(days=90)]
    assert all(t.assignee_user_id == agent.id for t in checkins)

    consumer_job, consumer_done = _completed_job(session, agent, business=False)
    default_survey = session.scalar(select(Survey).where(Survey.job_id == consumer_job.id))
    assert default_survey.send_at == consumer_done + timedelta(hours=24)
    assert len(_tasks(session, TaskKind.CHECK_IN)) == 2  # consumers get no long-horizon calls by default


def test_a_check_in_call_stores_its_reason_as_a_code_that_reads_in_chinese(session, people):
    from core.i18n import use_locale
    from dispatch.jobs.reasons import english, explain

    agent, _ = people
    session.add(CallbackPlan(product_line="laundry", survey_delay_minutes=120, answer_window_minutes=600,
                             checkin_days=[30], checkin_business_only=False))
    session.flush()
    _completed_job(session, agent, product_line="laundry")
    task = _tasks(session, TaskKind.CHECK_IN)[0]
    assert task.reason_code == "check_in" and task.reason_facts["days"] == 30
    assert task.reason == english(task.reason_code, {**task.reason_facts,
                                                     "category": task.reason_facts["category"].replace("_", " ")})
    with use_locale("zh_CN"):
        words = explain(task.reason_code, task.reason_facts, task.reason)
    assert "处理完成 30 天后回访" in words and "check-in" not in words
