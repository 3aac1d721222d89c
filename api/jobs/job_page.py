"""What the agent's job page shows, read in a fixed number of queries whatever the job's history: the
job with its appliance, customer, owner and technician; its parts and where they are; the messages
sent to the customer; the running pause of its clocks; its history in time order; its photos (the
technician's, and the fault and the purchase receipt the customer sent)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from care.models import OutboxMessage, SlaPause
from core.users import Role, User
from dispatch.catalog.models import Asset
from dispatch.jobs.errors import JobNotFound
from dispatch.jobs.models import Job, JobEvent
from dispatch.parts.services import parts_for_job
from dispatch.technicians.models import Technician
from fieldwork.models import JobPhoto, PhotoKind
from fieldwork.photos import photos_of
from inventory.models import JobPart, JobPartState

# Who a case can be handed to from the page: the people who talk to customers, not the administrator's
# account (the API still accepts any role that may own a case).
HAND_OVER_ROLES = (Role.AGENT, Role.DISPATCHER, Role.MANAGER)
# Colleagues are told in the team chat ("user:<name>"); everything else went to the customer.
_STAFF_RECIPIENT = "user:%"


@dataclass(frozen=True)
class JobPage:
    job: Job
    parts: list[JobPart]
    messages: list[OutboxMessage]
    history: list[JobEvent]
    pause: SlaPause | None
    photos: list[JobPhoto]
    # What the customer sent with the report.
    proof: list[JobPhoto]

    @property
    def fault_photos(self) -> list[JobPhoto]:
        return [photo for photo in self.proof if photo.kind == PhotoKind.FAULT]

    @property
    def receipts(self) -> list[JobPhoto]:
        return [photo for photo in self.proof if photo.kind == PhotoKind.RECEIPT]

    @property
    def parts_to_come(self) -> list[JobPart]:
        """Parts held or on their way for the visit (fitted and given-back lines are history)."""
        return [line for line in self.parts if line.state in (JobPartState.RESERVED, JobPartState.AWAITING)]


def load_job(session: Session, number: str) -> Job:
    job = session.scalar(
        select(Job).where(Job.number == number[:20])
        .options(selectinload(Job.customer), selectinload(Job.owner), selectinload(Job.events),
                 selectinload(Job.asset).options(selectinload(Asset.product_model), selectinload(Asset.region)),
                 selectinload(Job.technician).selectinload(Technician.user)))
    if job is None:
        raise JobNotFound(number[:20])
    return job


def job_page(session: Session, number: str) -> JobPage:
    job = load_job(session, number)
    messages = list(session.scalars(
        select(OutboxMessage).where(OutboxMessage.job_id == job.id, OutboxMessage.recipient.not_like(_STAFF_RECIPIENT))
        .order_by(OutboxMessage.created_at, OutboxMessage.id)))
    pause = session.scalar(select(SlaPause).where(SlaPause.job_id == job.id, SlaPause.ended_at.is_(None)))
    history = sorted(job.events, key=lambda event: (event.at, event.id))
    return JobPage(job=job, parts=parts_for_job(session, job), messages=messages, history=history, pause=pause,
                   photos=photos_of(session, job),
                   proof=photos_of(session, job, kinds=(PhotoKind.FAULT, PhotoKind.RECEIPT)))


def hand_over_candidates(session: Session, job: Job) -> list[User]:
    """Active colleagues who may take the case, the current owner left out."""
    query = select(User).where(User.active.is_(True), User.role.in_(sorted(HAND_OVER_ROLES)))
    if job.owner_user_id is not None:
        query = query.where(User.id != job.owner_user_id)
    return list(session.scalars(query.order_by(User.role, User.display_name)))
