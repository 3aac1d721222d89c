"""Close the loop over the API: answer a callback survey (public, by token), staff follow-up tasks,
a job's SLA clocks and pauses, and the service dashboard's numbers (managers)."""
from __future__ import annotations

from flask import g
from flask.views import MethodView
from flask_smorest import Blueprint

from api.auth import require_api_roles
from api.care.schemas import (
    ContactResultSchema,
    ContactSchema,
    DashboardQuerySchema,
    DashboardSchema,
    JobClocksSchema,
    PauseSchema,
    PriorityResultSchema,
    PrioritySchema,
    ResumeSchema,
    SurveyAnswerSchema,
    SurveyResultSchema,
    SurveyViewSchema,
    TaskDoneSchema,
    TaskQuerySchema,
    TaskSchema,
)
from api.context import now, services, today
from api.database import db
from api.extensions import limiter
from care.dashboard import build_dashboard, period_asked
from care.sla_watch import job_clocks, pause_clocks, resume_clocks
from care.surveys import SurveyAnswer, answer_survey, survey_by_token
from care.tasks import complete_task, get_task, tasks_for
from core.users import CASE_ROLES, Role
from dispatch.jobs.audit import Actor
from dispatch.jobs.clocks import change_priority, record_contact
from dispatch.jobs.services import get_job

blp = Blueprint("api_care", __name__, url_prefix="/api/v1", description="Close the loop: surveys, tasks, SLA, dashboard")

MANAGERS = (Role.MANAGER,)
NUMBER = "<string(maxlength=20):number>"
TOKEN = "<string(maxlength=64):token>"


@blp.route(f"/surveys/{TOKEN}")
class SurveyResource(MethodView):
    decorators = [limiter.limit(lambda: services().settings.report_rate_limit, methods=["POST"])]

    @blp.response(200, SurveyViewSchema)
    def get(self, token: str):
        """The survey behind the link (no sign-in: the unguessable token is the key)"""
        return survey_by_token(db(), token)

    @blp.arguments(SurveyAnswerSchema)
    @blp.response(201, SurveyResultSchema)
    @blp.alt_response(409, description="The survey was already answered")
    def post(self, data: dict, token: str):
        """Answer the survey, once: a 1-5 rating, whether it was fixed, what went wrong, a comment"""
        survey = survey_by_token(db(), token, for_update=True)
        return answer_survey(db(), survey=survey, now=now(),
                             answer=SurveyAnswer(rating=data["rating"], fixed=data["fixed"],
                                                 problem_areas=tuple(data["problem_areas"]), comment=data["comment"]))


@blp.route("/tasks")
class Tasks(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(TaskQuerySchema, location="query")
    @blp.response(200, TaskSchema(many=True))
    def get(self, query: dict):
        """My open follow-up tasks and the team's unowned ones, soonest due first"""
        return list(db().scalars(tasks_for(g.api_user, now=now(), include_upcoming=query["include_upcoming"])))


@blp.route("/tasks/<int:task_id>/done")
class TaskDone(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(TaskDoneSchema)
    @blp.response(200, TaskSchema)
    def post(self, data: dict, task_id: int):
        """Close a task with its outcome (a colleague's task is refused, unless you are a manager)"""
        task = get_task(db(), task_id, for_update=True)
        return complete_task(db(), task=task, user=g.api_user, outcome=data["outcome"], note=data["note"], now=now())


def _clocks(job) -> dict:
    clocks = job_clocks(db(), job, now=now())
    alerts = [{"clock": a.clock.value, "kind": a.kind.value, "at": a.at.isoformat(), "cause": a.cause,
               "detail": a.detail} for a in clocks.alerts]
    return {"job": job.number, "paused": clocks.paused, "clocks": list(clocks.readings.values()), "alerts": alerts,
            "responded_at": job.responded_at, "response_kind": job.response_kind,
            "responded_by": job.responded_by.username if job.responded_by else None}


@blp.route(f"/jobs/{NUMBER}/sla")
class JobClocks(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.response(200, JobClocksSchema)
    def get(self, number: str):
        """The job's response and resolution clocks (pauses left out), and its warnings and breaches"""
        return _clocks(get_job(db(), number))


@blp.route(f"/jobs/{NUMBER}/sla/pause")
class JobPause(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(PauseSchema)
    @blp.response(200, JobClocksSchema)
    def post(self, data: dict, number: str):
        """The job waits for the customer: its SLA clocks stand still until resumed"""
        job = get_job(db(), number, for_update=True)
        pause_clocks(db(), job=job, reason=data["reason"], actor=Actor.staff(g.api_user), now=now())
        return _clocks(job)

    @require_api_roles(*CASE_ROLES)
    @blp.arguments(ResumeSchema)
    @blp.response(200, JobClocksSchema)
    def delete(self, data: dict, number: str):
        """The customer is back: the clocks run again"""
        job = get_job(db(), number, for_update=True)
        resume_clocks(db(), job=job, actor=Actor.staff(g.api_user), now=now(), note=data["note"], tz=services().tz)
        return _clocks(job)


@blp.route(f"/jobs/{NUMBER}/contacts")
class JobContacts(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(ContactSchema)
    @blp.response(201, ContactResultSchema)
    def post(self, data: dict, number: str):
        """Record a contact with the customer (a call, a message, a visit note): the first one is the
        job's response and stops its response clock; automatic steps never do"""
        job = get_job(db(), number, for_update=True)
        return record_contact(db(), job=job, channel=data["channel"], note=data["note"],
                              actor=Actor.staff(g.api_user), now=now())


@blp.route(f"/jobs/{NUMBER}/priority")
class JobPriority(MethodView):
    @require_api_roles(*CASE_ROLES)
    @blp.arguments(PrioritySchema)
    @blp.response(200, PriorityResultSchema)
    @blp.alt_response(409, description="The job is finished, or already has this priority")
    def put(self, data: dict, number: str):
        """Give the job another priority: the SLA policy for it applies and the stored deadlines are
        made again from the report time"""
        job = get_job(db(), number, for_update=True)
        change_priority(db(), job=job, priority=data["priority"], actor=Actor.staff(g.api_user), now=now(),
                        tz=services().tz, note=data["note"])
        return job


@blp.route("/care/dashboard")
class ServiceDashboard(MethodView):
    @require_api_roles(*MANAGERS)
    @blp.arguments(DashboardQuerySchema, location="query")
    @blp.response(200, DashboardSchema)
    def get(self, query: dict):
        """Promises kept over a period (default: the last four weeks) against their targets, the trend,
        the worst regions, technicians and models, recurring faults and parts, at-risk customers"""
        start, end = period_asked(query["from_"], query["to"], today=today())
        return build_dashboard(db(), start=start, end=end, tz=services().tz, now=now())
