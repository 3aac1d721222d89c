"""How parts follow a job's status: a finished job gives back what it holds."""
from __future__ import annotations

from sqlalchemy.orm import Session

from core.events import subscribe
from dispatch.jobs.events import JobStatusChanged
from dispatch.jobs.status import JobStatus
from dispatch.parts.services import release_parts
from inventory.reasons import reason as stock_reason

# A cancelled job gives its parts back; a completed one gives back what it did not use (what was
# fitted is consumed when the technician records it, before completing).
_GIVES_PARTS_BACK = frozenset({JobStatus.CANCELLED, JobStatus.COMPLETED, JobStatus.REMOTE_RESOLVED})


def release_parts_of_finished_job(session: Session, event: JobStatusChanged) -> None:
    if event.to_status in _GIVES_PARTS_BACK:
        release_parts(session, job=event.job, actor=event.actor, now=event.now,
                      reason=stock_reason(f"job_{event.to_status.value}"))


subscribe(JobStatusChanged, release_parts_of_finished_job)
