"""What moves a job's SLA clocks after intake: a recorded contact with the customer (the human
response), a priority change (another policy, deadlines made again from the report time), and the end
of a pause (the stored deadlines move). Each writes its audit event in the same flush."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import ClockChangeRefused
from dispatch.jobs.models import ContactChannel, EventKind, Job, JobEvent, Priority, ResponseKind, SlaPause
from dispatch.jobs.response import record_response
from dispatch.jobs.services import record_event
from dispatch.jobs.sla import sla_policy_for, stored_deadlines
from dispatch.jobs.status import status_name

MIN_CONTACT_NOTE = 3
MAX_NOTE = 2000


def _stamp(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def record_contact(session: Session, *, job: Job, channel: ContactChannel, note: str, actor: Actor,
                   now: datetime) -> JobEvent:
    """Staff spoke or wrote to the customer about the job. The first contact is the job's response."""
    note = note.strip()
    if actor.user is None:
        raise ClockChangeRefused(_("Only a person can record a contact with the customer."), field="actor", code=403)
    if not MIN_CONTACT_NOTE <= len(note) <= MAX_NOTE:
        raise ClockChangeRefused(_("Say what was said with the customer (%(min)s to %(max)s characters).",
                                   min=MIN_CONTACT_NOTE, max=MAX_NOTE), field="note")
    first = record_response(job, kind=ResponseKind.CONTACT, actor=actor, now=now)
    job.updated_at = now
    event = record_event(job, kind=EventKind.CONTACTED, actor=actor, now=now, note=note,
                         data={"channel": channel.value, "response": first})
    session.flush()
    return event


def ended_pauses(session: Session, job: Job) -> list[SlaPause]:
    return list(session.scalars(select(SlaPause).where(SlaPause.job_id == job.id, SlaPause.ended_at.is_not(None))
                                .order_by(SlaPause.started_at)))


def refresh_deadlines(session: Session, *, job: Job, tz: ZoneInfo | None = None) -> tuple[datetime, datetime]:
    """Store the job's deadlines under its policy with every ended pause taken into account (after a
    pause ends, or when the policy changes). Returns the deadlines it replaced."""
    before = (job.respond_by, job.repair_by)
    job.respond_by, job.repair_by = stored_deadlines(job, job.sla_policy, pauses=ended_pauses(session, job),
                                                     fallback_tz=tz)
    return before


def change_priority(session: Session, *, job: Job, priority: Priority, actor: Actor, now: datetime,
                    tz: ZoneInfo | None = None, note: str = "") -> JobEvent:
    """Give the job another priority: the policy for its category and the new priority applies, and
    its deadlines are made again from the report time (pauses still count)."""
    note = note.strip()
    if not job.is_open:
        raise ClockChangeRefused(_("Job %(number)s is %(status)s: its priority can no longer change.",
                                   number=job.number, status=status_name(job.status)), field="priority", code=409)
    if priority == job.priority:
        raise ClockChangeRefused(_("Job %(number)s already has this priority.", number=job.number), field="priority",
                                 code=409)
    if len(note) > MAX_NOTE:
        raise ClockChangeRefused(_("The note is too long (at most %(max)s characters).", max=MAX_NOTE), field="note")
    previous, old_policy = job.priority, job.sla_policy
    job.priority = priority
    job.sla_policy = sla_policy_for(session, job.category, priority)
    respond_was, repair_was = refresh_deadlines(session, job=job, tz=tz)
    job.updated_at = now
    event = record_event(job, kind=EventKind.PRIORITY_CHANGED, actor=actor, now=now, note=note, data={
        "from": previous.value, "to": priority.value,
        "policy": {"from": old_policy.code, "to": job.sla_policy.code},
        "respond_by": {"from": _stamp(respond_was), "to": _stamp(job.respond_by)},
        "repair_by": {"from": _stamp(repair_was), "to": _stamp(job.repair_by)}})
    session.flush()
    return event
