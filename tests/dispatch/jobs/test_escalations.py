"""Escalations are closed by a named person: acknowledged (taken on), then resolved with a note; each
step is on the escalation and in the job's audit trail, and the filters find them by where they stand."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.users import Role
from dispatch.jobs.audit import SYSTEM, Actor
from dispatch.jobs.errors import ClockChangeRefused
from dispatch.jobs.escalations import acknowledge_escalation, resolve_escalation
from dispatch.jobs.models import Escalation, EscalationState, EventKind
from dispatch.jobs.read import latest_escalations
from tests.builders.care import make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


@pytest.fixture
def raised(session):
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    escalations = [Escalation(job=job, kind="sla_warning", reason=f"warning {n}", raised_at=NOW + timedelta(minutes=n))
                   for n in range(3)]
    session.add_all(escalations)
    session.flush()
    return escalations


@pytest.fixture
def dispatcher(session):
    return Actor.staff(make_user(session, username="dispatch.zhou", role=Role.DISPATCHER))


def test_a_dispatcher_acknowledges_then_resolves_an_escalation_with_a_note(session, raised, dispatcher):
    escalation = raised[0]
    acknowledge_escalation(session, escalation=escalation, actor=dispatcher, now=NOW + timedelta(hours=1),
                           note="Calling the customer")
    assert escalation.state == EscalationState.ACKNOWLEDGED
    assert (escalation.acknowledged_by, escalation.acknowledged_at) == (dispatcher.user, NOW + timedelta(hours=1))
    resolve_escalation(session, escalation=escalation, actor=dispatcher, now=NOW + timedelta(hours=2),
                       note="Moved to tech02, arrives at 15:00")
    assert escalation.state == EscalationState.RESOLVED
    assert (escalation.resolved_by, escalation.resolution_note) == (dispatcher.user, "Moved to tech02, arrives at 15:00")
    kinds = [(e.kind, e.actor_label, e.data.get("escalation")) for e in escalation.job.events[-2:]]
    assert kinds == [(EventKind.ESCALATION_ACKNOWLEDGED, "dispatch.zhou", escalation.id),
                     (EventKind.ESCALATION_RESOLVED, "dispatch.zhou", escalation.id)]


def test_resolving_one_nobody_took_on_acknowledges_it_too(session, raised, dispatcher):
    resolve_escalation(session, escalation=raised[1], actor=dispatcher, now=NOW, note="Part arrived")
    assert raised[1].acknowledged_by == dispatcher.user and raised[1].acknowledged_at == NOW


@pytest.mark.parametrize("note", ["", "  ", "ok", "x" * 2001])
def test_a_resolution_says_what_was_done(session, raised, dispatcher, note):
    with pytest.raises(ClockChangeRefused) as refused:
        resolve_escalation(session, escalation=raised[0], actor=dispatcher, now=NOW, note=note)
    assert refused.value.field == "note" and raised[0].state == EscalationState.OPEN


def test_each_step_is_taken_once_and_only_by_a_person(session, raised, dispatcher):
    escalation = raised[0]
    with pytest.raises(ClockChangeRefused) as refused:
        acknowledge_escalation(session, escalation=escalation, actor=SYSTEM, now=NOW)
    assert refused.value.code == 403
    acknowledge_escalation(session, escalation=escalation, actor=dispatcher, now=NOW)
    with pytest.raises(ClockChangeRefused) as twice:
        acknowledge_escalation(session, escalation=escalation, actor=dispatcher, now=NOW)
    assert twice.value.code == 409
    resolve_escalation(session, escalation=escalation, actor=dispatcher, now=NOW, note="Done and called back")
    for step in (lambda: resolve_escalation(session, escalation=escalation, actor=dispatcher, now=NOW, note="again"),
                 lambda: acknowledge_escalation(session, escalation=escalation, actor=dispatcher, now=NOW)):
        with pytest.raises(ClockChangeRefused) as closed:
            step()
        assert closed.value.code == 409


def test_the_filters_find_escalations_by_where_they_stand(session, raised, dispatcher):
    acknowledge_escalation(session, escalation=raised[1], actor=dispatcher, now=NOW)
    resolve_escalation(session, escalation=raised[2], actor=dispatcher, now=NOW, note="Customer called back")

    def reasons(state):
        return [e.reason for e in latest_escalations(session, state=state)]

    assert reasons("open") == ["warning 0"]
    assert reasons("acknowledged") == ["warning 1"]
    assert reasons("resolved") == ["warning 2"]
    assert reasons("active") == ["warning 1", "warning 0"]  # newest first
    assert reasons("all") == ["warning 2", "warning 1", "warning 0"]
