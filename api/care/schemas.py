"""Request and response shapes of the close-the-loop API: surveys, tasks, SLA clocks, the dashboard."""
from __future__ import annotations

import marshmallow as ma
from marshmallow import fields, validate, validates_schema

from api.schemas import Integer, TrimmedString
from care.models import ProblemArea, TaskKind, TaskOutcome
from dispatch.jobs.models import ContactChannel, Priority, ResponseKind

RATING_ERROR = "The rating must be a whole number from 1 to 5."


class SurveyAnswerSchema(ma.Schema):
    rating = Integer(required=True, strict=True, validate=validate.Range(1, 5, error=RATING_ERROR),
                            error_messages={"invalid": RATING_ERROR, "required": RATING_ERROR})
    fixed = fields.Boolean(required=True, truthy={True, "yes", "true"}, falsy={False, "no", "false"},
                           error_messages={"invalid": "Say whether the problem was fixed: yes or no.",
                                           "required": "Say whether the problem was fixed: yes or no."})
    problem_areas = fields.List(fields.Enum(ProblemArea, by_value=True), load_default=list,
                                validate=validate.Length(max=len(ProblemArea)))
    comment = TrimmedString(load_default="", validate=validate.Length(max=2000))


class SurveyFormSchema(SurveyAnswerSchema):
    """The page form sends strings: the rating arrives as "1".."5"."""

    rating = Integer(required=True, strict=False, validate=validate.Range(1, 5, error=RATING_ERROR),
                            error_messages={"invalid": RATING_ERROR, "required": RATING_ERROR})


class SurveyViewSchema(ma.Schema):
    job_number = fields.String(attribute="job.number")
    model = fields.String(attribute="job.asset.product_model.name")
    completed_at = fields.DateTime(attribute="job.resolved_at", allow_none=True)
    answered = fields.Function(lambda s: s.answered_at is not None)
    answered_at = fields.DateTime(allow_none=True)


class SurveyResultSchema(SurveyViewSchema):
    rating = Integer()
    fixed = fields.Boolean()
    problem_areas = fields.List(fields.String())
    outcome = fields.Function(lambda s: s.outcome.value if s.outcome else None)


class TaskQuerySchema(ma.Schema):
    include_upcoming = fields.Boolean(load_default=False)


class TaskSchema(ma.Schema):
    id = Integer()
    kind = fields.Enum(TaskKind, by_value=True)
    job_number = fields.Function(lambda t: t.job.number if t.job else None)
    customer = fields.String(attribute="customer.name")
    phone = fields.String(attribute="customer.phone")
    assignee = fields.Function(lambda t: t.assignee.username if t.assignee else None)
    reason = fields.String()
    created_at = fields.DateTime()
    due_at = fields.DateTime()
    done_at = fields.DateTime(allow_none=True)
    outcome = fields.Enum(TaskOutcome, by_value=True, allow_none=True)
    outcome_note = fields.String()


class TaskDoneSchema(ma.Schema):
    outcome = fields.Enum(TaskOutcome, by_value=True, required=True)
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))

    @validates_schema
    def _follow_up_says_what(self, data, **kwargs):
        if data.get("outcome") == TaskOutcome.FOLLOW_UP and len(data.get("note", "")) < 3:
            raise ma.ValidationError("Say what follow-up was arranged.", "note")


class PauseSchema(ma.Schema):
    reason = TrimmedString(required=True, validate=validate.Length(min=3, max=500))


class ResumeSchema(ma.Schema):
    note = TrimmedString(load_default="", validate=validate.Length(max=500))


class ContactSchema(ma.Schema):
    channel = fields.Enum(ContactChannel, by_value=True, load_default=ContactChannel.PHONE)
    note = TrimmedString(required=True, validate=validate.Length(min=3, max=2000))


class ContactResultSchema(ma.Schema):
    job = fields.String(attribute="job.number")
    at = fields.DateTime()
    by = fields.String(attribute="actor_label")
    channel = fields.Function(lambda e: e.data.get("channel"))
    note = fields.String()
    first_response = fields.Function(lambda e: bool(e.data.get("response")))
    responded_at = fields.DateTime(attribute="job.responded_at", allow_none=True)
    response_kind = fields.Enum(ResponseKind, by_value=True, attribute="job.response_kind", allow_none=True)


class PrioritySchema(ma.Schema):
    priority = fields.Enum(Priority, by_value=True, required=True)
    note = TrimmedString(load_default="", validate=validate.Length(max=2000))


class PriorityResultSchema(ma.Schema):
    job = fields.String(attribute="number")
    priority = fields.Enum(Priority, by_value=True)
    sla_policy = fields.String(attribute="sla_policy.code")
    respond_by = fields.DateTime()
    repair_by = fields.DateTime()


class ClockSchema(ma.Schema):
    clock = fields.Function(lambda r: r.clock.value)
    allowed_minutes = fields.Function(lambda r: int(r.allowed.total_seconds() // 60))
    used_minutes = fields.Function(lambda r: int(r.used.total_seconds() // 60))
    paused_minutes = fields.Function(lambda r: int(r.paused.total_seconds() // 60))
    share_used = fields.Function(lambda r: round(r.share_used, 4))
    deadline = fields.DateTime()
    stopped_at = fields.DateTime(allow_none=True)
    met = fields.Boolean(allow_none=True)
    paused_now = fields.Boolean(attribute="running_pause")


class JobClocksSchema(ma.Schema):
    job = fields.String()
    paused = fields.Boolean()
    responded_at = fields.DateTime(allow_none=True)
    responded_by = fields.String(allow_none=True)
    response_kind = fields.Enum(ResponseKind, by_value=True, allow_none=True)
    clocks = fields.List(fields.Nested(ClockSchema))
    alerts = fields.List(fields.Dict())


class DashboardQuerySchema(ma.Schema):
    from_ = fields.Date(data_key="from", load_default=None)
    to = fields.Date(load_default=None)


class RateSchema(ma.Schema):
    key = fields.String()
    label = fields.String()
    hit = Integer(attribute="rate.hit")
    total = Integer(attribute="rate.total")
    share = fields.Float(attribute="rate.share", allow_none=True)
    target = fields.Float()
    on_target = fields.Boolean(allow_none=True)


class TrendPointSchema(ma.Schema):
    start = fields.Date()
    response = fields.Float(allow_none=True)
    repair = fields.Float(allow_none=True)
    satisfaction = fields.Float(allow_none=True)


class GroupScoreSchema(ma.Schema):
    name = fields.String()
    jobs = Integer()
    response_missed = Integer()
    repair_missed = Integer()
    low_scores = Integer()
    miss_rate = fields.Float()
    satisfaction = fields.Float(allow_none=True)


class CountedSchema(ma.Schema):
    name = fields.Function(lambda pair: pair[0])
    count = fields.Function(lambda pair: pair[1])


class ModelFaultsSchema(ma.Schema):
    model = fields.String()
    code = fields.String()
    jobs = Integer()
    repeat_jobs = Integer()
    keywords = fields.List(fields.Nested(CountedSchema))
    categories = fields.List(fields.Nested(CountedSchema))
    parts = fields.List(fields.Nested(CountedSchema))


class AtRiskSchema(ma.Schema):
    customer_id = Integer()
    name = fields.String()
    phone = fields.String()
    score = Integer()
    reasons = fields.List(fields.String())
    last_job = fields.String()


class BreachCauseSchema(ma.Schema):
    clock = fields.Function(lambda row: row[0])
    cause = fields.Function(lambda row: row[1])
    count = fields.Function(lambda row: row[2])


class EscalationCountsSchema(ma.Schema):
    open = Integer()
    acknowledged = Integer()
    resolved = Integer()


class ShareSchema(ma.Schema):
    hit = Integer()
    total = Integer()
    share = fields.Float(allow_none=True)


class UtilisationSchema(ma.Schema):
    on_job_minutes = Integer()
    shift_minutes = Integer()
    share = fields.Float(allow_none=True)


class FieldKpisSchema(ma.Schema):
    first_time_fix = fields.Nested(ShareSchema)
    repeat_visits = fields.Nested(ShareSchema)
    cycle_jobs = Integer()
    cycle_mean_hours = fields.Float(allow_none=True)
    cycle_target_hours = fields.Float()
    cycle_over_target = Integer()
    utilisation = fields.Nested(UtilisationSchema)
    parts_at_first_visit = fields.Nested(ShareSchema)


class PreviousPeriodSchema(ma.Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    metrics = fields.List(fields.Nested(RateSchema))
    kpis = fields.Nested(FieldKpisSchema)


class FaultRateSchema(ma.Schema):
    id = Integer()
    name = fields.String()
    code = fields.String()
    installed = Integer()
    jobs = Integer()
    per_thousand = fields.Float(allow_none=True)
    ranked = fields.Boolean()


class FaultRatesSchema(ma.Schema):
    models = fields.List(fields.Nested(FaultRateSchema))
    parts = fields.List(fields.Nested(FaultRateSchema))


class DashboardSchema(ma.Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")
    metrics = fields.List(fields.Nested(RateSchema))
    trend_unit = fields.String()
    trend = fields.List(fields.Nested(TrendPointSchema))
    worst_regions = fields.List(fields.Nested(GroupScoreSchema))
    worst_technicians = fields.List(fields.Nested(GroupScoreSchema))
    worst_models = fields.List(fields.Nested(GroupScoreSchema))
    faults = fields.List(fields.Nested(ModelFaultsSchema))
    parts_known = fields.Boolean()
    at_risk = fields.List(fields.Nested(AtRiskSchema))
    breach_causes = fields.List(fields.Nested(BreachCauseSchema))
    escalations = fields.Nested(EscalationCountsSchema)
    kpis = fields.Nested(FieldKpisSchema, allow_none=True)
    previous = fields.Nested(PreviousPeriodSchema, allow_none=True)
    fault_rates = fields.Nested(FaultRatesSchema, allow_none=True)
