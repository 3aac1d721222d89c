"""The response clock stops only at a person's response: a recorded contact, the technician's
acceptance, a person closing the case; never at triage or assignment made by the system."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.users import Role
from dispatch.jobs.audit import CUSTOMER, SYSTEM, Actor
from dispatch.jobs.clocks import record_contact
from dispatch.jobs.errors import ClockChangeRefused
from dispatch.jobs.models import ContactChannel, EventKind, ResponseKind
from dispatch.jobs.response import NotAHumanResponse, record_response
from dispatch.jobs.services import office_transition, transition_job
from dispatch.jobs.status import JobStatus
from fieldwork.updates import ACCEPT, StatusUpdate, apply_update
from tests.builders.care import make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.builders.fieldwork import build_field_world
from tests.conftest import NOW


def test_live_dispatch_triaging_and_assigning_a_job_is_no_response(session):
    city = build_field_world(session)
    for job in [*city.jobs, city.other_job]:
        assert job.status == JobStatus.ASSIGNED  # the system triaged and assigned it at once
        assert (job.responded_at, job.responded_by_user_id, job.response_kind) == (None, None, None)


def test_a_dispatchers_or_the_systems_status_changes_are_no_response(session):
    dispatcher = make_user(session, username="dispatch.zhou", role=Role.DISPATCHER)
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    transition_job(session, job=job, to=JobStatus.TRIAGED, actor=SYSTEM, now=NOW + timedelta(minutes=1))
    office_transition(session, job=job, to=JobStatus.ASSIGNED, actor=Actor.staff(dispatcher),
                      now=NOW + timedelta(minutes=2))
    assert job.responded_at is None


def test_an_agents_recorded_contact_is_the_response_with_who_and_how(session):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    event = record_contact(session, job=job, channel=ContactChannel.PHONE, note="Called: a visit is coming tomorrow",
                           actor=Actor.staff(agent), now=NOW + timedelta(minutes=40))
    assert (job.responded_at, job.responded_by, job.response_kind) == (
        NOW + timedelta(minutes=40), agent, ResponseKind.CONTACT)
    assert event.kind == EventKind.CONTACTED and event.actor_label == "agent.li"
    assert event.data == {"channel": "phone", "response": True}
    # A later contact is recorded, but the first response stands.
    later = record_contact(session, job=job, channel=ContactChannel.SMS, note="Sent the visit time",
                           actor=Actor.staff(agent), now=NOW + timedelta(minutes=90))
    assert later.data["response"] is False and job.responded_at == NOW + timedelta(minutes=40)


@pytest.mark.parametrize("note", ["", "  ", "ok", "x" * 2001])
def test_a_contact_says_what_was_said(session, note):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    with pytest.raises(ClockChangeRefused) as refused:
        record_contact(session, job=job, channel=ContactChannel.PHONE, note=note, actor=Actor.staff(agent), now=NOW)
    assert refused.value.field == "note" and job.responded_at is None


@pytest.mark.parametrize("actor", [SYSTEM, Actor(label="sla-watch"), CUSTOMER])
def test_nobody_but_a_person_records_a_contact_or_a_response(session, actor):
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    with pytest.raises(ClockChangeRefused):
        record_contact(session, job=job, channel=ContactChannel.PHONE, note="Called the customer", actor=actor, now=NOW)
    with pytest.raises(NotAHumanResponse):
        record_response(job, kind=ResponseKind.CONTACT, actor=actor, now=NOW)
    assert job.responded_at is None


def test_the_customer_confirming_a_window_is_a_response(session):
    job = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
    assert record_response(job, kind=ResponseKind.WINDOW_CONFIRMED, actor=CUSTOMER, now=NOW + timedelta(minutes=5))
    assert (job.responded_at, job.responded_by_user_id, job.response_kind) == (
        NOW + timedelta(minutes=5), None, ResponseKind.WINDOW_CONFIRMED)


def test_the_technicians_acceptance_is_the_response(session):
    city = build_field_world(session)
    job = city.jobs[0]
    apply_update(session, technician=city.tech, job=job, update=StatusUpdate(client_id="accept-0001", action=ACCEPT),
                 now=NOW + timedelta(minutes=25))
    assert (job.responded_at, job.responded_by, job.response_kind) == (
        NOW + timedelta(minutes=25), city.tech.user, ResponseKind.ACCEPTED)


def test_a_technician_setting_off_without_accepting_first_has_responded(session):
    city = build_field_world(session)
    job = city.jobs[0]
    apply_update(session, technician=city.tech, job=job, update=StatusUpdate(client_id="enroute-0001", action="en_route"),
                 now=NOW + timedelta(minutes=50))
    assert job.response_kind == ResponseKind.ACCEPTED and job.responded_at == NOW + timedelta(minutes=50)


def test_an_agent_answering_a_question_remotely_has_responded(session):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    job = make_open_job(session, asset=make_asset(session), owner=agent, now=NOW,
                        fault="How do I set the eco mode? The manual does not say")
    office_transition(session, job=job, to=JobStatus.TRIAGED, actor=Actor.staff(agent), now=NOW + timedelta(minutes=3))
    assert job.responded_at is None
    office_transition(session, job=job, to=JobStatus.REMOTE_RESOLVED, actor=Actor.staff(agent),
                      now=NOW + timedelta(minutes=10))
    assert (job.responded_at, job.response_kind) == (NOW + timedelta(minutes=10), ResponseKind.RESOLVED_REMOTELY)
