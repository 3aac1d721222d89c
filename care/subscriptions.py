"""How care follows the jobs: a completed job starts its callback plan (the survey and check-in calls)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from care.callbacks import start_callback_plan
from core.events import subscribe
from dispatch.jobs.events import JobStatusChanged
from dispatch.jobs.status import JobStatus


def start_callbacks_of_completed_job(session: Session, event: JobStatusChanged) -> None:
    if event.to_status == JobStatus.COMPLETED:
        start_callback_plan(session, job=event.job, now=event.now)


subscribe(JobStatusChanged, start_callbacks_of_completed_job)
