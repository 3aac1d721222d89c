"""Checks other packages add to every status change, run before the job changes: a package that owns a
precondition of some move (a paid repair's approved quote) registers it here, so the status machine never
imports it and every path to the move (the phone, the office, the API) meets the same check."""
from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from dispatch.jobs.models import Job
from dispatch.jobs.status import JobStatus

Guard = Callable[[Session, Job, JobStatus], None]

_guards: list[Guard] = []


def add_guard(guard: Guard) -> None:
    """`guard(session, job, to)` raises its refusal when `job` may not move to `to` (once, however often called)."""
    if guard not in _guards:
        _guards.append(guard)


def check_guards(session: Session, job: Job, to: JobStatus) -> None:
    for guard in _guards:
        guard(session, job, to)
