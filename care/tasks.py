"""Follow-up tasks for people: phone callbacks, supervisor calls, check-ins; who gets them and how
they are closed."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from care.models import FollowUpTask, TaskKind, TaskOutcome
from core.i18n import gettext as _
from core.users import Role, User
from dispatch.jobs.models import Job

MAX_NOTE = 2000


class TaskNotFound(Exception):
    pass


class TaskAlreadyDone(Exception):
    pass


class NotYourTask(Exception):
    pass


def create_task(session: Session, *, kind: TaskKind, job: Job, assignee: User | None, reason: str, now: datetime,
                due_at: datetime | None = None, survey_id: int | None = None, reason_code: str | None = None,
                reason_facts: dict[str, Any] | None = None) -> FollowUpTask:
    """`reason` is the text as written; `reason_code` and `reason_facts` the same as a reason
    (dispatch.jobs.reasons), from which pages say it in the reader's language."""
    task = FollowUpTask(kind=kind, job_id=job.id, customer_id=job.customer_id, survey_id=survey_id,
                        assignee_user_id=assignee.id if assignee else None, reason=reason, reason_code=reason_code,
                        reason_facts=reason_facts, created_at=now,
                        due_at=due_at or now, outcome_note="")
    session.add(task)
    session.flush()
    return task


def supervisors(session: Session) -> list[User]:
    return list(session.scalars(select(User).where(User.active.is_(True), User.role == Role.MANAGER)
                                .order_by(User.id)))


def least_busy_supervisor(session: Session) -> User | None:
    """The manager with the fewest open tasks, so escalations spread over the supervisors on duty."""
    open_tasks = (select(FollowUpTask.assignee_user_id, func.count().label("n"))
                  .where(FollowUpTask.done_at.is_(None)).group_by(FollowUpTask.assignee_user_id).subquery())
    return session.scalar(select(User).outerjoin(open_tasks, open_tasks.c.assignee_user_id == User.id)
                          .where(User.active.is_(True), User.role == Role.MANAGER)
                          .order_by(func.coalesce(open_tasks.c.n, 0), User.id).limit(1))


def tasks_for(user: User, *, now: datetime, include_upcoming: bool = False) -> Select[tuple[FollowUpTask]]:
    """Open tasks assigned to `user` plus the team's unowned ones, soonest due first."""
    query = (select(FollowUpTask).where(FollowUpTask.done_at.is_(None),
                                        or_(FollowUpTask.assignee_user_id == user.id,
                                            FollowUpTask.assignee_user_id.is_(None)))
             .options(selectinload(FollowUpTask.job), selectinload(FollowUpTask.customer),
                      selectinload(FollowUpTask.assignee))
             .order_by(FollowUpTask.due_at, FollowUpTask.id))
    if not include_upcoming:
        query = query.where(FollowUpTask.due_at <= now)
    return query


def upcoming_count(session: Session, user: User, *, now: datetime) -> int:
    return session.scalar(select(func.count()).select_from(FollowUpTask).where(
        FollowUpTask.done_at.is_(None), FollowUpTask.due_at > now,
        or_(FollowUpTask.assignee_user_id == user.id, FollowUpTask.assignee_user_id.is_(None))))


def recently_done(user: User, *, limit: int = 20) -> Select[tuple[FollowUpTask]]:
    return (select(FollowUpTask).where(and_(FollowUpTask.done_by_user_id == user.id, FollowUpTask.done_at.is_not(None)))
            .options(selectinload(FollowUpTask.job), selectinload(FollowUpTask.customer))
            .order_by(FollowUpTask.done_at.desc()).limit(limit))


def get_task(session: Session, task_id: int, *, for_update: bool = False) -> FollowUpTask:
    query = select(FollowUpTask).where(FollowUpTask.id == task_id)
    if for_update:
        query = query.with_for_update()
    task = session.scalar(query)
    if task is None:
        raise TaskNotFound(_("No task %(id)s.", id=task_id))
    return task


def complete_task(session: Session, *, task: FollowUpTask, user: User, outcome: TaskOutcome, note: str,
                  now: datetime) -> FollowUpTask:
    """Close a task with how it ended. Someone else's task is refused (a manager may close any);
    an unowned task becomes the closer's."""
    if task.done_at is not None:
        raise TaskAlreadyDone(_("Task %(id)s was already done.", id=task.id))
    if task.assignee_user_id not in (None, user.id) and not user.has_role(Role.MANAGER):
        raise NotYourTask(_("Task %(id)s belongs to %(user)s.", id=task.id, user=task.assignee.username)
                          if task.assignee else _("Task %(id)s belongs to someone else.", id=task.id))
    if task.assignee_user_id is None:
        task.assignee_user_id = user.id
    task.done_at, task.done_by_user_id, task.outcome, task.outcome_note = now, user.id, outcome, note[:MAX_NOTE]
    session.flush()
    return task
