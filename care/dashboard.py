"""The service dashboard's numbers: promises kept (response, repair, satisfaction) over a period
against their targets, their trend, the worst regions, technicians and models, recurring faults and
parts per model, and the customers at risk of leaving.

The database does the counting: a fixed number of grouped selects whatever the number of jobs, so a
year of a national brand's jobs never comes into memory. Only the recurring-fault keywords need Python
(the intake classifier's own matches), and only for the distinct report texts of the ten models shown,
streamed. Days are the region's calendar days: their boundaries are computed here as UTC instants and
handed to the database, so SQLite and PostgreSQL bucket alike. Nothing here writes.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, and_, case, exists, func, literal_column, null, or_, select, union_all
from sqlalchemy.orm import Session

from care.fault_rates import FAULT_CATEGORIES, FaultRates, fault_rates
from care.kpis import FieldKpis, field_kpis
from care.models import LOW_SCORE, AlertKind, FollowUpTask, SlaAlert, Survey
from care.sla_watch import kept_sql
from core.i18n import current_locale, local_name
from core.i18n import gettext as _
from core.regions import Region
from core.users import User
from dispatch.catalog.models import Asset, Customer, ProductModel
from dispatch.intake.classifier import classify
from dispatch.jobs.models import VISIT_CATEGORIES, Escalation, Job, JobCategory, SlaPolicy
from dispatch.technicians.models import Technician
from inventory.models import MovementKind, Part, StockMovement

MAX_PERIOD_DAYS = 366
DEFAULT_PERIOD = timedelta(days=27)  # four weeks, today included
MIN_JOBS_TO_RANK = 2        # a single unlucky job does not make a region "worst"
REPEAT_WINDOW = timedelta(days=90)
# The calendar the dashboard counts in: wide enough for any service history, and far enough inside
# Python's and the databases' own calendars that a period's UTC bounds exist in every time zone.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)
TEXTS_PER_FETCH = 1000


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
    ids: list[int | None] = field(default_factory=list)  # the groups of this name (None: no region)

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
    model_id: int = 0


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


@dataclass(frozen=True)
class PreviousPeriod:
    """The same length of time just before the period, for comparison."""
    start: date
    end: date
    metrics: list[Metric]
    kpis: FieldKpis


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
    regions: list[GroupScore] = field(default_factory=list)       # every region of the period, by name
    technicians: list[GroupScore] = field(default_factory=list)
    kpis: FieldKpis | None = None
    previous: PreviousPeriod | None = None
    fault_rates: FaultRates | None = None


class InvalidPeriod(ValueError):
    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


def check_day(name: str, day: date) -> None:
    """Refuse a day outside the calendar the dashboard counts in (InvalidPeriod on the field `name`)."""
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidPeriod(name, _("A date of the period must lie between %(first)s and %(last)s.",
                                    first=FIRST_DAY.isoformat(), last=LAST_DAY.isoformat()))


def check_period(start: date, end: date) -> None:
    check_day("from", start)
    check_day("to", end)
    if end < start:
        raise InvalidPeriod("to", _("The end of the period is before its start."))
    if (end - start).days + 1 > MAX_PERIOD_DAYS:
        raise InvalidPeriod("to", _("The period may be at most %(days)s days long.", days=MAX_PERIOD_DAYS))


def period_asked(start: date | None, end: date | None, *, today: date) -> tuple[date, date]:
    """The period a reader asked for, the default four weeks to `today` where a bound is not given;
    refused with InvalidPeriod, as check_period does, before any date arithmetic could overflow."""
    if start is not None:
        check_day("from", start)
    if end is not None:
        check_day("to", end)
    end = end or today
    start = start or max(FIRST_DAY, end - DEFAULT_PERIOD)
    check_period(start, end)
    return start, end


def _local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tz).astimezone(ZoneInfo("UTC"))


def _utc_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    return _local_midnight(start, tz), _local_midnight(end + timedelta(days=1), tz)


def _trend_days(start: date, end: date) -> tuple[list[date], int]:
    """The first day of each trend bucket, and the bucket's length in days."""
    step = 1 if (end - start).days + 1 <= 21 else 7
    return [start + timedelta(days=n) for n in range(0, (end - start).days + 1, step)], step


def _bucket_of(moment, firsts: list[date], tz: ZoneInfo):
    """The index of the trend bucket a moment of the period falls in, as SQL: a CASE over the buckets'
    first local midnights as UTC instants, the same on every backend (no database time zone
    arithmetic, which SQLite lacks and PostgreSQL does differently)."""
    if len(firsts) == 1:
        return literal_column("0", Integer)
    return case(*[(moment < _local_midnight(day, tz), n) for n, day in enumerate(firsts[1:])],
                else_=len(firsts) - 1)


def _facts(lo: datetime, hi: datetime, *, now: datetime, bucket_of=None):
    """One row per job reported in [lo, hi): who and what it concerns, and whether each promise was
    kept (1), missed (0) or is still open (NULL), read as care.sla_watch.read_clocks reads it."""
    repair = case((Job.category.in_(VISIT_CATEGORIES), kept_sql(Job.repair_by, Job.resolved_at, now=now)),
                  else_=null())
    columns = [Job.id.label("job_id"), Job.asset_id, Job.customer_id, Job.technician_id,
               kept_sql(Job.respond_by, Job.responded_at, now=now).label("response_ok"), repair.label("repair_ok")]
    if bucket_of is not None:
        columns.append(bucket_of(Job.reported_at).label("bucket"))
    return select(*columns).where(Job.reported_at >= lo, Job.reported_at < hi).subquery("facts")


def _satisfied():
    return case((Survey.rating > LOW_SCORE, 1), else_=0)


def _low():
    """Survey.is_low of an answered survey."""
    return case((or_(Survey.rating <= LOW_SCORE, Survey.fixed.is_(False)), 1), else_=0)


def _n(value) -> int:
    return int(value or 0)


def build_dashboard(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime) -> Dashboard:
    check_period(start, end)
    lo, hi = _utc_bounds(start, end, tz)
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.category.is_(None)).limit(1))
    targets = (policy.respond_target, policy.repair_target, policy.satisfaction_target) if policy else (0.95, 0.9, 0.95)

    trend, unit, rates = _trend(session, start=start, end=end, tz=tz, now=now, lo=lo, hi=hi)
    respond_hours = round(policy.respond_minutes / 60) if policy else 2
    repair_days = round(policy.repair_minutes / 1440) if policy else 3

    def metrics_of(response: Rate, repair: Rate, satisfaction: Rate) -> list[Metric]:
        return [Metric("response", _("Response within %(hours)s h", hours=respond_hours), response, targets[0]),
                Metric("repair", _("Repair within %(days)s days", days=repair_days), repair, targets[1]),
                Metric("satisfaction", _("Satisfied (4 or 5 of 5)"), satisfaction, targets[2])]

    regions, technicians, models = _group_scores(session, lo=lo, hi=hi, now=now)
    faults, parts_known = _faults(session, lo=lo, hi=hi)
    return Dashboard(start=start, end=end, metrics=metrics_of(*rates), trend=trend, trend_unit=unit,
                     worst_regions=_worst(regions), worst_technicians=_worst(technicians), worst_models=_worst(models),
                     faults=faults, parts_known=parts_known,
                     at_risk=_at_risk(session, now=now, lo=lo, hi=hi),
                     breach_causes=breaches_by_cause(session, lo=lo, hi=hi),
                     escalations=escalation_counts(session, lo=lo, hi=hi),
                     regions=_by_name(regions), technicians=_by_name(technicians),
                     kpis=field_kpis(session, lo=lo, hi=hi, now=now, start=start, end=end, tz=tz),
                     previous=_previous(session, start=start, end=end, tz=tz, now=now, metrics_of=metrics_of),
                     fault_rates=fault_rates(session, lo=lo, hi=hi, end=end))


def previous_period(start: date, end: date) -> tuple[date, date] | None:
    """The period of the same length ending the day before `start`; None before the calendar's start."""
    length = end - start + timedelta(days=1)
    if (start - FIRST_DAY) < length:
        return None
    return start - length, start - timedelta(days=1)


def _previous(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime, metrics_of) -> PreviousPeriod | None:
    before = previous_period(start, end)
    if before is None:
        return None
    lo, hi = _utc_bounds(*before, tz)
    # Asked as a trend of one bucket over the whole period: only the period's sums are wanted.
    _points, _unit, rates = _trend(session, start=before[0], end=before[0], tz=tz, now=now, lo=lo, hi=hi)
    return PreviousPeriod(start=before[0], end=before[1], metrics=metrics_of(*rates),
                          kpis=field_kpis(session, lo=lo, hi=hi, now=now, start=before[0], end=before[1], tz=tz))


def _by_name(scores: dict[str, GroupScore]) -> list[GroupScore]:
    return sorted(scores.values(), key=lambda s: s.name)


def _trend(session: Session, *, start: date, end: date, tz: ZoneInfo, now: datetime, lo: datetime,
           hi: datetime) -> tuple[list[TrendPoint], str, tuple[Rate, Rate, Rate]]:
    """The trend by day (or by week past three weeks) and the period's three rates, which are the
    buckets' sums: every job and answer of the period falls in exactly one bucket."""
    firsts, step = _trend_days(start, end)
    buckets = [(Rate(), Rate(), Rate()) for _day in firsts]
    facts = _facts(lo, hi, now=now, bucket_of=lambda moment: _bucket_of(moment, firsts, tz))
    for bucket, responses, responses_kept, repairs, repairs_kept in session.execute(
            select(facts.c.bucket, func.count(facts.c.response_ok), func.sum(facts.c.response_ok),
                   func.count(facts.c.repair_ok), func.sum(facts.c.repair_ok)).group_by(facts.c.bucket)):
        buckets[bucket][0].hit, buckets[bucket][0].total = _n(responses_kept), _n(responses)
        buckets[bucket][1].hit, buckets[bucket][1].total = _n(repairs_kept), _n(repairs)
    answers = select(_bucket_of(Survey.answered_at, firsts, tz).label("bucket"), _satisfied().label("satisfied")) \
        .where(Survey.answered_at >= lo, Survey.answered_at < hi).subquery("answers")
    for bucket, total, satisfied in session.execute(
            select(answers.c.bucket, func.count(), func.sum(answers.c.satisfied)).group_by(answers.c.bucket)):
        buckets[bucket][2].hit, buckets[bucket][2].total = _n(satisfied), _n(total)
    period = tuple(Rate(sum(b[k].hit for b in buckets), sum(b[k].total for b in buckets)) for k in range(3))
    return ([TrendPoint(day, r.share, p.share, s.share) for day, (r, p, s) in zip(firsts, buckets, strict=True)],
            "day" if step == 1 else "week", period)


def _group_scores(session: Session, *, lo: datetime, hi: datetime, now: datetime):
    """Misses and answers per region, technician and model, grouped in the database by id and then put
    together by the name a reader sees (two technicians of one name are one line, as they always were).
    Jobs and answers are counted in separate selects, each a plain join: a join to an aggregated
    subquery can be planned as a loop over it, once per job."""
    facts = _facts(lo, hi, now=now)
    answers = select(Job.asset_id, Job.technician_id, _satisfied().label("satisfied"), _low().label("low")) \
        .select_from(Survey).join(Job, Job.id == Survey.job_id) \
        .where(Survey.answered_at >= lo, Survey.answered_at < hi, Job.reported_at >= lo, Job.reported_at < hi) \
        .subquery("answers")
    groupings = {
        "regions": ((Region.id, Region.name),
                    lambda rows: rows.join(Asset, Asset.id == rows.c.asset_id)
                    .outerjoin(Region, Region.id == Asset.region_id),
                    lambda _id, name: name if _id is not None else _("No region")),
        "technicians": ((Technician.id, User.display_name),
                        lambda rows: rows.join(Technician, Technician.id == rows.c.technician_id)
                        .join(User, User.id == Technician.user_id),
                        lambda _id, name: name),
        "models": ((ProductModel.id, ProductModel.code, ProductModel.name, ProductModel.name_zh),
                   lambda rows: rows.join(Asset, Asset.id == rows.c.asset_id)
                   .join(ProductModel, ProductModel.id == Asset.product_model_id),
                   lambda _id, code, name, name_zh:
                   f"{local_name(SimpleNamespace(name=name, name_zh=name_zh))} ({code})"),
    }
    tables = []
    for key, joined, name_of in groupings.values():
        table: dict[str, GroupScore] = {}
        for *group, jobs, response_missed, repair_missed in session.execute(
                select(*key, func.count(), func.sum(case((facts.c.response_ok == 0, 1), else_=0)),
                       func.sum(case((facts.c.repair_ok == 0, 1), else_=0)))
                .select_from(joined(facts)).group_by(*key)):
            score = table.setdefault(name_of(*group), GroupScore(name_of(*group)))
            score.ids.append(group[0])
            score.jobs += jobs
            score.response_missed += _n(response_missed)
            score.repair_missed += _n(repair_missed)
        for *group, answered, satisfied, low in session.execute(
                select(*key, func.count(), func.sum(answers.c.satisfied), func.sum(answers.c.low))
                .select_from(joined(answers)).group_by(*key)):
            score = table[name_of(*group)]  # an answered job of the period is one of its jobs
            score.answers += _n(answered)
            score.satisfied += _n(satisfied)
            score.low_scores += _n(low)
        tables.append(table)
    return tuple(tables)


def _worst(scores: dict[str, GroupScore], limit: int = 5) -> list[GroupScore]:
    ranked = [s for s in scores.values() if s.jobs >= MIN_JOBS_TO_RANK and s.misses]
    return sorted(ranked, key=lambda s: (-s.miss_rate, -s.misses, s.name))[:limit]


def _faults(session: Session, *, lo: datetime, hi: datetime, limit: int = 10) -> tuple[list[ModelFaults], bool]:
    """Which faults and parts recur per model. Keywords are the classifier's own matches, so an agent
    can read the same words the intake used. Ties are listed in the order first reported (parts: by
    name)."""
    in_period = and_(Job.reported_at >= lo, Job.reported_at < hi)
    faulty = and_(in_period, Job.category.in_(FAULT_CATEGORIES))
    per_asset = select(Asset.product_model_id.label("model_id"), func.count().label("n")) \
        .select_from(Job).join(Asset, Asset.id == Job.asset_id).where(faulty) \
        .group_by(Asset.product_model_id, Job.asset_id).subquery("per_asset")
    summary = session.execute(
        select(ProductModel.id, ProductModel.code, ProductModel.name, ProductModel.name_zh,
               func.sum(per_asset.c.n), func.sum(case((per_asset.c.n > 1, per_asset.c.n), else_=0)))
        .join(ProductModel, ProductModel.id == per_asset.c.model_id)
        .group_by(ProductModel.id, ProductModel.code, ProductModel.name, ProductModel.name_zh)).all()
    # Ranked here rather than with ORDER BY: the codes sort as Python sorts them, whatever the collation.
    shown = sorted(summary, key=lambda row: (-_n(row[4]), -_n(row[5]), row[1]))[:limit]
    ids = [row[0] for row in shown]
    parts_known = bool(session.scalar(select(exists().where(StockMovement.kind == MovementKind.CONSUMPTION))))
    if not ids:
        return [], parts_known
    of_shown = and_(faulty, Asset.product_model_id.in_(ids))

    categories: dict[int, list[tuple[datetime, str, int]]] = defaultdict(list)
    for model_id, category, n, first in session.execute(
            select(Asset.product_model_id, Job.category, func.count(), func.min(Job.reported_at))
            .select_from(Job).join(Asset, Asset.id == Job.asset_id).where(of_shown)
            .group_by(Asset.product_model_id, Job.category)):
        categories[model_id].append((first, category.value, n))

    keywords: dict[int, Counter] = defaultdict(Counter)
    texts = select(Asset.product_model_id, Job.fault_text, func.count(), func.min(Job.reported_at).label("first")) \
        .select_from(Job).join(Asset, Asset.id == Job.asset_id).where(of_shown) \
        .group_by(Asset.product_model_id, Job.fault_text) \
        .order_by(Asset.product_model_id, func.min(Job.reported_at), Job.fault_text)
    for model_id, text, n, _first in session.execute(texts.execution_options(yield_per=TEXTS_PER_FETCH)):
        # Counted in the order first reported, so that Counter.most_common breaks ties that way.
        for word in sorted(set(classify(text).matched)):
            keywords[model_id][word] += n

    chinese = current_locale() == "zh_CN"
    parts: dict[int, Counter] = defaultdict(Counter)
    for model_id, part_name, part_name_zh, quantity in session.execute(
            select(Asset.product_model_id, Part.name, Part.name_zh, func.sum(StockMovement.quantity))
            .select_from(StockMovement).join(Part, Part.id == StockMovement.part_id)
            .join(Job, Job.id == StockMovement.job_id).join(Asset, Asset.id == Job.asset_id)
            .where(StockMovement.kind == MovementKind.CONSUMPTION, in_period, Asset.product_model_id.in_(ids))
            .group_by(Asset.product_model_id, Part.name, Part.name_zh)):
        parts[model_id][(part_name_zh if chinese else "") or part_name] += int(quantity)

    result = []
    for model_id, code, name, name_zh, jobs, repeat_jobs in shown:
        ranked_parts = sorted(parts[model_id].items(), key=lambda kv: (-kv[1], kv[0]))
        result.append(ModelFaults(
            model=local_name(SimpleNamespace(name=name, name_zh=name_zh)), code=code, jobs=_n(jobs), model_id=model_id,
            repeat_jobs=_n(repeat_jobs), keywords=keywords[model_id].most_common(4),
            categories=[(value, n) for _first, value, n in sorted(categories[model_id],
                                                                  key=lambda c: (-c[2], c[0], c[1]))],
            parts=ranked_parts[:3]))
    return result, parts_known


def _by_code_point(session: Session, column):
    """`column` for ORDER BY in the order Python sorts strings (code point), on either backend: SQLite's
    default collation already is; PostgreSQL's "C" collation is too, whatever the database's locale."""
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column


def _at_risk(session: Session, *, now: datetime, lo: datetime, hi: datetime, limit: int = 10) -> list[AtRiskCustomer]:
    """Customers to call before they leave: repeat failures on one appliance, broken promises, low
    scores. Weighted so that a customer who told us they are unhappy comes first."""
    facts = _facts(lo, hi, now=now)
    zero = literal_column("0", Integer)
    breaches = select(facts.c.customer_id, func.count().label("breach"), zero.label("repeat"), zero.label("low")) \
        .where(or_(facts.c.response_ok == 0, facts.c.repair_ok == 0)).group_by(facts.c.customer_id)
    # A repeat failure may follow a failure reported before the period: look back one window. An
    # appliance's repeats count for the customer of its first failure in the period, found in one pass
    # with window functions (the period's failures first, in the order reported).
    in_period = case((Job.reported_at >= lo, 1), else_=0)
    failures = select(Job.customer_id, in_period.label("in_period"),
                      func.row_number().over(partition_by=Job.asset_id,
                                             order_by=(in_period.desc(), Job.reported_at, Job.id)).label("nth"),
                      func.count().over(partition_by=Job.asset_id).label("n")) \
        .where(Job.category == JobCategory.QUALITY_DEFECT, Job.reported_at >= lo - REPEAT_WINDOW, Job.reported_at < hi) \
        .subquery("failures")
    repeat = select(failures.c.customer_id, zero.label("breach"), func.sum(failures.c.n - 1).label("repeat"),
                    zero.label("low")) \
        .where(failures.c.nth == 1, failures.c.in_period == 1, failures.c.n > 1).group_by(failures.c.customer_id)
    low_answer = and_(Survey.answered_at >= lo, Survey.answered_at < hi, _low() == 1)
    lows = select(Job.customer_id, zero.label("breach"), zero.label("repeat"), func.count().label("low")) \
        .select_from(Survey).join(Job, Job.id == Survey.job_id).where(low_answer).group_by(Job.customer_id)
    every = union_all(breaches, repeat, lows).subquery("every")
    per_customer = select(every.c.customer_id, func.sum(every.c.low).label("low"),
                          func.sum(every.c.repeat).label("repeat"), func.sum(every.c.breach).label("breach")) \
        .group_by(every.c.customer_id).subquery("per_customer")
    weights = {"low": 3, "repeat": 2, "breach": 1}
    score = sum(weight * per_customer.c[kind] for kind, weight in weights.items())
    # One late response alone (score 1) is not a customer about to leave.
    rows = session.execute(
        select(per_customer.c.customer_id, per_customer.c.low, per_customer.c.repeat, per_customer.c.breach,
               score, Customer.name, Customer.phone)
        .join(Customer, Customer.id == per_customer.c.customer_id).where(score >= 2)
        .order_by(score.desc(), _by_code_point(session, Customer.name), per_customer.c.customer_id).limit(limit)).all()
    if not rows:
        return []
    ids = [row[0] for row in rows]
    last_job = _last_jobs(session, ids, lo=lo, hi=hi, low_answer=low_answer)
    words = {"low": _("low survey score"), "repeat": _("repeat failure"), "breach": _("SLA breach")}
    customers = {}
    for customer_id, low, repeated, breached, total, name, phone in rows:
        counted = {"low": _n(low), "repeat": _n(repeated), "breach": _n(breached)}
        customers[customer_id] = AtRiskCustomer(
            customer_id=customer_id, name=name, phone=phone, score=_n(total),
            reasons=[f"{n} × {words[k]}" for k, n in counted.items() if n],
            last_job=last_job[customer_id])
    open_tasks = dict(session.execute(select(FollowUpTask.customer_id, func.count()).where(
        FollowUpTask.customer_id.in_(ids), FollowUpTask.done_at.is_(None))
        .group_by(FollowUpTask.customer_id)).all())
    for customer_id, n in open_tasks.items():
        customers[customer_id].reasons.append(_("%(n)s open follow-up task(s)", n=n))
    return list(customers.values())


def _last_jobs(session: Session, customer_ids: list[int], *, lo: datetime, hi: datetime, low_answer) -> dict[int, str]:
    """The number of each customer's last job reported in the period; for a customer with none, of the
    job behind their first low answer in it."""
    latest = select(Job.customer_id, Job.number, literal_column("0", Integer).label("source"),
                    func.row_number().over(partition_by=Job.customer_id,
                                           order_by=(Job.reported_at.desc(), Job.id.desc())).label("nth")) \
        .where(Job.reported_at >= lo, Job.reported_at < hi, Job.customer_id.in_(customer_ids))
    answered = select(Job.customer_id, Job.number, literal_column("1", Integer).label("source"),
                      func.row_number().over(partition_by=Job.customer_id,
                                             order_by=(Survey.answered_at, Survey.id)).label("nth")) \
        .select_from(Survey).join(Job, Job.id == Survey.job_id).where(low_answer, Job.customer_id.in_(customer_ids))
    both = union_all(latest, answered).subquery("both")
    found: dict[int, str] = {}
    for customer_id, number, _source in session.execute(
            select(both.c.customer_id, both.c.number, both.c.source).where(both.c.nth == 1)
            .order_by(both.c.source.desc())):
        found[customer_id] = number  # the period's own job, read last, wins
    return found


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


def period_bounds(start: date, end: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """The period's first and past-the-last local midnights as UTC instants, as the dashboard counts."""
    return _utc_bounds(start, end, tz)
