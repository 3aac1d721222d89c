"""The dashboard as it was before its numbers moved into SQL, kept verbatim as the reference the SQL
version is checked against (tests/care/test_dashboard_sql.py) and timed against
(scripts/bench_dashboard.py): it loads the period's jobs and counts them in Python, slowly but plainly.
Not product code; nothing but those two imports it. Its own docstring follows.

The service dashboard's numbers: promises kept (response, repair, satisfaction) over a period
against their targets, their trend, the worst regions, technicians and models, recurring faults and
parts per model, and the customers at risk of leaving.

Everything is computed from a few bulk queries over the period's jobs; nothing here writes.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, exists, func, select
from sqlalchemy.orm import Session, selectinload

from care.models import LOW_SCORE, AlertKind, FollowUpTask, SlaAlert, SlaClock, Survey
from care.sla_watch import pauses_of, read_clocks
from core.db import chunked
from core.i18n import current_locale, local_name
from core.i18n import gettext as _
from dispatch.catalog.models import Asset
from dispatch.intake.classifier import classify
from dispatch.jobs.models import VISIT_CATEGORIES, Escalation, Job, JobCategory, SlaPolicy
from dispatch.technicians.models import Technician
from inventory.models import MovementKind, Part, StockMovement

MAX_PERIOD_DAYS = 366
DEFAULT_PERIOD = timedelta(days=27)  # four weeks, today included
MIN_JOBS_TO_RANK = 2        # a single unlucky job does not make a region "worst"
REPEAT_WINDOW = timedelta(days=90)


@dataclass
class Rate:
    hit: int = 0
    total: int = 0

    def add(self, ok: bool) -> None:
        self.total += 1
        self.hit += 1 if ok else 0

    @property
    def share(self) -> float | None:
        return self.hit / self.total if self.total else None


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    rate: Rate
    target: float

    @property
    def on_target(self) -> bool | None:
        return None if self.rate.share is None else self.rate.share >= self.target


@dataclass(frozen=True)
class TrendPoint:
    start: date
    response: float | None
    repair: float | None
    satisfaction: float | None


@dataclass
class GroupScore:
    name: str
    jobs: int = 0
    response_missed: int = 0
    repair_missed: int = 0
    low_scores: int = 0
    answers: int = 0
    satisfied: int = 0

    @property
    def misses(self) -> int:
        return self.response_missed + self.repair_missed + self.low_scores

    @property
    def miss_rate(self) -> float:
        return self.misses / self.jobs if self.jobs else 0.0

    @property
    def satisfaction(self) -> float | None:
        return self.satisfied / self.answers if self.answers else None


@dataclass
class ModelFaults:
    model: str
    code: str
    jobs: int
    repeat_jobs: int
    keywords: list[tuple[str, int]]
    categories: list[tuple[str, int]]
    parts: list[tuple[str, int]]


@dataclass
class AtRiskCustomer:
    customer_id: int
    name: str
    phone: str
    score: int
    reasons: list[str] = field(default_factory=list)
    last_job: str = ""


@dataclass(frozen=True)
class EscalationCounts:
    """Escalations raised in the period, by where they stand now."""
    open: int = 0
    acknowledged: int = 0
    resolved: int = 0


@dataclass
class Dashboard:
    start: date
    end: date  # inclusive
    metrics: list[Metric]
    trend: list[TrendPoint]
    trend_unit: str
    worst_regions: list[GroupScore]
    worst_technicians: list[GroupScore]
    worst_models: list[GroupScore]
    faults: list[ModelFaults]
    parts_known: bool
    at_risk: list[AtRiskCustomer]
    breach_causes: list[tuple[str, str, int]]
    escalations: EscalationCounts = field(default_factory=EscalationCounts)


class InvalidPeriod(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_period(start: date, end: date) -> None:
    if end < start:
        raise InvalidPeriod("to", _("The end of the period is before its start."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidPeriod("to", _("The period may be at most %(days)s days long.", days=MAX_PERIOD_DAYS))


def _utc_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return (datetime.combine(start, time(), tz).astimezone(ZoneInfo("UTC")),
            datetime.combine(end + timedelta(days=1), time(), tz).astimezone(ZoneInfo("UTC")))


@dataclass
class _JobFacts:
    job: Job
    response_ok: bool | None  # None: still running and not yet due
    repair_ok: bool | None


def _job_facts(session: Session, jobs: list[Job], *, now: datetime) -> dict[int, _JobFacts]:
    pauses = pauses_of(session, [j.id for j in jobs])
    facts = {}
    for job in jobs:
        readings = read_clocks(job, pauses.get(job.id, []), now=now)
        response, repair = readings[SlaClock.RESPONSE], readings[SlaClock.RESOLUTION]
        repair_ok = repair.kept if job.category in VISIT_CATEGORIES else None
        facts[job.id] = _JobFacts(job, response.kept, repair_ok)
    return facts


def build_dashboard(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime) -> Dashboard:
    check_period(start, end)
    lo, hi = _utc_bounds(start, end, tz)
    jobs = list(session.scalars(
        select(Job).where(Job.reported_at >= lo, Job.reported_at < hi)
        .options(selectinload(Job.asset).selectinload(Asset.product_model), selectinload(Job.asset).selectinload(Asset.region),
                 selectinload(Job.technician).selectinload(Technician.user), selectinload(Job.customer))
        .order_by(Job.reported_at)))
    facts = _job_facts(session, jobs, now=now)
    surveys = list(session.scalars(select(Survey).where(Survey.answered_at >= lo, Survey.answered_at < hi)
                                   .options(selectinload(Survey.job)).order_by(Survey.answered_at)))
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.category.is_(None)).limit(1))
    targets = (policy.respond_target, policy.repair_target, policy.satisfaction_target) if policy else (0.95, 0.9, 0.95)

    response, repair, satisfaction = Rate(), Rate(), Rate()
    for f in facts.values():
        if f.response_ok is not None:
            response.add(f.response_ok)
        if f.repair_ok is not None:
            repair.add(f.repair_ok)
    for s in surveys:
        satisfaction.add(s.rating > LOW_SCORE)
    respond_hours = round(policy.respond_minutes / 60) if policy else 2
    repair_days = round(policy.repair_minutes / 1440) if policy else 3
    metrics = [Metric("response", _("Response within %(hours)s h", hours=respond_hours), response, targets[0]),
               Metric("repair", _("Repair within %(days)s days", days=repair_days), repair, targets[1]),
               Metric("satisfaction", _("Satisfied (4 or 5 of 5)"), satisfaction, targets[2])]

    trend, unit = _trend(facts, surveys, start=start, end=end, tz=tz)
    regions, technicians, models = _group_scores(facts, surveys)
    faults, parts_known = _faults(session, jobs)
    return Dashboard(start=start, end=end, metrics=metrics, trend=trend, trend_unit=unit,
                     worst_regions=_worst(regions), worst_technicians=_worst(technicians), worst_models=_worst(models),
                     faults=faults, parts_known=parts_known,
                     at_risk=_at_risk(session, facts, surveys, now=now, lo=lo, hi=hi),
                     breach_causes=breaches_by_cause(session, lo=lo, hi=hi),
                     escalations=escalation_counts(session, lo=lo, hi=hi))


def _trend(facts: dict[int, _JobFacts], surveys: list[Survey], *, start: date, end: date,
           tz: ZoneInfo) -> tuple[list[TrendPoint], str]:
    days = (end - start).days + 1
    step = 1 if days <= 21 else 7
    buckets: dict[date, tuple[Rate, Rate, Rate]] = {}
    first = start
    while first <= end:
        buckets[first] = (Rate(), Rate(), Rate())
        first += timedelta(days=step)

    def bucket(moment: datetime) -> date:
        day = moment.astimezone(tz).date()
        return start + timedelta(days=((day - start).days // step) * step)

    for f in facts.values():
        rates = buckets.get(bucket(f.job.reported_at))
        if rates is None:
            continue
        if f.response_ok is not None:
            rates[0].add(f.response_ok)
        if f.repair_ok is not None:
            rates[1].add(f.repair_ok)
    for s in surveys:
        rates = buckets.get(bucket(s.answered_at))
        if rates is not None:
            rates[2].add(s.rating > LOW_SCORE)
    return ([TrendPoint(day, r.share, p.share, s.share) for day, (r, p, s) in buckets.items()],
            "day" if step == 1 else "week")


def _group_scores(facts: dict[int, _JobFacts], surveys: list[Survey]):
    regions: dict[str, GroupScore] = {}
    technicians: dict[str, GroupScore] = {}
    models: dict[str, GroupScore] = {}
    survey_by_job: dict[int, list[Survey]] = defaultdict(list)
    for s in surveys:
        survey_by_job[s.job_id].append(s)
    for f in facts.values():
        job = f.job
        keys = [(regions, job.asset.region.name if job.asset.region else _("No region")),
                (models, f"{local_name(job.asset.product_model)} ({job.asset.product_model.code})")]
        if job.technician is not None:
            keys.append((technicians, job.technician.user.display_name))
        for table, name in keys:
            score = table.setdefault(name, GroupScore(name))
            score.jobs += 1
            score.response_missed += f.response_ok is False
            score.repair_missed += f.repair_ok is False
            for s in survey_by_job.get(job.id, []):
                score.answers += 1
                score.satisfied += s.rating > LOW_SCORE
                score.low_scores += s.is_low
    return regions, technicians, models


def _worst(scores: dict[str, GroupScore], limit: int = 5) -> list[GroupScore]:
    ranked = [s for s in scores.values() if s.jobs >= MIN_JOBS_TO_RANK and s.misses]
    return sorted(ranked, key=lambda s: (-s.miss_rate, -s.misses, s.name))[:limit]


def _faults(session: Session, jobs: list[Job]) -> tuple[list[ModelFaults], bool]:
    """Which faults and parts recur per model. Keywords are the classifier's own matches, so an agent
    can read the same words the intake used."""
    by_model: dict[int, list[Job]] = defaultdict(list)
    for job in jobs:
        if job.category in (JobCategory.QUALITY_DEFECT, JobCategory.INSTALLATION):
            by_model[job.asset.product_model_id].append(job)
    ids = [job.id for job in jobs]
    chinese = current_locale() == "zh_CN"
    parts: dict[int, Counter] = defaultdict(Counter)
    job_model = {job.id: job.asset.product_model_id for job in jobs}
    for chunk in chunked(ids):
        rows = session.execute(select(StockMovement.job_id, Part.name, Part.name_zh, func.sum(StockMovement.quantity))
                               .join(Part, Part.id == StockMovement.part_id)
                               .where(StockMovement.kind == MovementKind.CONSUMPTION,
                                      StockMovement.job_id.in_(chunk))
                               .group_by(StockMovement.job_id, Part.name, Part.name_zh))
        for job_id, part_name, part_name_zh, quantity in rows:
            parts[job_model[job_id]][(part_name_zh if chinese else "") or part_name] += int(quantity)
    result = []
    for model_jobs in by_model.values():
        model = model_jobs[0].asset.product_model
        keywords, categories = Counter(), Counter()
        assets = Counter(job.asset_id for job in model_jobs)
        for job in model_jobs:
            keywords.update(set(classify(job.fault_text).matched))
            categories[job.category.value] += 1
        result.append(ModelFaults(model=local_name(model), code=model.code, jobs=len(model_jobs),
                                  repeat_jobs=sum(n for n in assets.values() if n > 1),
                                  keywords=keywords.most_common(4), categories=categories.most_common(),
                                  parts=parts[model.id].most_common(3)))
    result.sort(key=lambda m: (-m.jobs, -m.repeat_jobs, m.code))
    parts_known = session.scalar(select(exists().where(StockMovement.kind == MovementKind.CONSUMPTION)))
    return result[:10], parts_known


def _at_risk(session: Session, facts: dict[int, _JobFacts], surveys: list[Survey], *, now: datetime,
             lo: datetime, hi: datetime, limit: int = 10) -> list[AtRiskCustomer]:
    """Customers to call before they leave: repeat failures on one appliance, broken promises, low
    scores. Weighted so that a customer who told us they are unhappy comes first."""
    customers: dict[int, AtRiskCustomer] = {}
    counts: dict[int, Counter] = defaultdict(Counter)
    last_job: dict[int, Job] = {}
    failures_by_asset: dict[int, list[Job]] = defaultdict(list)
    for f in facts.values():
        job = f.job
        last_job[job.customer_id] = job
        if f.response_ok is False or f.repair_ok is False:
            counts[job.customer_id]["breach"] += 1
        if job.category == JobCategory.QUALITY_DEFECT:
            failures_by_asset[job.asset_id].append(job)
    # A repeat failure may follow a failure reported before the period: look back one window.
    earlier = session.execute(select(Job.asset_id, func.count()).where(
        Job.asset_id.in_(list(failures_by_asset) or [-1]), Job.category == JobCategory.QUALITY_DEFECT,
        Job.reported_at >= lo - REPEAT_WINDOW, Job.reported_at < lo).group_by(Job.asset_id)).all()
    before = dict(earlier)
    for asset_id, failures in failures_by_asset.items():
        repeats = len(failures) + before.get(asset_id, 0) - 1
        if repeats > 0:
            counts[failures[0].customer_id]["repeat"] += repeats
    for s in surveys:
        if s.is_low:
            counts[s.job.customer_id]["low"] += 1
            last_job.setdefault(s.job.customer_id, s.job)
    weights = {"low": 3, "repeat": 2, "breach": 1}
    words = {"low": _("low survey score"), "repeat": _("repeat failure"), "breach": _("SLA breach")}
    for customer_id, counter in counts.items():
        job = last_job[customer_id]
        score = sum(weights[k] * n for k, n in counter.items())
        if score < 2:
            continue  # one late response alone is not a customer about to leave
        customers[customer_id] = AtRiskCustomer(
            customer_id=customer_id, name=job.customer.name, phone=job.customer.phone, score=score,
            reasons=[f"{n} × {words[k]}" for k, n in sorted(counter.items(), key=lambda kv: -weights[kv[0]])],
            last_job=job.number)
    open_tasks = dict(session.execute(select(FollowUpTask.customer_id, func.count()).where(
        FollowUpTask.customer_id.in_(list(customers) or [-1]), FollowUpTask.done_at.is_(None))
        .group_by(FollowUpTask.customer_id)).all())
    for customer_id, n in open_tasks.items():
        customers[customer_id].reasons.append(_("%(n)s open follow-up task(s)", n=n))
    return sorted(customers.values(), key=lambda c: (-c.score, c.name))[:limit]


def breaches_by_cause(session: Session, *, lo: datetime, hi: datetime) -> list[tuple[str, str, int]]:
    """(clock, cause, count) of breaches recorded by the SLA watch in the period."""
    rows = session.execute(select(SlaAlert.clock, SlaAlert.cause, func.count())
                           .where(SlaAlert.kind == AlertKind.BREACH, SlaAlert.at >= lo, SlaAlert.at < hi)
                           .group_by(SlaAlert.clock, SlaAlert.cause).order_by(func.count().desc()))
    return [(clock.value if hasattr(clock, "value") else clock, cause, n) for clock, cause, n in rows]


def escalation_counts(session: Session, *, lo: datetime, hi: datetime) -> EscalationCounts:
    """Open, acknowledged and resolved escalations among those raised in the period, in one query."""
    resolved = Escalation.resolved_at.is_not(None)
    acknowledged = and_(Escalation.resolved_at.is_(None), Escalation.acknowledged_at.is_not(None))
    row = session.execute(select(func.count(), func.count(case((acknowledged, 1))), func.count(case((resolved, 1))))
                          .where(Escalation.raised_at >= lo, Escalation.raised_at < hi)).one()
    total, acked, done = (int(n or 0) for n in row)
    return EscalationCounts(open=total - acked - done, acknowledged=acked, resolved=done)
