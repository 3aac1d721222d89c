"""Status updates from a technician's phone: which moves a technician may make, applying one exactly
once under the id the phone gave it (parts asked for and photos are claimed the same way), and
remembering where the technician was."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.geo import is_valid_position
from core.i18n import gettext as _
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import JobNotFound
from dispatch.jobs.guards import check_guards
from dispatch.jobs.models import EventKind, Job, ResponseKind
from dispatch.jobs.response import record_response
from dispatch.jobs.services import get_job, record_event, transition_job
from dispatch.jobs.status import ALLOWED_TRANSITIONS, JobStatus, check_transition, status_name
from dispatch.parts.services import MAX_UNITS_PER_PART, consume_parts  # noqa: F401 (the forms import it from here)
from dispatch.technicians.models import Technician
from fieldwork.models import FieldUpdate
from inventory.models import Part

ACCEPT = "accept"
# Steps other than a status change that a phone may send again after a lost answer.
PART_REQUEST, PHOTO = "part_request", "photo"
# The moves a technician makes from the phone; the rest (cancel, unassign, close) are the office's.
TECHNICIAN_TARGETS = (JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.WAITING_PARTS, JobStatus.COMPLETED)
ACTIONS = (ACCEPT, *(s.value for s in TECHNICIAN_TARGETS))
# A position older than this says nothing useful about where the technician starts from now.
POSITION_MAX_AGE = timedelta(hours=12)
# What one job can use: more than this is a typing slip, not a repair (the page and the API share them).
MAX_PART_LINES = 20


class UpdateRefused(Exception):
    """The update cannot be applied; `field` names the input at fault (for field messages)."""

    def __init__(self, message: str, *, field: str = "to", code: int = 422):
        super().__init__(message)
        self.field, self.code = field, code


class NotYourJob(Exception):
    """The job is not in this technician's work (told apart from 'no such job' only in the log)."""


@dataclass(frozen=True)
class Position:
    latitude: float
    longitude: float
    observed_at: datetime | None = None  # when the phone took it (updates may wait offline)


@dataclass(frozen=True)
class StatusUpdate:
    client_id: str
    action: str  # ACCEPT or a JobStatus value
    note: str = ""
    position: Position | None = None
    parts_used: list[tuple[Part, int]] = field(default_factory=list)


@dataclass(frozen=True)
class UpdateOutcome:
    record: FieldUpdate
    replayed: bool


def check_owns(technician: Technician, job: Job) -> None:
    if job.technician_id != technician.id:
        raise NotYourJob(_("Job %(number)s is not assigned to %(user)s.", number=job.number, user=technician.user.username))


def job_of_technician(session: Session, technician: Technician, number: str, *, for_update: bool = False) -> Job:
    """The job if it is this technician's. A job that does not exist and another technician's job
    are refused alike (NotYourJob), so job numbers of other people's work cannot be probed."""
    try:
        job = get_job(session, number[:20], for_update=for_update)
    except JobNotFound:
        raise NotYourJob(_("No job %(number)s.", number=repr(number[:20])))
    check_owns(technician, job)
    return job


def accepted_job_ids(session: Session, technician: Technician, job_ids: list[int]) -> set[int]:
    if not job_ids:
        return set()
    return set(session.scalars(select(FieldUpdate.job_id).where(
        FieldUpdate.technician_id == technician.id, FieldUpdate.action == ACCEPT, FieldUpdate.job_id.in_(job_ids))))


def allowed_actions(job: Job, *, accepted: bool) -> list[str]:
    """The buttons a technician sees, in the order the work goes."""
    actions = [ACCEPT] if job.status == JobStatus.ASSIGNED and not accepted else []
    allowed = ALLOWED_TRANSITIONS[job.status]
    return actions + [s.value for s in TECHNICIAN_TARGETS if s in allowed]


def apply_update(session: Session, *, technician: Technician, job: Job, update: StatusUpdate,
                 now: datetime) -> UpdateOutcome:
    """Apply the update once. A second call with the same client id (a retry) changes nothing and
    returns the first call's record. The caller holds the job's row lock (get_job(for_update=True)),
    so two copies of one update racing each other are taken in turn."""
    claimed = claim_step(session, technician=technician, job=job, client_id=update.client_id, action=update.action,
                         now=now, position=update.position)
    if claimed.replayed:
        return claimed
    claim = claimed.record
    if update.position is not None:
        check_position(update.position)
        # Before the move, so the "on the way" message estimates the arrival from where the phone is.
        # A refused move rolls the request back, position and all.
        record_position(technician, update.position, now=now)
    actor = Actor.staff(technician.user)
    message = _apply(session, technician=technician, job=job, update=update, actor=actor, now=now)
    claim.result = {"job": job.number, "status": job.status.value, "action": update.action, "message": message}
    session.flush()
    return UpdateOutcome(claim, replayed=False)


def claim_step(session: Session, *, technician: Technician, job: Job, client_id: str, action: str, now: datetime,
               position: Position | None = None) -> UpdateOutcome:
    """The record of one step the phone sent under `client_id` (a status update, a part asked for, a photo):
    the first call's when this is a retry (replayed, nothing to do again), otherwise a new record for the
    caller to do the step and fill in its `result`. The caller holds the job's row lock."""
    check_owns(technician, job)
    if not 8 <= len(client_id) <= 64 or not client_id.isascii() or not client_id.isprintable():
        raise UpdateRefused(_("client_id must be 8 to 64 printable ASCII characters (a UUID is ideal)."),
                            field="client_id")
    if (previous := _recorded(session, technician, client_id)) is not None:
        return _replay(previous, job)
    claim = FieldUpdate(technician_id=technician.id, client_id=client_id, job_id=job.id, action=action,
                        received_at=now, result={},
                        latitude=position.latitude if position else None,
                        longitude=position.longitude if position else None)
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except IntegrityError:
        # The same step for another job, committed between our look-up and our insert.
        previous = _recorded(session, technician, client_id, refresh=True)
        if previous is None:
            raise UpdateRefused(_("This update is still being applied; retry."), field="client_id", code=503)
        return _replay(previous, job)
    return UpdateOutcome(claim, replayed=False)


def _recorded(session: Session, technician: Technician, client_id: str, *, refresh: bool = False) -> FieldUpdate | None:
    query = select(FieldUpdate).where(FieldUpdate.technician_id == technician.id, FieldUpdate.client_id == client_id)
    if refresh:
        query = query.execution_options(populate_existing=True)
    return session.scalar(query)


def _replay(previous: FieldUpdate, job: Job) -> UpdateOutcome:
    if previous.job_id != job.id:
        raise UpdateRefused(_("This client_id was already used for an update of another job."), field="client_id")
    return UpdateOutcome(previous, replayed=True)


def _apply(session: Session, *, technician: Technician, job: Job, update: StatusUpdate, actor: Actor,
           now: datetime) -> str:
    note = update.note.strip()
    if len(note) > 2000:
        raise UpdateRefused(_("The note is too long (at most 2000 characters)."), field="note")
    if update.action == ACCEPT:
        if job.status != JobStatus.ASSIGNED:
            raise UpdateRefused(_("Only an assigned job can be accepted; job %(number)s is %(status)s.",
                                  number=job.number, status=status_name(job.status)), code=409)
        record_event(job, kind=EventKind.ACCEPTED, actor=actor, now=now, note=note,
                     data={"technician_id": technician.id})
        record_response(job, kind=ResponseKind.ACCEPTED, actor=actor, now=now)
        job.updated_at = now
        return f"You accepted job {job.number}."
    try:
        target = JobStatus(update.action)
    except ValueError:
        raise UpdateRefused(_("Unknown status %(action)s; a technician can choose: %(actions)s.",
                              action=repr(update.action), actions=", ".join(ACTIONS)))
    if target not in TECHNICIAN_TARGETS:
        raise UpdateRefused(_("A technician cannot set a job to %(status)s; choose one of: %(actions)s.",
                              status=status_name(target), actions=", ".join(ACTIONS)))
    if target == JobStatus.COMPLETED:
        check_transition(job.status, target)
        check_guards(session, job, target)  # e.g. a paid repair's quote: refused before any part leaves stock
        if len(note) < 3:
            raise UpdateRefused(_("Say what you did to fix it (resolution notes, at least 3 characters)."), field="note")
        # Fitted parts leave stock before completion gives back whatever stayed reserved.
        consume_parts(session, job=job, used=update.parts_used, actor=actor, now=now)
    elif update.parts_used:
        raise UpdateRefused(_("Parts used are recorded when the job is completed."), field="parts")
    transition_job(session, job=job, to=target, actor=actor, now=now, note=note)
    # Setting off without tapping "accept" first still accepts the job.
    record_response(job, kind=ResponseKind.ACCEPTED, actor=actor, now=now)
    return f"Job {job.number} is now {target.value.replace('_', ' ')}."


def record_position(technician: Technician, position: Position, *, now: datetime) -> None:
    """Remember where the technician was (dispatch starts their remaining day from there). An older
    fix never replaces a newer one: queued updates can arrive out of order. `position` has passed
    `check_position` (apply_update refuses a bad one before writing anything)."""
    seen = min(position.observed_at or now, now)
    if seen < now - POSITION_MAX_AGE:
        return
    if technician.last_seen_at is not None and technician.last_seen_at >= seen:
        return
    technician.last_lat, technician.last_lon, technician.last_seen_at = position.latitude, position.longitude, seen


def check_position(position: Position) -> None:
    lat, lon = position.latitude, position.longitude
    if not is_valid_position(lat, lon):
        raise UpdateRefused(_("The position is not a valid latitude/longitude."), field="latitude")
