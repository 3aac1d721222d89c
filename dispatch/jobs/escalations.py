"""Closing an escalation: a named person acknowledges it (takes it on), then resolves it with a note
saying what was done. Both steps are written on the escalation and in the job's audit trail."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from core.i18n import gettext as _
from dispatch.jobs.audit import Actor
from dispatch.jobs.errors import ClockChangeRefused
from dispatch.jobs.models import Escalation, EventKind
from dispatch.jobs.services import record_event

MIN_RESOLUTION_NOTE = 3
MAX_NOTE = 2000


class EscalationNotFound(Exception):
    def __init__(self, escalation_id: int):
        super().__init__(_("No escalation %(id)s.", id=escalation_id))


def get_escalation(session: Session, escalation_id: int, *, for_update: bool = False) -> Escalation:
    query = select(Escalation).where(Escalation.id == escalation_id)
    if for_update:
        query = query.with_for_update()
    escalation = session.scalar(query)
    if escalation is None:
        raise EscalationNotFound(escalation_id)
    return escalation


def _person(actor: Actor) -> None:
    if actor.user is None:
        raise ClockChangeRefused(_("An escalation is handled by a named person."), field="actor", code=403)


def _note(note: str, *, required: bool) -> str:
    note = note.strip()
    if required and len(note) < MIN_RESOLUTION_NOTE:
        raise ClockChangeRefused(_("Say what was done about it (%(min)s to %(max)s characters).",
                                   min=MIN_RESOLUTION_NOTE, max=MAX_NOTE), field="note")
    if len(note) > MAX_NOTE:
        raise ClockChangeRefused(_("The note is too long (at most %(max)s characters).", max=MAX_NOTE), field="note")
    return note


def acknowledge_escalation(session: Session, *, escalation: Escalation, actor: Actor, now: datetime,
                           note: str = "") -> Escalation:
    """`actor` takes the escalation on; the others see who is on it."""
    _person(actor)
    note = _note(note, required=False)
    if escalation.resolved_at is not None:
        raise ClockChangeRefused(_("Escalation %(id)s is already resolved.", id=escalation.id), field="id", code=409)
    if escalation.acknowledged_at is not None:
        raise ClockChangeRefused(_("Escalation %(id)s was already acknowledged by %(user)s.", id=escalation.id,
                                   user=escalation.acknowledged_by.display_name if escalation.acknowledged_by
                                   else "?"), field="id", code=409)
    escalation.acknowledged_at, escalation.acknowledged_by, escalation.acknowledged_note = now, actor.user, note
    record_event(escalation.job, kind=EventKind.ESCALATION_ACKNOWLEDGED, actor=actor, now=now, note=note,
                 data={"escalation": escalation.id, "kind": escalation.kind})
    session.flush()
    return escalation


def resolve_escalation(session: Session, *, escalation: Escalation, actor: Actor, now: datetime,
                       note: str) -> Escalation:
    """`actor` closes the escalation, saying what was done. Resolving one nobody acknowledged also
    acknowledges it, by the same person."""
    _person(actor)
    note = _note(note, required=True)
    if escalation.resolved_at is not None:
        raise ClockChangeRefused(_("Escalation %(id)s is already resolved.", id=escalation.id), field="id", code=409)
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at, escalation.acknowledged_by = now, actor.user
    escalation.resolved_at, escalation.resolved_by, escalation.resolution_note = now, actor.user, note
    record_event(escalation.job, kind=EventKind.ESCALATION_RESOLVED, actor=actor, now=now, note=note,
                 data={"escalation": escalation.id, "kind": escalation.kind})
    session.flush()
    return escalation
