"""The dashboard's field-work numbers: first-time fix, repeat visits, repair cycle time, technician
utilisation and parts at the first visit, each over the visits reported in a period.

Each number is a set of jobs written once as a SQL condition on `Job`: the dashboard counts the set,
the drill-down lists it, so the two cannot disagree. Durations are taken in the database (seconds
between two stored instants, in each backend's own way); only the shift calendar, a handful of rows
per technician, is walked in Python.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Float, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from core.db import UtcDateTime
from dispatch.jobs.models import VISIT_CATEGORIES, EventKind, Job, JobEvent
from dispatch.jobs.status import JobStatus
from dispatch.technicians.models import Technician, TechnicianDayOff, TechnicianShift
from inventory.models import JobPart, JobPartState, MovementKind, StockMovement

REPEAT_WITHIN = timedelta(days=30)
CYCLE_TARGET = timedelta(days=2)
CYCLE_START = timedelta(days=5)  # where the cycle-time goal started, shown beside the target
FIXED = (JobStatus.COMPLETED, JobStatus.CLOSED)


@dataclass(frozen=True)
class Share:
    hit: int = 0
    total: int = 0

    @property
    def share(self) -> float | None:
        return self.hit / self.total if self.total else None


@dataclass(frozen=True)
class Utilisation:
    on_job_minutes: int = 0
    shift_minutes: int = 0
    by_technician: dict[int, tuple[int, int]] = field(default_factory=dict)  # id -> (on job, on shift)

    @property
    def share(self) -> float | None:
        return self.on_job_minutes / self.shift_minutes if self.shift_minutes else None


@dataclass(frozen=True)
class FieldKpis:
    first_time_fix: Share
    repeat_visits: Share            # hit: repeat visits; total: the period's visits
    cycle_jobs: int
    cycle_mean_hours: float | None
    cycle_over_target: int
    utilisation: Utilisation
    parts_at_first_visit: Share

    @property
    def cycle_target_hours(self) -> float:
        return CYCLE_TARGET.total_seconds() / 3600


def seconds_between(session: Session, later, earlier):
    """`later - earlier` in seconds, as SQL, on either backend."""
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _visits(lo: datetime, hi: datetime):
    return and_(Job.reported_at >= lo, Job.reported_at < hi, Job.category.in_(VISIT_CATEGORIES))


def _arrivals():
    return select(func.count()).where(JobEvent.job_id == Job.id, JobEvent.kind == EventKind.STATUS_CHANGED,
                                      JobEvent.to_status == JobStatus.ON_SITE).correlate(Job).scalar_subquery()


def _fixed(lo: datetime, hi: datetime):
    return and_(_visits(lo, hi), Job.status.in_(FIXED), Job.resolved_at.is_not(None))


# The job sets, by the name the dashboard and its drill-down know them by. Each takes (session, lo, hi,
# now) and gives a condition on Job.

def ftf_counted(session, lo, hi, now):
    """Visits fixed in the period's reports that were visited at least once."""
    return and_(_fixed(lo, hi), _arrivals() >= 1)


def ftf_fixed(session, lo, hi, now):
    """Fixed on the one visit, and no new visit asked for the same appliance within the window after."""
    later = _next_report(lo)
    again = select(later.c.id).where(later.c.next_reported.is_not(None), later.c.next_reported > later.c.resolved_at,
                                     seconds_between(session, later.c.next_reported, later.c.resolved_at)
                                     <= REPEAT_WITHIN.total_seconds())
    return and_(_fixed(lo, hi), _arrivals() == 1, Job.id.not_in(again))


def _next_report(lo: datetime):
    """Each visit reported since `lo` with the next visit asked for its appliance (a cancelled one is
    not a visit). An appliance has one open job at a time, so the next report follows the fix. A
    window in one pass, not a look-up per job."""
    after = func.min(case((Job.status != JobStatus.CANCELLED, Job.reported_at))).over(
        partition_by=Job.asset_id, order_by=(Job.reported_at, Job.id), rows=(1, None))
    return select(Job.id, Job.resolved_at, after.label("next_reported")) \
        .where(Job.category.in_(VISIT_CATEGORIES), Job.reported_at >= lo).subquery("next_report")


def ftf_missed(session, lo, hi, now):
    return and_(ftf_counted(session, lo, hi, now), ~ftf_fixed(session, lo, hi, now))


def visits(session, lo, hi, now):
    return and_(_visits(lo, hi), Job.status != JobStatus.CANCELLED)


def repeat_visits(session, lo, hi, now):
    """Visits asked for an appliance that another visit had fixed within the window before."""
    # The latest fix among the appliance's earlier reports, in one windowed pass over the visits that
    # can matter: the period's, and those fixed within the window before it.
    fixed_at = case((Job.status.in_(FIXED), Job.resolved_at))
    latest = func.max(fixed_at).over(partition_by=Job.asset_id, order_by=(Job.reported_at, Job.id), rows=(None, -1))
    earlier = select(Job.id, Job.reported_at, latest.label("fixed_before")).where(
        Job.category.in_(VISIT_CATEGORIES), Job.reported_at < hi,
        or_(Job.reported_at >= lo, Job.resolved_at >= lo - REPEAT_WITHIN)).subquery("earlier")
    repeats = select(earlier.c.id).where(
        earlier.c.fixed_before.is_not(None), earlier.c.fixed_before <= earlier.c.reported_at,
        seconds_between(session, earlier.c.reported_at, earlier.c.fixed_before) <= REPEAT_WITHIN.total_seconds())
    return and_(visits(session, lo, hi, now), Job.id.in_(repeats))


def _cycle_seconds(session):
    return seconds_between(session, Job.resolved_at, Job.reported_at)


def cycle(session, lo, hi, now):
    return _fixed(lo, hi)


def cycle_over_target(session, lo, hi, now):
    return and_(_fixed(lo, hi), _cycle_seconds(session) > CYCLE_TARGET.total_seconds())


def parts_counted(session, lo, hi, now):
    """Visited jobs that needed a part: one was asked for (and not given back unused) or one was fitted."""
    asked = exists().where(JobPart.job_id == Job.id, JobPart.state != JobPartState.RELEASED).correlate(Job)
    fitted = exists().where(StockMovement.job_id == Job.id,
                            StockMovement.kind == MovementKind.CONSUMPTION).correlate(Job)
    return and_(_visits(lo, hi), _arrivals() >= 1, or_(asked, fitted))


def _waited_on_site():
    return exists().where(JobEvent.job_id == Job.id, JobEvent.kind == EventKind.STATUS_CHANGED,
                          JobEvent.from_status == JobStatus.ON_SITE,
                          JobEvent.to_status == JobStatus.WAITING_PARTS).correlate(Job)


def parts_available(session, lo, hi, now):
    """The part was at hand when the technician arrived: the job never waited for parts from the site."""
    return and_(parts_counted(session, lo, hi, now), ~_waited_on_site())


def parts_missing(session, lo, hi, now):
    return and_(parts_counted(session, lo, hi, now), _waited_on_site())


def _spells(session: Session, lo: datetime, hi: datetime, now: datetime):
    """(job id, seconds) of each spell on site begun in the period: from the arrival to the job's next
    status change, or to now for a technician still there."""
    ordered = select(JobEvent.job_id, JobEvent.at, JobEvent.to_status,
                     func.lead(JobEvent.at).over(partition_by=JobEvent.job_id,
                                                 order_by=(JobEvent.at, JobEvent.id)).label("left_at")) \
        .where(JobEvent.kind == EventKind.STATUS_CHANGED, JobEvent.at >= lo).subquery("ordered")
    left = func.coalesce(ordered.c.left_at, literal(now, UtcDateTime()))
    return select(ordered.c.job_id, seconds_between(session, left, ordered.c.at).label("seconds")) \
        .where(ordered.c.to_status == JobStatus.ON_SITE, ordered.c.at < hi).subquery("spells")


def on_site(session, lo, hi, now):
    """Jobs with time on site counted in the utilisation."""
    spells = _spells(session, lo, hi, now)
    return and_(Job.technician_id.is_not(None), Job.id.in_(select(spells.c.job_id)))


JOB_SETS = {"ftf_counted": ftf_counted, "ftf_fixed": ftf_fixed, "ftf_missed": ftf_missed, "visits": visits,
            "repeat_visits": repeat_visits, "cycle": cycle, "cycle_over_target": cycle_over_target,
            "parts_counted": parts_counted, "parts_available": parts_available, "parts_missing": parts_missing,
            "on_site": on_site}


def field_kpis(session: Session, *, lo: datetime, hi: datetime, now: datetime, start: date, end: date,
               tz: ZoneInfo) -> FieldKpis:
    args = (session, lo, hi, now)
    names = ("ftf_counted", "ftf_fixed", "visits", "repeat_visits", "parts_counted", "parts_available")
    row = session.execute(select(*[select(func.count()).select_from(Job).where(JOB_SETS[name](*args))
                                   .scalar_subquery() for name in names])).one()
    count = {name: int(n or 0) for name, n in zip(names, row, strict=True)}
    cycle_jobs, cycle_seconds, over = session.execute(
        select(func.count(), func.avg(_cycle_seconds(session).cast(Float)),
               func.count(case((_cycle_seconds(session) > CYCLE_TARGET.total_seconds(), 1))))
        .select_from(Job).where(cycle(*args))).one()
    return FieldKpis(
        first_time_fix=Share(count["ftf_fixed"], count["ftf_counted"]),
        repeat_visits=Share(count["repeat_visits"], count["visits"]),
        cycle_jobs=int(cycle_jobs or 0),
        cycle_mean_hours=None if cycle_seconds is None else float(cycle_seconds) / 3600,
        cycle_over_target=int(over or 0),
        utilisation=utilisation(session, lo=lo, hi=hi, now=now, start=start, end=end, tz=tz),
        parts_at_first_visit=Share(count["parts_available"], count["parts_counted"]))


def utilisation(session: Session, *, lo: datetime, hi: datetime, now: datetime, start: date, end: date,
                tz: ZoneInfo) -> Utilisation:
    """Time on site over time on shift, for the technicians with shifts. Shift time counts the days of
    the period up to today (the rest have not been worked yet), less breaks and days off."""
    spells = _spells(session, lo, hi, now)
    on_job = {technician_id: int(float(seconds or 0) // 60) for technician_id, seconds in session.execute(
        select(Job.technician_id, func.sum(spells.c.seconds)).join(Job, Job.id == spells.c.job_id)
        .where(Job.technician_id.is_not(None)).group_by(Job.technician_id))}
    last = min(end, now.astimezone(tz).date())
    weekdays: dict[int, int] = defaultdict(int)
    day = start
    while day <= last:
        weekdays[day.weekday()] += 1
        day += timedelta(days=1)
    shift_minutes: dict[int, dict[int, int]] = defaultdict(dict)
    for technician_id, weekday, begins, ends, break_minutes in session.execute(
            select(TechnicianShift.technician_id, TechnicianShift.weekday, TechnicianShift.start,
                   TechnicianShift.end, TechnicianShift.break_minutes).join(Technician)):
        length = (ends.hour * 60 + ends.minute) - (begins.hour * 60 + begins.minute) - (break_minutes or 0)
        shift_minutes[technician_id][weekday] = max(0, length)
    off = session.execute(select(TechnicianDayOff.technician_id, TechnicianDayOff.day)
                          .where(TechnicianDayOff.day >= start, TechnicianDayOff.day <= last)).all()
    on_shift = {technician_id: sum(minutes * weekdays[weekday] for weekday, minutes in week.items())
                for technician_id, week in shift_minutes.items()}
    for technician_id, day_off in off:
        if technician_id in on_shift:
            on_shift[technician_id] -= shift_minutes[technician_id].get(day_off.weekday(), 0)
    by_technician = {technician_id: (on_job.get(technician_id, 0), minutes)
                     for technician_id, minutes in on_shift.items() if minutes > 0}
    return Utilisation(on_job_minutes=sum(j for j, _s in by_technician.values()),
                       shift_minutes=sum(s for _j, s in by_technician.values()), by_technician=by_technician)
