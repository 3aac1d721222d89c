"""The agent desk's own actions on a case: taking a new report nobody owns yet, and cancelling a job,
which always says why."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from core.i18n import gettext as _
from core.limits import has_control_characters
from core.users import User
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import CaseAlreadyOwned, ReasonNeeded
from dispatch.jobs.models import Job, JobEvent
from dispatch.jobs.services import hand_over_job, office_transition
from dispatch.jobs.status import JobStatus

MIN_CANCEL_REASON = 5
MAX_CANCEL_REASON = 500


def take_case(session: Session, *, job: Job, user: User, now: datetime) -> JobEvent:
    """`user` becomes the owner of a case nobody owns. Call with the job's row locked (get_job
    for_update), so of two agents taking it at once the second is told who was first."""
    if job.owner_user_id is not None:
        raise CaseAlreadyOwned(_("%(name)s already owns job %(number)s.", name=job.owner.display_name,
                                 number=job.number))
    return hand_over_job(session, job=job, to_user=user, actor=Actor.staff(user), now=now,
                         note="")


def cancel_job(session: Session, *, job: Job, reason: str, actor: Actor, now: datetime) -> JobEvent:
    """Cancel an open job, the reason recorded in its history (parts go back through the status event)."""
    reason = " ".join((reason or "").split())
    if not MIN_CANCEL_REASON <= len(reason) <= MAX_CANCEL_REASON or has_control_characters(reason):
        raise ReasonNeeded(_("Say why the job is cancelled (%(min)s to %(max)s characters).",
                             min=MIN_CANCEL_REASON, max=MAX_CANCEL_REASON))
    return office_transition(session, job=job, to=JobStatus.CANCELLED, actor=actor, now=now, note=reason)
