"""What happens to jobs that other packages react to (see core.events)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dispatch.jobs.audit import Actor
from dispatch.jobs.models import EntitlementKind, Job
from dispatch.jobs.status import JobStatus


@dataclass(frozen=True)
class JobStatusChanged:
    job: Job
    from_status: JobStatus
    to_status: JobStatus
    actor: Actor
    now: datetime
    # What the person who moved it wrote (at a completion: what was done).
    note: str = ""


@dataclass(frozen=True)
class JobReported:
    """A report opened a new job (a report joining an open job is not news to anyone)."""
    job: Job
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class JobsPlaced:
    """Jobs have a technician, a day and a planned time, new or changed: live insertion, jobs moved to
    make room, a dispatcher's move, an applied re-optimisation. One event for every job a change placed,
    so a subscriber reads what it needs about them at once. A job placed by itself is published even
    when nothing moved; among a route's jobs, those left exactly where they were are not in it. A
    subscriber judges for itself what changed (against what it last told anyone)."""
    jobs: tuple[Job, ...]
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class JobUnassignable:
    """Nobody qualified can take the job before its deadline: it waits for a person (an escalation)."""
    job: Job
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class EntitlementChanged:
    """What the customer is entitled to changed after the report (a proof of purchase was accepted)."""
    job: Job
    before: EntitlementKind
    actor: Actor
    now: datetime


@dataclass(frozen=True)
class JobWindowConfirmed:
    """An appointment window was confirmed for the job's visit (`changed`: it replaces an earlier one):
    the promise the customer is told about."""
    job: Job
    start: datetime
    end: datetime
    changed: bool
    actor: Actor
    now: datetime
