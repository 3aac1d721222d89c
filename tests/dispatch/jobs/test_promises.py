"""A customer's promises read as they should hear them: to come, kept, kept late, or missed."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dispatch.jobs.models import Job
from dispatch.jobs.promises import PromiseKind, PromiseState, customer_promises
from dispatch.jobs.status import JobStatus

NOW = datetime(2026, 11, 23, 6, 0, tzinfo=UTC)
HOUR = timedelta(hours=1)


def _job(status=JobStatus.TRIAGED, *, responded=None, resolved=None) -> Job:
    return Job(status=status, respond_by=NOW - HOUR, repair_by=NOW + 48 * HOUR, responded_at=responded,
               resolved_at=resolved)


def _states(job: Job) -> dict[PromiseKind, PromiseState]:
    return {p.kind: p.state for p in customer_promises(job, now=NOW)}


def test_a_deadline_passed_without_an_answer_is_missed_not_still_to_come():
    assert _states(_job()) == {PromiseKind.RESPOND: PromiseState.MISSED, PromiseKind.REPAIR: PromiseState.PENDING}


def test_an_answer_in_time_is_a_kept_promise_and_a_late_one_says_so():
    assert _states(_job(responded=NOW - 2 * HOUR))[PromiseKind.RESPOND] == PromiseState.MET
    assert _states(_job(responded=NOW - HOUR / 2))[PromiseKind.RESPOND] == PromiseState.LATE


def test_a_repair_done_in_time_is_kept():
    job = _job(JobStatus.COMPLETED, responded=NOW - 2 * HOUR, resolved=NOW)
    assert _states(job) == {PromiseKind.RESPOND: PromiseState.MET, PromiseKind.REPAIR: PromiseState.MET}


def test_a_cancelled_job_no_longer_promises_what_it_never_did():
    assert _states(_job(JobStatus.CANCELLED, responded=NOW - 2 * HOUR)) == {PromiseKind.RESPOND: PromiseState.MET}
