"""The close-the-loop work the scheduler process runs: queued work-item handlers (survey messages,
answer deadlines, outbox delivery) and the periodic SLA sweep."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from care import message_settings
from care.callbacks import SEND_SURVEY, SURVEY_DEADLINE, send_survey, survey_deadline
from care.notifiers import Notifier, notifiers_from
from care.outbox import SEND_MESSAGE, deliver
from care.sla_watch import SweepSummary, sla_sweep
from core.settings import Settings
from core.work_queue import DEFAULT_LEASE, Handler, WorkItem


def care_handlers(settings: Settings, *, notifiers: Mapping[str, Notifier] | None = None,
                  lease: timedelta = DEFAULT_LEASE) -> dict[str, Handler]:
    """`lease`: how long a message being sent is left to its worker before another may take it over
    (the work items' lease, so a dead worker's items and messages are picked up together)."""
    channels = notifiers_from(settings) if notifiers is None else notifiers
    message_settings.configure(settings)  # the worker's dispatch and re-plans write customer messages too

    def survey(session: Session, item: WorkItem, now: datetime) -> None:
        send_survey(session, survey_id=item.payload["survey_id"], now=now, base_url=settings.public_base_url)

    def deadline(session: Session, item: WorkItem, now: datetime) -> None:
        survey_deadline(session, survey_id=item.payload["survey_id"], now=now)

    def message(session: Session, item: WorkItem, now: datetime) -> None:
        deliver(session, message_id=item.payload["message_id"], notifiers=channels, now=now, lease=lease)

    return {SEND_SURVEY: survey, SURVEY_DEADLINE: deadline, SEND_MESSAGE: message}


def sla_watch_task(session: Session, *, now: datetime, settings: Settings) -> SweepSummary:
    return sla_sweep(session, now=now, warning_share=settings.sla_warning_share)
