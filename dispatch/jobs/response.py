"""The first human response to a customer, which stops the response clock.

A response is a person answering the customer: staff recording a contact (a call, a message, a visit
note), the assigned technician accepting the job or setting off, staff resolving the case remotely or
cancelling it, or the customer confirming an arrival window. Triage, assignment and status changes
made by the system (live dispatch, the SLA watch, re-optimisation) never are, however early they come.

Appointment windows do not exist yet: when the customer confirms one, its operation calls
`record_response(job, kind=ResponseKind.WINDOW_CONFIRMED, actor=CUSTOMER, now=...)`.
"""
from __future__ import annotations

from datetime import datetime

from core.i18n import gettext as _
from dispatch.jobs.audit import CUSTOMER, Actor
from dispatch.jobs.models import Job, ResponseKind


class NotAHumanResponse(Exception):
    """Something other than a person answering the customer was offered as the response."""


def record_response(job: Job, *, kind: ResponseKind, actor: Actor, now: datetime) -> bool:
    """Stop the response clock at `now` unless a person already responded; True if this was the
    first response. Refuses an actor who is not a person (the system, a watch, a planner)."""
    by_customer = kind == ResponseKind.WINDOW_CONFIRMED and actor == CUSTOMER
    if actor.user is None and not by_customer:
        raise NotAHumanResponse(_("Only a person's response to the customer stops the response clock."))
    if job.responded_at is not None:
        return False
    job.responded_at = now
    job.responded_by_user_id = actor.user.id if actor.user is not None else None
    job.response_kind = kind
    return True
