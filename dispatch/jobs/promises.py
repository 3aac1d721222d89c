"""The promises a customer was given (a first answer by the response deadline, the repair by the resolution
deadline), each read as the customer should hear it: still to come, kept, kept late, or missed. Read from
the job's stored deadlines, the one value every reader uses."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from dispatch.jobs.models import Job


class PromiseKind(enum.StrEnum):
    RESPOND = "respond"  # a person answers the customer
    REPAIR = "repair"    # the fault is resolved


class PromiseState(enum.StrEnum):
    PENDING = "pending"  # the deadline is still ahead
    MET = "met"          # done by the deadline
    LATE = "late"        # done, after the deadline
    MISSED = "missed"    # the deadline passed and it is not done yet


@dataclass(frozen=True)
class Promise:
    kind: PromiseKind
    due: datetime
    state: PromiseState
    done_at: datetime | None


def _read(kind: PromiseKind, due: datetime, done: datetime | None, *, now: datetime) -> Promise:
    if done is not None:
        return Promise(kind, due, PromiseState.MET if done <= due else PromiseState.LATE, done)
    return Promise(kind, due, PromiseState.PENDING if now <= due else PromiseState.MISSED, None)


def customer_promises(job: Job, *, now: datetime) -> list[Promise]:
    """The job's promises in the order they fall due. A closed job that never got there (cancelled, say)
    no longer promises anything, so an unfinished promise of a job that is no longer open is left out."""
    found = []
    for kind, due, done in ((PromiseKind.RESPOND, job.respond_by, job.responded_at),
                            (PromiseKind.REPAIR, job.repair_by, job.resolved_at)):
        if done is None and not job.is_open:
            continue
        found.append(_read(kind, due, done, now=now))
    return found
