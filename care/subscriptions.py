"""How care follows the jobs: a completed job starts its callback plan (the survey and check-in calls),
and the customer hears of every step (care.customer_messages)."""
from __future__ import annotations

from sqlalchemy.orm import Session

from care.callbacks import start_callback_plan
from care.customer_messages import (
    tell_entitlement_changed,
    tell_plan,
    tell_report_received,
    tell_status,
    tell_unplanned,
    tell_window_confirmed,
)
from core.events import subscribe
from dispatch.jobs.events import (
    EntitlementChanged,
    JobReported,
    JobsPlaced,
    JobStatusChanged,
    JobUnassignable,
    JobWindowConfirmed,
)
from dispatch.jobs.status import JobStatus


def start_callbacks_of_completed_job(session: Session, event: JobStatusChanged) -> None:
    if event.to_status == JobStatus.COMPLETED:
        start_callback_plan(session, job=event.job, now=event.now)


subscribe(JobStatusChanged, start_callbacks_of_completed_job)
subscribe(JobStatusChanged, tell_status)
subscribe(JobReported, tell_report_received)
subscribe(JobsPlaced, tell_plan)
subscribe(JobUnassignable, tell_unplanned)
subscribe(EntitlementChanged, tell_entitlement_changed)
subscribe(JobWindowConfirmed, tell_window_confirmed)
