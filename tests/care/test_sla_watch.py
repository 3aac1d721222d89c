"""The SLA watch: warned once at 75 % (with a re-dispatch attempt), breaches recorded with their
cause, clocks standing still while the job waits for the customer."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest
from sqlalchemy import func, select

from care.models import AlertKind, OutboxMessage, SlaAlert, SlaClock
from care.sla_watch import AlreadyPaused, NotPaused, pause_clocks, read_clocks, resume_clocks, sla_sweep
from core.db import make_session_factory
from core.users import Role
from core.work_queue import WorkItem
from dispatch.jobs.audit import Actor
from dispatch.jobs.clocks import record_contact
from dispatch.jobs.models import ContactChannel, Escalation
from dispatch.jobs.services import transition_job
from dispatch.jobs.status import JobStatus
from dispatch.jobs.work import DISPATCH_JOB
from tests.builders.care import make_open_job
from tests.builders.core import make_user
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


@pytest.fixture
def owned_job(session):
    agent = make_user(session, username="agent.li", role=Role.AGENT)
    make_user(session, username="manager.xu", role=Role.MANAGER)
    job = make_open_job(session, asset=make_asset(session), owner=agent, now=NOW)  # respond in 2 h, repair in 3 days
    session.commit()
    return job


def _alerts(session) -> list[tuple]:
    return [(a.clock, a.kind, a.cause) for a in session.scalars(select(SlaAlert).order_by(SlaAlert.id))]


def _dispatch_requests(session) -> int:
    return session.scalar(select(func.count()).select_from(WorkItem).where(WorkItem.kind == DISPATCH_JOB))


def test_the_response_clock_warns_once_at_75_percent_then_records_the_breach(session, owned_job):
    queued = _dispatch_requests(session)
    assert sla_sweep(session, now=NOW + timedelta(minutes=89)).warned == 0
    summary = sla_sweep(session, now=NOW + timedelta(minutes=90))
    assert (summary.warned, summary.redispatched) == (1, 1)
    assert _dispatch_requests(session) == queued + 1  # nobody is planned yet: ask dispatch again
    assert sla_sweep(session, now=NOW + timedelta(minutes=91)).warned == 0  # once per clock
    assert sla_sweep(session, now=NOW + timedelta(minutes=119)).breached == 0
    assert sla_sweep(session, now=NOW + timedelta(minutes=120)).breached == 1
    assert sla_sweep(session, now=NOW + timedelta(minutes=130)).breached == 0
    session.commit()
    assert _alerts(session) == [(SlaClock.RESPONSE, AlertKind.WARNING, "no_response"),
                                (SlaClock.RESPONSE, AlertKind.BREACH, "no_response")]
    kinds = session.scalars(select(Escalation.kind).order_by(Escalation.id)).all()
    assert kinds == ["sla_warning", "sla_breach"]
    # The warning goes to the case owner; the breach to the owner and the supervisors.
    recipients = session.scalars(select(OutboxMessage.recipient).where(OutboxMessage.recipient.like("user:%"))
                                 .order_by(OutboxMessage.id)).all()
    assert recipients == ["user:agent.li", "user:agent.li", "user:manager.xu"]


def test_a_response_stops_its_clock_and_the_resolution_breach_names_the_waiting_part(session, owned_job):
    agent = owned_job.owner
    record_contact(session, job=owned_job, channel=ContactChannel.PHONE, note="Called: a visit is on its way",
                   actor=Actor.staff(agent), now=NOW + timedelta(minutes=30))
    for status in (JobStatus.TRIAGED, JobStatus.ASSIGNED, JobStatus.EN_ROUTE, JobStatus.ON_SITE, JobStatus.WAITING_PARTS):
        transition_job(session, job=owned_job, to=status, actor=Actor.staff(agent), now=NOW + timedelta(minutes=30))
    sla_sweep(session, now=NOW + timedelta(days=3, minutes=1))
    session.commit()
    assert _alerts(session) == [(SlaClock.RESOLUTION, AlertKind.BREACH, "waiting_for_parts")]


def test_waiting_for_the_customer_stops_the_clocks(session, owned_job):
    actor = Actor.staff(owned_job.owner)
    pause_clocks(session, job=owned_job, reason="Customer away until tonight", actor=actor, now=NOW + timedelta(minutes=60))
    with pytest.raises(AlreadyPaused):
        pause_clocks(session, job=owned_job, reason="again", actor=actor, now=NOW + timedelta(minutes=61))
    assert sla_sweep(session, now=NOW + timedelta(hours=5)).warned == 0  # paused: no warning, no breach
    resume_clocks(session, job=owned_job, actor=actor, now=NOW + timedelta(hours=4))
    with pytest.raises(NotPaused):
        resume_clocks(session, job=owned_job, actor=actor, now=NOW + timedelta(hours=4))
    reading = read_clocks(owned_job, owned_job_pauses(session, owned_job), now=NOW + timedelta(hours=4, minutes=29))
    response = reading[SlaClock.RESPONSE]
    assert response.paused == timedelta(hours=3) and response.used == timedelta(minutes=89)
    # The stored deadline itself moved by the pause; the reading adds nothing on top.
    assert response.deadline == owned_job.respond_by == NOW + timedelta(hours=2 + 3)
    assert sla_sweep(session, now=NOW + timedelta(hours=4, minutes=29)).warned == 0
    assert sla_sweep(session, now=NOW + timedelta(hours=4, minutes=30)).warned == 1


def owned_job_pauses(session, job):
    from care.sla_watch import pauses_of

    return pauses_of(session, [job.id])[job.id]


def test_two_watchers_sweeping_at_once_act_once(database_url, engine, session, owned_job):
    if not database_url.startswith("postgresql"):
        pytest.skip("racing sweeps are a PostgreSQL matter; SQLite serialises writers")
    factory = make_session_factory(engine)
    barrier = Barrier(3)

    def sweep(_):
        with factory() as s:
            barrier.wait()
            summary = sla_sweep(s, now=NOW + timedelta(minutes=95))
            s.commit()
            return summary.warned

    with ThreadPoolExecutor(3) as pool:
        warned = list(pool.map(sweep, range(3)))
    assert sum(warned) == 1
    assert session.scalar(select(func.count()).select_from(Escalation)) == 1
    assert session.scalar(select(func.count()).select_from(OutboxMessage).where(
        OutboxMessage.recipient.like("user:%"))) == 1  # staff alerts (the customer heard of the report)
