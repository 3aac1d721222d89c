"""The SLA watch: each job's response and resolution clocks (standing still while the job waits for
the customer; when the wait ends, the job's stored deadlines move, dispatch.jobs.clocks), a warning at a share of the allowed time that tries to re-dispatch and tells people,
and breaches recorded with their cause. Run every minute; acting on a clock happens once, because the
alert row is unique per job, clock and kind and is inserted before anything else is done."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, exists, literal, null, select
from sqlalchemy.orm import Session, selectinload

from care.models import AlertKind, SlaAlert, SlaClock
from care.outbox import queue_message, staff_address
from care.tasks import supervisors
from core.db import UtcDateTime, chunked, insert_for
from core.i18n import current_locale, use_locale
from core.i18n import gettext as _
from core.regions import local_stamp
from dispatch.jobs.audit import Actor
from dispatch.jobs.clocks import refresh_deadlines
from dispatch.jobs.models import JOB_IS_OPEN, DispatchState, Escalation, EventKind, Job, SlaPause, needs_visit
from dispatch.jobs.reasons import english, explain, reason, stored
from dispatch.jobs.services import record_event
from dispatch.jobs.status import JobStatus, status_name
from dispatch.jobs.work import request_dispatch

DEFAULT_WARNING_SHARE = 0.75
SYSTEM_WATCH = Actor(label="sla-watch")


class AlreadyPaused(Exception):
    pass


class NotPaused(Exception):
    pass


class JobNotOpen(Exception):
    pass


@dataclass(frozen=True)
class ClockReading:
    clock: SlaClock
    allowed: timedelta       # time on the clock the promise gives, pauses left out
    used: timedelta          # time on the clock so far, pauses left out
    paused: timedelta        # time the clock stood still so far
    deadline: datetime       # the job's stored deadline (already moved by the pauses that ended)
    stopped_at: datetime | None
    running_pause: bool

    @property
    def share_used(self) -> float:
        return self.used / self.allowed if self.allowed > timedelta() else 1.0

    @property
    def met(self) -> bool | None:
        """True/False once the clock stopped; None while it runs."""
        return None if self.stopped_at is None else self.stopped_at <= self.deadline

    @property
    def kept(self) -> bool | None:
        """Whether the promise was kept: `met` once stopped, already False once a running clock
        overran, None while it still can be kept."""
        if self.met is not None:
            return self.met
        return False if self.used > self.allowed else None


def _overlap(start: datetime, end: datetime, pauses: list[SlaPause]) -> timedelta:
    total = timedelta()
    for pause in pauses:
        lo, hi = max(start, pause.started_at), min(end, pause.ended_at or end)
        if hi > lo:
            total += hi - lo
    return total


def read_clocks(job: Job, pauses: list[SlaPause], *, now: datetime) -> dict[SlaClock, ClockReading]:
    """Each clock against the job's stored deadline, which the ended pauses have already moved: those
    pauses are left out of the time used and the time allowed alike, so none is counted twice, and a
    clock falls due exactly at the stored deadline that every other reader shows."""
    readings = {}
    running = next((p for p in pauses if p.ended_at is None), None)
    for clock, due, stopped in ((SlaClock.RESPONSE, job.respond_by, job.responded_at),
                                (SlaClock.RESOLUTION, job.repair_by, job.resolved_at)):
        # The ended pauses that moved this clock (dispatch.jobs.sla.pushed): begun before it fell due and
        # while it still ran.
        moved = [p for p in pauses if p.ended_at is not None and p.started_at < due
                 and (stopped is None or p.started_at < stopped)]
        held = running is not None and stopped is None and running.started_at < due
        end = stopped or (min(now, running.started_at) if held else now)
        still = _overlap(job.reported_at, stopped or due, moved)
        used = max(timedelta(), end - job.reported_at - _overlap(job.reported_at, end, moved))
        readings[clock] = ClockReading(
            clock=clock, allowed=due - job.reported_at - still, used=used,
            paused=_overlap(job.reported_at, end, moved) + (now - running.started_at if held else timedelta()),
            deadline=due, stopped_at=stopped, running_pause=held)
    return readings


def kept_sql(due, stopped, *, now: datetime):
    """`ClockReading.kept` of a job's clock as a SQL expression (1 kept, 0 missed, NULL still running),
    for readers that count many jobs at once (the dashboard). The same rule as `read_clocks`: the stored
    deadline already carries every ended pause, so a stopped clock was kept when it stopped by the
    deadline, and a running one is missed once the deadline has passed, unless a pause begun before the
    deadline holds it (tests/care/test_clock_sql.py checks the two agree case for case)."""
    held = exists().where(SlaPause.job_id == Job.id, SlaPause.ended_at.is_(None), SlaPause.started_at < due)
    return case((stopped.is_not(None), case((stopped <= due, 1), else_=0)),
                (held, null()),
                (literal(now, UtcDateTime()) > due, 0), else_=null())


def pauses_of(session: Session, job_ids: list[int]) -> dict[int, list[SlaPause]]:
    found: dict[int, list[SlaPause]] = defaultdict(list)
    for ids in chunked(job_ids):
        for pause in session.scalars(select(SlaPause).where(SlaPause.job_id.in_(ids)).order_by(SlaPause.started_at)):
            found[pause.job_id].append(pause)
    return found


@dataclass(frozen=True)
class JobClocks:
    """One job's clocks as staff see them: readings, the pauses behind them, and the alerts raised."""
    readings: dict[SlaClock, ClockReading]
    pauses: list[SlaPause]
    alerts: list[SlaAlert]

    @property
    def paused(self) -> bool:
        return any(p.ended_at is None for p in self.pauses)


def job_clocks(session: Session, job: Job, *, now: datetime) -> JobClocks:
    pauses = pauses_of(session, [job.id]).get(job.id, [])
    alerts = list(session.scalars(select(SlaAlert).where(SlaAlert.job_id == job.id).order_by(SlaAlert.id)))
    return JobClocks(read_clocks(job, pauses, now=now), pauses, alerts)


def pause_clocks(session: Session, *, job: Job, reason: str, actor: Actor, now: datetime) -> SlaPause:
    """The job waits for the customer (not home, deciding on a quote): its clocks stand still."""
    if not job.is_open:
        raise JobNotOpen(_("Job %(number)s is %(status)s: its clocks are not running.", number=job.number,
                           status=status_name(job.status)))
    if session.scalar(select(SlaPause.id).where(SlaPause.job_id == job.id, SlaPause.ended_at.is_(None))):
        raise AlreadyPaused(_("Job %(number)s is already waiting for the customer.", number=job.number))
    pause = SlaPause(job_id=job.id, started_at=now, reason=reason, started_by=actor.label)
    session.add(pause)
    record_event(job, kind=EventKind.SLA_PAUSED, actor=actor, now=now, note=reason)
    session.flush()
    return pause


def resume_clocks(session: Session, *, job: Job, actor: Actor, now: datetime, note: str = "",
                  tz: ZoneInfo | None = None) -> SlaPause:
    """The customer is back: the clocks run again, and the job's stored deadlines move by the time
    they stood still, so dispatch, the at-risk list, the pages and the dashboard all read the new ones."""
    pause = session.scalar(select(SlaPause).where(SlaPause.job_id == job.id, SlaPause.ended_at.is_(None)))
    if pause is None:
        raise NotPaused(_("Job %(number)s is not waiting for the customer.", number=job.number))
    pause.ended_at = now
    session.flush()
    respond_was, repair_was = refresh_deadlines(session, job=job, tz=tz)
    job.updated_at = now
    record_event(job, kind=EventKind.SLA_RESUMED, actor=actor, now=now, note=note,
                 data={"paused_minutes": round((now - pause.started_at).total_seconds() / 60),
                       "respond_by": {"from": respond_was.isoformat(), "to": job.respond_by.isoformat()},
                       "repair_by": {"from": repair_was.isoformat(), "to": job.repair_by.isoformat()}})
    session.flush()
    return pause


def breach_cause(job: Job, clock: SlaClock, *, now: datetime) -> tuple[str, dict]:
    """(cause code, the cause as a reason with its facts) for a clock running out: what stands between
    the job and its promise."""
    return _cause(job, clock, now=now)


def _cause(job: Job, clock: SlaClock, *, now: datetime) -> tuple[str, dict]:
    """(cause code, the cause as a reason with its facts, dispatch.jobs.reasons)."""
    note = stored(job.dispatch_note_code, job.dispatch_note_facts, job.dispatch_note) if job.dispatch_note else None
    if clock == SlaClock.RESPONSE:
        if job.dispatch_state == DispatchState.UNASSIGNABLE:
            return "no_technician", reason("cause_unplannable", why=note or reason("see_escalations"))
        return "no_response", reason("cause_no_response")
    if job.status == JobStatus.WAITING_PARTS:
        return "waiting_for_parts", reason("cause_waiting_for_parts")
    if job.technician_id is None:
        if job.dispatch_state == DispatchState.UNASSIGNABLE:
            return "no_technician", reason("cause_unassigned_unplannable",
                                           why=note or reason("nobody_qualified_in_time"))
        return "no_technician", reason("cause_unassigned")
    if job.status in (JobStatus.ASSIGNED, JobStatus.EN_ROUTE) and (
            job.planned_start is None or job.planned_start <= now or job.planned_start >= job.repair_by):
        return "late_arrival", reason("cause_late_arrival")
    if job.status == JobStatus.ON_SITE:
        return "repair_overran", reason("cause_repair_overran")
    return "not_resolved", reason("cause_not_resolved")


@dataclass
class SweepSummary:
    checked: int = 0
    warned: int = 0
    breached: int = 0
    redispatched: int = 0


def sla_sweep(session: Session, *, now: datetime, warning_share: float = DEFAULT_WARNING_SHARE) -> SweepSummary:
    """Warn and record breaches for every open job's running clocks. Safe to run in several
    processes at once and as often as wished: each (job, clock, kind) is acted on once."""
    summary = SweepSummary()
    jobs = list(session.scalars(select(Job).where(JOB_IS_OPEN)
                                .options(selectinload(Job.owner)).order_by(Job.id)))
    if not jobs:
        return summary
    ids = [job.id for job in jobs]
    pauses = pauses_of(session, ids)
    done = {tuple(key) for chunk in chunked(ids)
            for key in session.execute(select(SlaAlert.job_id, SlaAlert.clock, SlaAlert.kind)
                                       .where(SlaAlert.job_id.in_(chunk)))}
    managers = None
    for job in jobs:
        summary.checked += 1
        for clock, reading in read_clocks(job, pauses.get(job.id, []), now=now).items():
            if reading.stopped_at is not None or reading.running_pause:
                continue
            if reading.used >= reading.allowed and (job.id, clock, AlertKind.BREACH) not in done:
                code, cause = breach_cause(job, clock, now=now)
                if _claim_alert(session, job, clock, AlertKind.BREACH, reading, code, cause, now):
                    managers = managers if managers is not None else supervisors(session)
                    _raise_breach(session, job, clock, reading, now, managers)
                    summary.breached += 1
            elif reading.share_used >= warning_share and (job.id, clock, AlertKind.WARNING) not in done \
                    and (job.id, clock, AlertKind.BREACH) not in done:
                code, cause = breach_cause(job, clock, now=now)
                if _claim_alert(session, job, clock, AlertKind.WARNING, reading, code, cause, now):
                    managers = managers if managers is not None else supervisors(session)
                    summary.redispatched += _warn(session, job, clock, reading, now, managers)
                    summary.warned += 1
    session.flush()
    return summary


def _claim_alert(session: Session, job: Job, clock: SlaClock, kind: AlertKind, reading: ClockReading, cause: str,
                 detail: dict, now: datetime) -> bool:
    """Insert the alert unless it exists; True only for the one caller that inserted it. A second
    scheduler racing on the same job waits for the first's row and then inserts nothing. The detail is
    stored as its English text and as the reason with its facts."""
    statement = (insert_for(session)(SlaAlert).values(job_id=job.id, clock=clock.value, kind=kind.value, at=now,
                                         deadline=reading.deadline, cause=cause,
                                         detail=english(detail["code"], detail), detail_facts=detail)
                 .on_conflict_do_nothing().returning(SlaAlert.id))
    return session.execute(statement).first() is not None


def _notify(session: Session, job: Job, people, *, compose, purpose: str, now: datetime, data: dict) -> None:
    """One message per person, each composed in that person's language: compose() -> (subject, body)."""
    seen = set()
    for user in people:
        if user is None or user.id in seen:
            continue
        seen.add(user.id)
        channel, recipient = staff_address(user)
        with use_locale(user.locale or current_locale()):
            subject, body = compose()
        queue_message(session, channel=channel, purpose=purpose, recipient=recipient, subject=subject, body=body,
                      job=job, now=now, data=data)


def _due(job: Job, reading: ClockReading) -> str:
    # In the job's region's local time: the people told are in that region.
    return local_stamp(reading.deadline, job.asset.region if job.asset else None)


def _clock_reason(clock: SlaClock) -> dict:
    return reason("clock_response" if clock == SlaClock.RESPONSE else "clock_repair")


def _warning_reason(job: Job, clock: SlaClock, reading: ClockReading, now: datetime,
                    redispatched: bool) -> tuple[str, dict]:
    """The warning as a reason code with its facts (dispatch.jobs.reasons)."""
    left = max(timedelta(), reading.allowed - reading.used)
    return ("sla_warning_redispatched" if redispatched else "sla_warning",
            {"clock": _clock_reason(clock), "share": round(reading.share_used * 100), "left": _minutes(left),
             "due": _due(job, reading), "cause": _cause(job, clock, now=now)[1]})


def _breach_reason(job: Job, clock: SlaClock, reading: ClockReading, now: datetime) -> tuple[str, dict]:
    return "sla_breach", {"clock": _clock_reason(clock), "due": _due(job, reading),
                          "cause": _cause(job, clock, now=now)[1]}


def _warning_text(job: Job, clock: SlaClock, reading: ClockReading, now: datetime, redispatched: bool) -> str:
    return explain(*_warning_reason(job, clock, reading, now, redispatched))


def _breach_text(job: Job, clock: SlaClock, reading: ClockReading, now: datetime) -> str:
    return explain(*_breach_reason(job, clock, reading, now))


def _warn(session: Session, job: Job, clock: SlaClock, reading: ClockReading, now: datetime,
          managers) -> int:
    redispatched = 0
    # Only a job nobody is planned for can be helped by asking dispatch again; a planned slot that is
    # too late needs a person (the dispatcher sees the escalation).
    if needs_visit(job) and job.technician_id is None and not job.assignment_locked:
        request_dispatch(session, job, now=now)
        redispatched = 1
    code, facts = _warning_reason(job, clock, reading, now, bool(redispatched))
    text = explain(code, facts)
    session.add(Escalation(job_id=job.id, kind="sla_warning", reason=text, reason_code=code, reason_facts=facts,
                           raised_at=now))
    record_event(job, kind=EventKind.SLA_WARNING, actor=SYSTEM_WATCH, now=now, note=text,
                 data={"clock": clock.value}, note_code=code, note_facts=facts)
    _notify(session, job, [job.owner] if job.owner else managers, purpose="sla_warning", now=now,
            compose=lambda: (_("SLA warning: job %(number)s", number=job.number),
                             _("Job %(number)s: %(reason)s.", number=job.number,
                               reason=_warning_text(job, clock, reading, now, bool(redispatched)))),
            data={"job": job.number, "clock": clock.value})
    return redispatched


def _raise_breach(session: Session, job: Job, clock: SlaClock, reading: ClockReading, now: datetime,
                  managers) -> None:
    code, facts = _breach_reason(job, clock, reading, now)
    text = explain(code, facts)
    session.add(Escalation(job_id=job.id, kind="sla_breach", reason=text, reason_code=code, reason_facts=facts,
                           raised_at=now))
    record_event(job, kind=EventKind.SLA_BREACH, actor=SYSTEM_WATCH, now=now, note=text,
                 data={"clock": clock.value}, note_code=code, note_facts=facts)
    _notify(session, job, [job.owner, *managers], purpose="sla_breach", now=now,
            compose=lambda: (_("SLA breached: job %(number)s", number=job.number),
                             _("Job %(number)s: %(reason)s.", number=job.number,
                               reason=_breach_text(job, clock, reading, now))),
            data={"job": job.number, "clock": clock.value})


def _minutes(delta: timedelta) -> dict:
    minutes = int(delta.total_seconds() // 60)
    if minutes >= 60:
        return reason("hours_minutes", hours=minutes // 60, minutes=f"{minutes % 60:02d}")
    return reason("minutes", minutes=minutes)
