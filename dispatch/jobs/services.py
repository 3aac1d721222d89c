"""Operations on existing jobs: the audit trail, status transitions, ownership hand-over.

Every change writes a JobEvent in the same flush, so the audit trail can never miss a change.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session, object_session

from core.events import publish
from core.i18n import gettext as _
from core.users import Role, User
from dispatch.jobs import reasons
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import CannotOwn, JobNotFound, OverrideNeeded
from dispatch.jobs.events import JobStatusChanged
from dispatch.jobs.guards import check_guards
from dispatch.jobs.models import DispatchState, EventKind, Job, JobEvent, ResponseKind, needs_visit
from dispatch.jobs.response import record_response
from dispatch.jobs.status import JobStatus, check_transition, status_name
from dispatch.jobs.work import request_dispatch

# Roles that may own a case (first-contact ownership lives with people who talk to customers).
OWNER_ROLES = frozenset({Role.AGENT, Role.DISPATCHER, Role.MANAGER, Role.ADMIN})

# A person who closes the case without a visit has answered the customer (dispatch.jobs.response);
# no other status change is a response, whoever makes it.
_CLOSED_BY_A_PERSON = {JobStatus.REMOTE_RESOLVED: ResponseKind.RESOLVED_REMOTELY,
                       JobStatus.CANCELLED: ResponseKind.CANCELLED}
_RESOLUTION_STATUSES = frozenset({JobStatus.COMPLETED, JobStatus.REMOTE_RESOLVED})

INSERT_EVENT = insert(JobEvent.__table__)


def record_event(job: Job, *, kind: EventKind, actor: Actor, now: datetime, note: str = "",
                 from_status: JobStatus | None = None, to_status: JobStatus | None = None,
                 data: dict[str, Any] | None = None, note_code: str | None = None,
                 note_facts: dict[str, Any] | None = None) -> JobEvent:
    """`note` is the English text (the API's); a system note also gives `note_code` and `note_facts`
    (dispatch.jobs.reasons) so pages show it in the reader's language."""
    event = JobEvent(**event_row(kind=kind, actor=actor, now=now, note=note, from_status=from_status,
                                 to_status=to_status, data=data), note_code=note_code, note_facts=note_facts)
    session = object_session(job)
    if session is not None and "events" in inspect(job).unloaded:
        # Appending to an unloaded history would first load every earlier event; a popular job
        # would get slower with each report. Link by key instead.
        event.job_id = job.id
        session.add(event)
    else:
        job.events.append(event)
    return event


def write_event(job: Job, *, kind: EventKind, actor: Actor, now: datetime, note: str = "",
                from_status: JobStatus | None = None, to_status: JobStatus | None = None,
                data: dict[str, Any] | None = None) -> None:
    """The same event as `record_event`, written at once with one plain INSERT: for the intake,
    which writes an event on every report and never reads it back, so it need not pay for the
    unit of work tracking an ORM object. `job` must be in the database already."""
    if "events" not in inspect(job).unloaded:
        # The history is loaded in this session: append to it, so that it shows the event too.
        record_event(job, kind=kind, actor=actor, now=now, note=note, from_status=from_status, to_status=to_status,
                     data=data)
        return
    object_session(job).execute(INSERT_EVENT, {"job_id": job.id, **event_row(
        kind=kind, actor=actor, now=now, note=note, from_status=from_status, to_status=to_status, data=data)})


def event_row(*, kind: EventKind, actor: Actor, now: datetime, note: str = "", from_status: JobStatus | None = None,
              to_status: JobStatus | None = None, data: dict[str, Any] | None = None) -> dict[str, Any]:
    """The column values of an event (all but its job), for callers that insert events themselves."""
    return dict(kind=kind, at=now, actor_user_id=actor.user.id if actor.user else None, actor_label=actor.label,
                from_status=from_status, to_status=to_status, note=note, data=data or {})


def get_job(session: Session, number: str, *, for_update: bool = False) -> Job:
    query = select(Job).where(Job.number == number)
    if for_update:
        # Serialises concurrent changes to one job; SQLite already serialises every writer.
        query = query.with_for_update()
    job = session.scalar(query)
    if job is None:
        raise JobNotFound(number)
    return job


def transition_job(session: Session, *, job: Job, to: JobStatus, actor: Actor, now: datetime,
                   note: str = "", note_code: str | None = None, note_facts: dict[str, Any] | None = None,
                   flush: bool = True) -> JobEvent:
    """`flush=False`: for a caller that goes on changing the job, whose own write (or next read) flushes it."""
    current = job.status
    check_transition(current, to)
    check_guards(session, job, to)
    job.status = to
    job.updated_at = now
    if to in _CLOSED_BY_A_PERSON and actor.user is not None:
        record_response(job, kind=_CLOSED_BY_A_PERSON[to], actor=actor, now=now)
    if to in _RESOLUTION_STATUSES:
        job.resolved_at = now
    elif to == JobStatus.TRIAGED and job.resolved_at is not None:
        job.resolved_at = None  # reopened: the repair clock is running again
    event = record_event(job, kind=EventKind.STATUS_CHANGED, actor=actor, now=now, note=note,
                         from_status=current, to_status=to, note_code=note_code, note_facts=note_facts)
    _follow_in_dispatch(session, job, current=current, to=to, now=now)
    # Parts given back, the callback plan started: the packages that own them subscribe.
    publish(session, JobStatusChanged(job=job, from_status=current, to_status=to, actor=actor, now=now, note=note))
    if flush:
        session.flush()
    return event


def _follow_in_dispatch(session: Session, job: Job, *, current: JobStatus, to: JobStatus, now: datetime) -> None:
    """Keep the job's place in the routes in step with its status."""
    if to in (JobStatus.CANCELLED, JobStatus.REMOTE_RESOLVED):
        job.clear_plan()  # the slot is free for other work
        job.dispatch_state = DispatchState.NOT_NEEDED
    elif to in (JobStatus.COMPLETED, JobStatus.CLOSED):
        job.dispatch_state = DispatchState.NOT_NEEDED  # keeps who did it and when
    elif to == JobStatus.WAITING_PARTS:
        # The visit is planned again, no earlier than the part's arrival (and with a pickup if needed).
        # The technician stays on the case (they know it, and keep seeing it on their phone) until
        # dispatch books the return visit, usually with them.
        job.free_slot()
        job.dispatch_state = DispatchState.PENDING
        if needs_visit(job):
            request_dispatch(session, job, now=now)
    elif to == JobStatus.TRIAGED and current in (JobStatus.ASSIGNED, JobStatus.COMPLETED, JobStatus.REMOTE_RESOLVED):
        # Unassigned by a dispatcher, or reopened after a failed repair: plan it again.
        job.clear_plan()
        if needs_visit(job):
            request_dispatch(session, job, now=now)


# The moves made at the customer's door: the assigned technician makes them from the phone. The office
# makes one only as a named override, with a reason, and a completion only with what was done.
FIELD_STATUSES = frozenset({JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.COMPLETED})
MIN_OVERRIDE_REASON = 10


def office_transition(session: Session, *, job: Job, to: JobStatus, actor: Actor, now: datetime, note: str = "",
                      override_reason: str | None = None) -> JobEvent:
    """A status change asked for in the office (agent, dispatcher, manager)."""
    check_transition(job.status, to)
    check_guards(session, job, to)
    if to not in FIELD_STATUSES:
        return transition_job(session, job=job, to=to, actor=actor, now=now, note=note)
    reason = (override_reason or "").strip()
    if job.technician_id is None:
        raise OverrideNeeded(_("Job %(number)s has no technician: nobody can move it to %(status)s.",
                               number=job.number, status=status_name(to)), field="to")
    if len(reason) < MIN_OVERRIDE_REASON:
        raise OverrideNeeded(_("Only the assigned technician moves a job to %(status)s. To do it from the office, "
                               "give an override reason (%(min)s characters or more).",
                               status=status_name(to), min=MIN_OVERRIDE_REASON))
    if to == JobStatus.COMPLETED and len(note.strip()) < MIN_OVERRIDE_REASON:
        raise OverrideNeeded(_("A completion records what was done: write it in the note "
                               "(%(min)s characters or more).", min=MIN_OVERRIDE_REASON), field="note")
    override = {"actor": actor.label, "reason": reasons.typed(reason)}
    event = transition_job(session, job=job, to=to, actor=actor, now=now,
                           note=f"{note}\n[office override by {actor.label}: {reason}]".strip(),
                           note_code="office_override_with_note" if note.strip() else "office_override",
                           note_facts={**override, "note": reasons.typed(note.strip())} if note.strip() else override)
    event.data = {**(event.data or {}), "office_override": {"by": actor.label, "reason": reason}}
    return event


def hand_over_job(session: Session, *, job: Job, to_user: User, actor: Actor, now: datetime,
                  note: str = "") -> JobEvent:
    if not to_user.active or to_user.role not in OWNER_ROLES:
        raise CannotOwn(_("%(user)s cannot own a case (role %(role)s).", user=to_user.username, role=to_user.role))
    if job.owner_user_id == to_user.id:
        raise CannotOwn(_("%(user)s already owns this case.", user=to_user.username))
    previous = job.owner.username if job.owner else f"channel:{job.owner_channel}"
    job.owner = to_user
    job.updated_at = now
    event = record_event(job, kind=EventKind.OWNERSHIP_CHANGED, actor=actor, now=now, note=note,
                         data={"from": previous, "to": to_user.username})
    session.flush()
    return event
