"""The kinds of queued work dispatch produces, and the one call that asks for a job to be dispatched.

Kept apart from the planner so that intake (in web workers) can ask without importing OR-Tools.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.background import DISPATCH, defer
from dispatch.jobs.models import DispatchState, Job

DISPATCH_JOB = "dispatch_job"
PLAN_REGION = "plan_region"


def request_dispatch(session: Session, job: Job, *, now: datetime) -> None:
    """Queue `job` for the dispatcher engine, in the caller's transaction (so it is never lost)."""
    job.dispatch_state = DispatchState.PENDING
    defer(session, queue=DISPATCH, kind=DISPATCH_JOB, payload={"job": job.number}, now=now)
