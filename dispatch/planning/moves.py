"""The dispatcher's manual moves: lock or unlock a job in its place, or move it to another technician."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from core.geo import MatrixProvider
from dispatch.jobs.audit import Actor
from dispatch.jobs.models import DispatchState, EventKind, Job
from dispatch.jobs.services import record_event
from dispatch.jobs.status import STARTED_STATUSES
from dispatch.planning.assignment import AssignmentOutcome, dispatch_job
from dispatch.planning.errors import CannotMove, NotPlanned
from dispatch.planning.move_options import move_days
from dispatch.planning.services import unplace_job
from dispatch.technicians.models import Technician


def set_lock(session: Session, *, job: Job, locked: bool, actor: Actor, now: datetime) -> Job:
    if locked and job.dispatch_state != DispatchState.PLANNED:
        raise NotPlanned(f"Job {job.number} is not in anyone's route, so there is nothing to lock.")
    if job.assignment_locked != locked:
        job.assignment_locked = locked
        job.updated_at = now
        record_event(job, kind=EventKind.LOCKED if locked else EventKind.UNLOCKED, actor=actor, now=now,
                     data={"technician_id": job.technician_id, "day": job.plan_day.isoformat() if job.plan_day else None})
        session.flush()
    return job


def move_job(session: Session, *, job: Job, technician: Technician, actor: Actor, now: datetime,
             tz: ZoneInfo | None = None, provider: MatrixProvider, day: date | None = None,
             not_before: datetime | None = None) -> AssignmentOutcome:
    """Put the job into `technician`'s day: on `day` when given (never another one), else the earliest
    feasible day; the cheapest place in it, starting no earlier than `not_before` when given.
    Refused, changing nothing, when the technician lacks the skill, does not work then, or has no room
    on time."""
    if job.status in STARTED_STATUSES:
        raise CannotMove(f"Job {job.number} is already under way ({job.status.value}); it cannot move.")
    model = job.asset.product_model
    level = technician.skill_level(model.repair_skill)
    if level is None:
        raise CannotMove(f"{technician.user.display_name} does not have the "
                         f"'{model.repair_skill}' skill this job needs.")
    if level < model.min_skill_level:
        raise CannotMove(f"{technician.user.display_name} has the '{model.repair_skill}' skill at level {level}; "
                         f"this model needs level {model.min_skill_level} or above.")
    if day is not None:
        first, last = move_days(job, now=now, tz=tz)
        if not first <= day <= last:
            raise CannotMove(f"Job {job.number} can be planned from {first.isoformat()} to {last.isoformat()}; "
                             f"{day.isoformat()} is outside.")
    # The job leaves its place before it is placed again; a refusal puts everything back as it was.
    savepoint = session.begin_nested()
    if job.technician_id is not None:
        unplace_job(session, job, actor=actor, now=now, note=f"moved by {actor.label}", note_code="moved_by",
                    note_facts={"actor": actor.label})
    outcome = dispatch_job(session, job=job, now=now, tz=tz, provider=provider, actor=actor,
                           only_technician=technician, on_day=day, not_before=not_before)
    if not outcome.planned:
        savepoint.rollback()
        raise CannotMove(f"{technician.user.display_name} has no room for job {job.number} before its repair "
                         f"deadline: {outcome.reason}.")
    savepoint.commit()
    return outcome
