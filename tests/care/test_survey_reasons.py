"""A low survey answer that reopens a job stores the event's note and the follow-up tasks' reasons as
codes with facts, so a Chinese page says what the customer answered in Chinese."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from care.models import FollowUpTask, ProblemArea, Survey, TaskKind
from care.surveys import SurveyAnswer, answer_survey
from core.i18n import use_locale
from core.users import Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import EventKind
from dispatch.jobs.reasons import english, explain
from dispatch.jobs.status import JobStatus
from tests.builders.care import complete_job, make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def _answered(session, answer: SurveyAnswer):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    make_user(session, username="manager.xu", role=Role.MANAGER).locale = "zh_CN"
    job = make_open_job(session, asset=make_asset(session), owner=agent, now=NOW)
    done_at = complete_job(session, job, actor=Actor.staff(agent), now=NOW)
    survey = session.scalar(select(Survey).where(Survey.job_id == job.id))
    answer_survey(session, survey=survey, now=done_at + timedelta(days=1), answer=answer)
    session.commit()
    return job


def test_the_reopening_note_is_a_code_that_reads_in_chinese(session):
    job = _answered(session, SurveyAnswer(rating=2, fixed=False, comment="Still warm inside",
                                          problem_areas=(ProblemArea.PUNCTUALITY, ProblemArea.PRODUCT)))
    assert job.status == JobStatus.TRIAGED
    event = [e for e in job.events if e.kind == EventKind.STATUS_CHANGED and e.to_status == JobStatus.TRIAGED][-1]
    assert event.note_code == "reopened_by_survey"
    assert event.note == english(event.note_code, event.note_facts)
    assert event.note == ('Reopened by the callback survey: rated 2/5; NOT fixed; problems: the product, '
                          'punctuality; "Still warm inside"')
    with use_locale("zh_CN"):
        words = explain(event.note_code, event.note_facts, event.note)
    assert words == "因回访问卷重新打开：评分 2/5；未修好；问题：产品、准时；“Still warm inside”"


def test_the_follow_up_tasks_carry_codes_and_each_reads_in_the_readers_language(session):
    _answered(session, SurveyAnswer(rating=1, fixed=False, problem_areas=(ProblemArea.ATTITUDE,)))
    tasks = {t.kind: t for t in session.scalars(select(FollowUpTask))}
    assert set(tasks) == {TaskKind.CASE_REOPENED, TaskKind.SUPERVISOR_CALL, TaskKind.SUPERVISOR_REVIEW}
    reopened, review = tasks[TaskKind.CASE_REOPENED], tasks[TaskKind.SUPERVISOR_REVIEW]
    assert reopened.reason_code == "case_reopened_visit" and reopened.reason.startswith("The customer's answer")
    assert review.reason_code == "supervisor_review" and review.reason.startswith("服务单")  # the manager reads Chinese
    with use_locale("zh_CN"):
        assert "客户的回访答复重新打开了服务单" in explain(reopened.reason_code, reopened.reason_facts, reopened.reason)
    with use_locale("en"):
        call = tasks[TaskKind.SUPERVISOR_CALL]
        assert explain(call.reason_code, call.reason_facts, call.reason).startswith("Call ")
        assert "problems: attitude" in explain(call.reason_code, call.reason_facts, call.reason)
