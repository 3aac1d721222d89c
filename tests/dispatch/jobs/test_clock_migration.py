"""Revision 0016 stores in the deadlines the time jobs already waited for the customer (the SLA watch
used to add it only when reading), so no reader loses it after the upgrade."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from core.db import make_session_factory
from core.migrate import downgrade, upgrade
from dispatch.jobs.models import Job, SlaPause
from tests.builders.care import make_open_job
from tests.builders.dispatch import make_asset
from tests.conftest import NOW


def test_upgrading_moves_the_deadlines_of_jobs_whose_pauses_already_ended(database_url, engine):
    factory = make_session_factory(engine)
    with factory() as session:
        waited = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
        waiting = make_open_job(session, asset=make_asset(session), owner=None, now=NOW)
        session.add_all([SlaPause(job_id=waited.id, started_at=NOW + timedelta(hours=1), ended_at=NOW + timedelta(hours=4),
                                  reason="away", started_by="agent.li"),
                         SlaPause(job_id=waiting.id, started_at=NOW + timedelta(hours=1), reason="away",
                                  started_by="agent.li")])
        session.commit()
        ids = waited.id, waiting.id
    downgrade(database_url, "0014")
    upgrade(database_url)
    with factory() as session:
        stored = {job.id: (job.respond_by, job.repair_by) for job in session.scalars(select(Job).where(Job.id.in_(ids)))}
    assert stored[ids[0]] == (NOW + timedelta(hours=2 + 3), NOW + timedelta(days=3, hours=3))
    assert stored[ids[1]] == (NOW + timedelta(hours=2), NOW + timedelta(days=3))  # moved when it ends
