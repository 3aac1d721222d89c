"""The agent desk's queues of open cases: new reports nobody owns, mine, my colleagues', and those
waiting for the customer (their SLA clocks paused). Each is one query for its lines and one for its size."""
from __future__ import annotations

import enum
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from care.models import SlaPause
from dispatch.jobs.models import JOB_IS_OPEN, Job
from dispatch.jobs.read import jobs_owned_by, team_jobs, unowned_jobs
from dispatch.jobs.search import JOB_LINE_LOADS

QUEUE_LENGTH = 50


class Queue(enum.StrEnum):
    NEW = "new"
    MINE = "mine"
    TEAM = "team"
    WAITING = "waiting"


def waiting_for_customer() -> Select[tuple[Job]]:
    waiting = select(SlaPause.job_id).where(SlaPause.ended_at.is_(None))
    return select(Job).where(JOB_IS_OPEN, Job.id.in_(waiting)).order_by(Job.respond_by, Job.id)


def queue_select(queue: Queue, *, user_id: int) -> Select[tuple[Job]]:
    if queue == Queue.NEW:
        return unowned_jobs()
    if queue == Queue.MINE:
        return jobs_owned_by(user_id)
    if queue == Queue.TEAM:
        return team_jobs(except_user_id=user_id)
    return waiting_for_customer()


@dataclass(frozen=True)
class Queues:
    shown: Queue
    jobs: list[Job]
    sizes: dict[Queue, int]


def desk_queues(session: Session, *, shown: Queue, user_id: int) -> Queues:
    sizes = {queue: session.scalar(select(func.count()).select_from(
        queue_select(queue, user_id=user_id).order_by(None).subquery())) for queue in Queue}
    jobs = list(session.scalars(queue_select(shown, user_id=user_id).options(*JOB_LINE_LOADS).limit(QUEUE_LENGTH)))
    return Queues(shown=shown, jobs=jobs, sizes=sizes)
