"""What happens to jobs that other packages react to (see core.events)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dispatch.jobs.audit import Actor
from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus


@dataclass(frozen=True)
class JobStatusChanged:
    job: Job
    from_status: JobStatus
    to_status: JobStatus
    actor: Actor
    now: datetime
