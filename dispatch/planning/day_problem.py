"""The bridge between the database and the pure routing core: one region's day as a RoutingProblem.

Times become integer seconds from the day's local midnight (the plan's epoch); technicians and jobs
become `routing.Technician` and `routing.Visit` with string ids (technician id, job number).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.geo import MatrixProvider
from dispatch.jobs.models import Job
from dispatch.jobs.status import STARTED_STATUSES
from dispatch.planning.read import PRIORITY_WEIGHT
from dispatch.routing.model import Break, PartDepot, RoutingProblem, TimeWindow, Visit
from dispatch.routing.model import Technician as RoutingTechnician
from dispatch.technicians.models import Technician
from dispatch.technicians.qualification import skills_on
from dispatch.technicians.roster import WorkingDay, working_day

if TYPE_CHECKING:
    from dispatch.parts.pickups import PartsPlan

# Collecting reserved parts at a warehouse counter: find them, sign, load.
PICKUP_MINUTES = 10


@dataclass
class DayProblem:
    problem: RoutingProblem
    day: date
    epoch: datetime
    jobs: dict[str, Job]  # by job number (the visit id)
    technicians: dict[str, Technician]  # by str(technician id)
    routes: dict[str, list[str]]  # current order of visit ids on each technician's day
    skipped: dict[str, str] = field(default_factory=dict)  # technician id -> why not in the problem

    def at(self, seconds: int) -> datetime:
        return self.epoch + timedelta(seconds=int(seconds))

    def seconds(self, moment: datetime) -> int:
        return int((moment - self.epoch).total_seconds())

    def needs_parts(self, job_number: str) -> bool:
        """Whether the job has parts reserved or on their way (True when this problem does not know it)."""
        visit = self.problem.visit_by_id.get(job_number)
        return visit is None or bool(visit.needs_parts)


def _service_seconds(job: Job) -> int:
    return job.asset.product_model.service_minutes * 60


def _start_point(technician: Technician, day: date, now: datetime, tz: ZoneInfo) -> tuple[float, float]:
    seen_today = technician.last_seen_at is not None and technician.last_seen_at.astimezone(tz).date() == day
    if seen_today and now.astimezone(tz).date() == day and technician.last_lat is not None:
        return technician.last_lat, technician.last_lon
    return technician.home_lat, technician.home_lon


def _shift_and_breaks(hours: WorkingDay, day_start_s: int, now_s: int, to_s) -> tuple[TimeWindow, tuple[Break, ...]] | None:
    start, end = max(to_s(hours.start), now_s), to_s(hours.end)
    if end <= start:
        return None
    breaks: tuple[Break, ...] = ()
    if hours.break_minutes:
        duration = hours.break_minutes * 60
        window_start, window_end = max(to_s(hours.break_earliest), start), min(to_s(hours.break_latest_end), end)
        # Past the point where the break still fits: it has been taken (or will not be planned).
        if window_end - window_start >= duration:
            breaks = (Break(TimeWindow(window_start, window_end), duration),)
    return TimeWindow(start, end), breaks


def promised_window(job: Job, *, now: datetime, to_s) -> tuple[TimeWindow, ...]:
    """The job's confirmed appointment window as the visit's hard time window (seconds from the day's
    epoch: a window on another day makes the visit infeasible on this one, as it must be). Work under
    way is pinned and no longer waits on the window; a window already over is a promise already
    broken, which a dispatcher handles: neither constrains the plan."""
    if job.window_start is None or job.window_end is None or job.status in STARTED_STATUSES:
        return ()
    if job.window_end <= now:
        return ()
    return (TimeWindow(to_s(job.window_start), to_s(job.window_end)),)


def build_day_problem(*, day: date, tz: ZoneInfo, now: datetime, provider: MatrixProvider,
                      technicians: list[Technician], routes: dict[int, list[Job]],
                      extra_jobs: list[Job] = (), parts: "PartsPlan | None" = None) -> DayProblem:
    """`routes`: each technician's planned jobs for the day in order; `extra_jobs`: jobs to place.
    Started work is pinned to its technician and order; a dispatcher's lock pins the technician.
    `parts` (see dispatch.parts.pickups): which visits need parts, which vans hold them, and the
    warehouses to collect the rest from — a visit needing a part is served from a van that holds it or
    after a pickup stop at the warehouse, never before the part is there."""
    epoch = datetime.combine(day, time(0), tzinfo=tz)

    def to_s(moment: datetime) -> int:
        return int((moment - epoch).total_seconds())

    now_s = to_s(now)
    points: list[tuple[float, float]] = []

    def place(lat: float, lon: float) -> int:
        points.append((lat, lon))
        return len(points) - 1

    routing_techs, tech_rows, current, skipped = [], {}, {}, {}
    for technician in technicians:
        hours = working_day(technician, day, tz)
        window = _shift_and_breaks(hours, 0, now_s, to_s) if hours else None
        if window is None:
            skipped[str(technician.id)] = "not working" if hours is None else "shift over"
            continue
        shift, breaks = window
        tid = str(technician.id)
        start = place(*_start_point(technician, day, now, tz))
        home = place(technician.home_lat, technician.home_lon)
        routing_techs.append(RoutingTechnician(id=tid, start_location=start, end_location=home, shift=shift,
                                               breaks=breaks, skills=skills_on(technician, day),
                                               max_visits=technician.daily_job_cap,
                                               van_parts=parts.van_parts.get(technician.id, frozenset())
                                               if parts else frozenset()))
        tech_rows[tid] = technician
        current[tid] = [job.number for job in routes.get(technician.id, [])]

    visits, jobs = [], {}
    planned = [(job, str(tid), position) for tid, route in routes.items() for position, job in enumerate(route)]
    for job, tid, position in planned + [(job, None, None) for job in extra_jobs]:
        if tid is not None and tid not in tech_rows:
            continue  # its technician is off: the job is re-placed by dispatch, not here
        started = job.status in STARTED_STATUSES
        pinned_tech = tid if (started or job.assignment_locked) else None
        part_ready = parts.earliest.get(job.number) if parts else None
        visits.append(Visit(
            id=job.number, location=place(job.latitude, job.longitude), service=_service_seconds(job),
            required_skill=job.asset.product_model.repair_skill,
            min_skill_level=job.asset.product_model.min_skill_level, priority=PRIORITY_WEIGHT[job.priority.value],
            deadline=max(0, to_s(job.repair_by) - _service_seconds(job)),
            pinned_technician=pinned_tech, pinned_sequence=position if started else None,
            time_windows=promised_window(job, now=now, to_s=to_s),
            needs_parts=parts.needs.get(job.number, ()) if parts else (),
            earliest_start=max(0, to_s(part_ready)) if part_ready else None))
        jobs[job.number] = job

    depots = []
    for code, warehouse in (parts.depots.items() if parts else ()):
        available = {key: max(0, to_s(at)) if at else 0 for key, at in parts.depot_parts[code].items()}
        depots.append(PartDepot(id=code, location=place(warehouse.latitude, warehouse.longitude), parts=available,
                                pickup_service=PICKUP_MINUTES * 60))
    travel = provider.matrix(points) if points else None
    problem = RoutingProblem(technicians=tuple(routing_techs), visits=tuple(visits),
                             durations=travel.durations if travel else [[0]],
                             distances=travel.distances if travel else None, depots=tuple(depots))
    return DayProblem(problem=problem, day=day, epoch=epoch, jobs=jobs, technicians=tech_rows, routes=current,
                      skipped=skipped)
